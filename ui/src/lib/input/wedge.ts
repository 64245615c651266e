// Tells a keyboard-wedge barcode scanner from a person typing. A scanner "types" the code within
// a few milliseconds per character and ends it with Enter; people leave far larger gaps (fast
// typists ~60-100 ms a key). So a run of at least `minLength` characters ended by Enter is a
// scan when its keys came less than `maxGapMs` apart on average, none of them (nor the Enter)
// more than `maxPauseMs` after the one before: one hiccup (a USB poll, a busy machine) does not
// split a scan, and no person keeps up 30 ms a key over five keys. Pure: the caller feeds key
// presses with their times.

export interface WedgeOptions {
  /** Shortest code accepted as a scan (shorter bursts are typing, e.g. a rolled "ok"). */
  minLength: number;
  /** Largest average gap between the keys of a scan (Enter included), in ms. */
  maxGapMs: number;
  /** Largest single gap inside a scan, in ms; a longer pause starts a new run. */
  maxPauseMs: number;
}

export const DEFAULT_WEDGE: WedgeOptions = { minLength: 4, maxGapMs: 30, maxPauseMs: 60 };

/** One key press, as much of a KeyboardEvent as the detector needs. */
export interface KeyPress {
  /** KeyboardEvent.key: "4", "A", "Enter", "Shift", "Backspace"... */
  key: string;
  /** When it was pressed, in ms (KeyboardEvent.timeStamp). */
  timeMs: number;
  /** Held down (auto-repeat), which a scanner never does. */
  repeat?: boolean;
  /** Ctrl, Alt or Meta held: a shortcut, not a character. */
  withModifier?: boolean;
}

export type WedgeVerdict =
  /** A character: let it through; when `startsRun`, remember the field as it was before it. */
  | { kind: 'char'; startsRun: boolean }
  /** The Enter that ends a scan: swallow it, undo the run's characters and look the code up. */
  | { kind: 'scan'; code: string }
  /** An ordinary Enter. */
  | { kind: 'enter' }
  /** A key that neither types nor ends a run (Shift, which scanners press for capitals). */
  | { kind: 'ignored' }
  /** Any other key (arrows, Backspace, shortcuts): the run is over. */
  | { kind: 'other' };

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock']);

export class WedgeDetector {
  private readonly options: WedgeOptions;
  private run = '';
  private startMs = 0;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<WedgeOptions> = {}) {
    const maxGapMs = options.maxGapMs ?? DEFAULT_WEDGE.maxGapMs;
    this.options = { ...DEFAULT_WEDGE, maxPauseMs: 2 * maxGapMs, ...options };
  }

  /** Classifies one key press and updates the current run. */
  key(press: KeyPress): WedgeVerdict {
    if (MODIFIERS.has(press.key)) return { kind: 'ignored' };
    const close = press.timeMs - this.lastMs < this.options.maxPauseMs;
    if (press.key === 'Enter' && !press.withModifier) {
      const code = this.run;
      const fast = (press.timeMs - this.startMs) / Math.max(1, code.length) < this.options.maxGapMs;
      this.reset();
      return close && fast && code.length >= this.options.minLength ? { kind: 'scan', code } : { kind: 'enter' };
    }
    if ([...press.key].length === 1 && !press.withModifier && !press.repeat) {
      const startsRun = this.run === '' || !close;
      if (startsRun) {
        this.run = '';
        this.startMs = press.timeMs;
      }
      this.run += press.key;
      this.lastMs = press.timeMs;
      return { kind: 'char', startsRun };
    }
    this.reset();
    return { kind: 'other' };
  }

  /** Forgets the current run (focus moved, a dialog opened). */
  reset(): void {
    this.run = '';
    this.lastMs = Number.NEGATIVE_INFINITY;
  }
}
