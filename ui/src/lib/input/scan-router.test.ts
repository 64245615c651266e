import { describe, expect, it } from 'vitest';
import { ScanRouter } from './scan-router';

describe('ScanRouter', () => {
  it('gives scans to the handler on top, and none while a dialog lets them through', () => {
    const router = new ScanRouter();
    const seen: string[] = [];
    const popScreen = router.push((code) => seen.push(`sell:${code}`));
    expect(router.route('1')).toBe(true);
    const popDialog = router.push(null);
    expect(router.capturing, 'a dialog takes the characters as typing').toBe(false);
    expect(router.route('2')).toBe(false);
    popDialog();
    router.route('3');
    popScreen();
    expect(router.route('4')).toBe(false);
    expect(seen).toEqual(['sell:1', 'sell:3']);
  });

  it('removes exactly the entry that was pushed', () => {
    const router = new ScanRouter();
    const seen: string[] = [];
    router.push((code) => seen.push(code));
    const first = router.push(null);
    const second = router.push(null);
    first();
    expect(router.capturing).toBe(false);
    second();
    expect(router.capturing).toBe(true);
  });
});
