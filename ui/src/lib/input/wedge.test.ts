import { describe, expect, it } from 'vitest';
import { WedgeDetector, type WedgeVerdict } from './wedge';

/** Feeds `text` then Enter with `gapMs` between presses; returns the verdict of the Enter. */
function type(detector: WedgeDetector, text: string, gapMs: number, startMs = 1000): WedgeVerdict {
  let t = startMs;
  for (const key of text) {
    detector.key({ key, timeMs: t });
    t += gapMs;
  }
  return detector.key({ key: 'Enter', timeMs: t });
}

describe('WedgeDetector', () => {
  it('reads a fast burst ended by Enter as a scan', () => {
    const verdict = type(new WedgeDetector(), '4006381333931', 8);
    expect(verdict, 'a scanner types ~8 ms per key').toEqual({ kind: 'scan', code: '4006381333931' });
  });

  it('reads human typing as typing, however long', () => {
    expect(type(new WedgeDetector(), '4006381333931', 90)).toEqual({ kind: 'enter' });
    expect(type(new WedgeDetector(), 'milk', 45), 'a fast typist stays above 30 ms a key').toEqual({ kind: 'enter' });
    expect(type(new WedgeDetector(), '12345678', 35), 'even a very fast run of digits').toEqual({ kind: 'enter' });
  });

  it('keeps a scan whole through one hiccup (a USB poll, a busy machine)', () => {
    const detector = new WedgeDetector();
    const times = [0, 4, 8, 12, 55, 59, 63, 67, 71, 75, 79, 83, 87];
    [...'4006381333931'].forEach((key, i) => detector.key({ key, timeMs: times[i] ?? 0 }));
    expect(detector.key({ key: 'Enter', timeMs: 91 }), '43 ms once, 7 ms on average').toEqual({
      kind: 'scan',
      code: '4006381333931',
    });
  });

  it('needs at least four characters', () => {
    expect(type(new WedgeDetector(), '123', 5), 'three quick keys can be a rolled chord').toEqual({ kind: 'enter' });
    expect(type(new WedgeDetector(), '1234', 5)).toEqual({ kind: 'scan', code: '1234' });
  });

  it('needs the Enter to follow the burst quickly', () => {
    const detector = new WedgeDetector();
    for (const [i, key] of [...'12345678'].entries()) detector.key({ key, timeMs: i * 5 });
    expect(detector.key({ key: 'Enter', timeMs: 35 + 400 }), 'Enter pressed by hand later').toEqual({ kind: 'enter' });
  });

  it('marks where a run starts, so the field can be restored to what came before', () => {
    const detector = new WedgeDetector();
    expect(detector.key({ key: 'm', timeMs: 0 })).toEqual({ kind: 'char', startsRun: true });
    expect(detector.key({ key: 'i', timeMs: 200 }), 'a pause starts a new run').toEqual({ kind: 'char', startsRun: true });
    expect(detector.key({ key: '4', timeMs: 400 })).toEqual({ kind: 'char', startsRun: true });
    expect(detector.key({ key: '0', timeMs: 408 })).toEqual({ kind: 'char', startsRun: false });
    detector.key({ key: '0', timeMs: 416 });
    detector.key({ key: '6', timeMs: 424 });
    expect(detector.key({ key: 'Enter', timeMs: 430 }), 'only the fast tail is the code').toEqual({
      kind: 'scan',
      code: '4006',
    });
  });

  it('lets Shift through inside a scan (scanners press it for capitals)', () => {
    const detector = new WedgeDetector();
    let t = 0;
    for (const key of ['Shift', 'A', 'B', 'Shift', 'C', '1', '2']) {
      detector.key({ key, timeMs: t });
      t += 6;
    }
    expect(detector.key({ key: 'Enter', timeMs: t })).toEqual({ kind: 'scan', code: 'ABC12' });
  });

  it('ends the run on any other key, on shortcuts and on auto-repeat', () => {
    const detector = new WedgeDetector();
    detector.key({ key: '1', timeMs: 0 });
    detector.key({ key: '2', timeMs: 5 });
    expect(detector.key({ key: 'Backspace', timeMs: 10 })).toEqual({ kind: 'other' });
    detector.key({ key: '3', timeMs: 15 });
    expect(detector.key({ key: 'l', timeMs: 20, withModifier: true })).toEqual({ kind: 'other' });
    const held = new WedgeDetector();
    held.key({ key: '0', timeMs: 0 });
    for (let t = 20; t < 200; t += 20) held.key({ key: '0', timeMs: t, repeat: true });
    expect(held.key({ key: 'Enter', timeMs: 205 }), 'a held key is not a scan').toEqual({ kind: 'enter' });
  });

  it('starts afresh after a scan', () => {
    const detector = new WedgeDetector();
    expect(type(detector, '12345678', 5, 0)).toEqual({ kind: 'scan', code: '12345678' });
    expect(type(detector, '87654321', 5, 100)).toEqual({ kind: 'scan', code: '87654321' });
    expect(detector.key({ key: 'Enter', timeMs: 160 }), 'a second Enter is plain').toEqual({ kind: 'enter' });
  });

  it('honours custom thresholds', () => {
    const detector = new WedgeDetector({ minLength: 8, maxGapMs: 50 });
    expect(type(detector, '1234567', 40)).toEqual({ kind: 'enter' });
    expect(type(detector, '12345678', 40)).toEqual({ kind: 'scan', code: '12345678' });
    expect(type(new WedgeDetector({ maxPauseMs: 20 }), '12345678', 25), 'no gap may pass the pause limit').toEqual({
      kind: 'enter',
    });
  });
});
