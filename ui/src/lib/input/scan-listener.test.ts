import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listenForScans } from './scan-listener';

/** A clock the test advances, standing in for KeyboardEvent.timeStamp. */
let clock = 0;
let scans: string[] = [];
let stop: () => void = () => undefined;
let enabled = true;

/**
 * Presses a key the way a browser would: keydown first (the listener may cancel it), then, if
 * nobody did, the character lands in the focused field.
 */
function press(key: string, gapMs: number): KeyboardEvent {
  clock += gapMs;
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
  (document.activeElement ?? document.body).dispatchEvent(event);
  const field = document.activeElement;
  if (!event.defaultPrevented && key.length === 1 && field instanceof HTMLInputElement) {
    field.value += key;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  }
  return event;
}

function pressAll(text: string, gapMs: number): void {
  for (const key of text) press(key, gapMs);
}

beforeEach(() => {
  document.body.innerHTML = '<input id="search" data-scan /><input id="amount" /><button id="pay">Pay</button>';
  clock = 1000;
  scans = [];
  enabled = true;
  stop = listenForScans(window, { enabled: () => enabled, onScan: (code) => scans.push(code), now: () => clock });
});

afterEach(() => stop());

describe('listenForScans', () => {
  it('never joins keys typed in another field to the next scan, whatever the timestamps say', () => {
    const amount = document.getElementById('amount') as HTMLInputElement;
    amount.focus();
    pressAll('50', 5);
    const search = document.getElementById('search') as HTMLInputElement;
    search.focus();
    pressAll('4006381333931', 5);
    press('Enter', 5);
    expect(scans).toEqual(['4006381333931']);
  });

  it('routes a scan typed into the search field to onScan and leaves the field as it was', () => {
    const search = document.getElementById('search') as HTMLInputElement;
    search.focus();
    pressAll('mil', 120);
    let seen = '';
    search.addEventListener('input', () => (seen = search.value));
    press('4', 300);
    pressAll('006381333931', 6);
    const enter = press('Enter', 6);
    expect(scans).toEqual(['4006381333931']);
    expect(search.value, 'the human-typed part stays, the code goes').toBe('mil');
    expect(seen, 'bound state hears about the restored value').toBe('mil');
    expect(enter.defaultPrevented, 'the Enter must not also submit the search').toBe(true);
  });

  it('keeps a typed Enter for the field', () => {
    const search = document.getElementById('search') as HTMLInputElement;
    search.focus();
    pressAll('4006381333931', 80);
    const enter = press('Enter', 80);
    expect(scans).toEqual([]);
    expect(enter.defaultPrevented).toBe(false);
    expect(search.value).toBe('4006381333931');
  });

  it('catches a scan when no field has focus (and keeps a focused button from being clicked)', () => {
    (document.getElementById('pay') as HTMLButtonElement).focus();
    pressAll('12345678', 5);
    expect(press('Enter', 5).defaultPrevented).toBe(true);
    expect(scans).toEqual(['12345678']);
  });

  it('strips the code from a field that took focus during the run', () => {
    const search = document.getElementById('search') as HTMLInputElement;
    // What the sell screen does: a printable key outside any field goes to the search box.
    const focusSearch = (event: KeyboardEvent): void => {
      if (event.key.length === 1 && document.activeElement !== search) search.focus();
    };
    window.addEventListener('keydown', focusSearch);
    (document.getElementById('pay') as HTMLButtonElement).focus();
    pressAll('12345678', 5);
    press('Enter', 5);
    window.removeEventListener('keydown', focusSearch);
    expect(scans).toEqual(['12345678']);
    expect(search.value).toBe('');
  });

  it('leaves fast typing in a field that does not take scans (an amount, a test driver)', () => {
    const amount = document.getElementById('amount') as HTMLInputElement;
    amount.focus();
    pressAll('20.00', 2);
    expect(press('Enter', 2).defaultPrevented, 'the Enter submits the amount').toBe(false);
    expect(scans).toEqual([]);
    expect(amount.value).toBe('20.00');
  });

  it('does nothing while disabled (PIN entry)', () => {
    enabled = false;
    const search = document.getElementById('search') as HTMLInputElement;
    search.focus();
    pressAll('12345678', 5);
    expect(press('Enter', 5).defaultPrevented).toBe(false);
    expect(scans).toEqual([]);
    expect(search.value).toBe('12345678');
  });
});
