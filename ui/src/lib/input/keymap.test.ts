import { describe, expect, it } from 'vitest';
import { Keymap, matchesCombo } from './keymap';

const key = (init: KeyboardEventInit): KeyboardEvent => new KeyboardEvent('keydown', { cancelable: true, ...init });

describe('keymap', () => {
  it('matches named keys, modifiers and physical digits', () => {
    expect(matchesCombo('F10', key({ key: 'F10' }))).toBe(true);
    expect(matchesCombo('F10', key({ key: 'F10', shiftKey: true })), 'Shift+F10 is another combo').toBe(false);
    expect(matchesCombo('Ctrl+L', key({ key: 'l', ctrlKey: true }))).toBe(true);
    expect(matchesCombo('Ctrl+L', key({ key: 'l' }))).toBe(false);
    expect(matchesCombo('Alt+2', key({ key: '™', code: 'Digit2', altKey: true })), 'macOS Alt+2').toBe(true);
    expect(matchesCombo('Esc', key({ key: 'Escape' }))).toBe(true);
    expect(matchesCombo('Plus', key({ key: '+', shiftKey: true }))).toBe(true);
  });

  it('runs the top layer first and stops at an exclusive one', () => {
    const map = new Keymap();
    const ran: string[] = [];
    map.push([{ combo: 'F10', run: () => ran.push('screen F10') }, { combo: 'F12', run: () => ran.push('screen F12') }]);
    const pop = map.push([{ combo: 'F10', run: () => ran.push('dialog F10') }], { exclusive: true });
    const event = key({ key: 'F10' });
    expect(map.handle(event)).toBe(true);
    expect(event.defaultPrevented).toBe(true);
    expect(map.handle(key({ key: 'F12' })), 'the dialog hides the screen').toBe(false);
    pop();
    map.handle(key({ key: 'F12' }));
    expect(ran).toEqual(['dialog F10', 'screen F12']);
  });

  it('skips bindings whose condition is false', () => {
    const map = new Keymap();
    let enabled = false;
    map.push([{ combo: 'F12', run: () => undefined, when: () => enabled }]);
    expect(map.handle(key({ key: 'F12' }))).toBe(false);
    enabled = true;
    expect(map.handle(key({ key: 'F12' }))).toBe(true);
  });
});
