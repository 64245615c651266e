// Wires the WedgeDetector to the page: listens to every keydown (capture phase, before any field
// or shortcut sees it), and when a run turns out to be a scan, swallows its Enter, takes the
// code back out of the field it was typed into, and hands it to `onScan`.
//
// Which fields give up their scans: none (focus on a button or the page) and those marked
// `data-scan` (the sell screen's search box). Any other field keeps what was typed into it, so an
// amount field, a PIN or a form filled in by a test driver that types fast stays as typed.

import { WedgeDetector, type WedgeOptions } from './wedge';

type TextField = HTMLInputElement | HTMLTextAreaElement;

interface Snapshot {
  field: TextField;
  value: string;
  selectionStart: number | null;
  selectionEnd: number | null;
}

export interface ScanListenerOptions extends Partial<WedgeOptions> {
  /** Whether scans are captured now (false while a PIN is typed or a dialog takes raw input). */
  enabled: () => boolean;
  /** Receives each recognised code. */
  onScan: (code: string) => void;
  /** The key press time; KeyboardEvent.timeStamp unless a test supplies its own clock. */
  now?: (event: KeyboardEvent) => number;
  /** Whether a scan typed while `focused` has focus is taken (default: see the module doc). */
  accepts?: (focused: Element | null) => boolean;
}

/** No text field has focus, or the focused one is marked `data-scan`. */
export function acceptsScanIn(focused: Element | null): boolean {
  const field = textField(focused);
  return field === null || field.hasAttribute('data-scan');
}

function textField(element: Element | null): TextField | null {
  if (element instanceof HTMLTextAreaElement) return element;
  if (element instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(element.type)) {
    return element;
  }
  return null;
}

function snapshot(element: Element | null): Snapshot | null {
  const field = textField(element);
  if (!field) return null;
  let selectionStart: number | null = null;
  let selectionEnd: number | null = null;
  try {
    selectionStart = field.selectionStart;
    selectionEnd = field.selectionEnd;
  } catch {
    // type=number and friends have no selection; restoring the value is enough there.
  }
  return { field, value: field.value, selectionStart, selectionEnd };
}

function setValue(field: TextField, value: string): void {
  field.value = value;
  // Let bound state (Svelte bind:value, search-as-you-type) see the restored text.
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Takes the scanned characters back out of the focused field. */
function undoRun(before: Snapshot | null, code: string): void {
  const field = textField(document.activeElement);
  if (!field) return;
  if (before && before.field === field) {
    setValue(field, before.value);
    if (before.selectionStart !== null) {
      try {
        field.setSelectionRange(before.selectionStart, before.selectionEnd);
      } catch {
        // Not every input type has a caret.
      }
    }
  } else if (field.value.endsWith(code)) {
    // Focus moved into the field during the run (a screen that focuses its search box on the
    // first printable key): the code is at its end.
    setValue(field, field.value.slice(0, -code.length));
  }
}

/** Starts listening on `target`; returns the function that stops it. */
export function listenForScans(target: Window, options: ScanListenerOptions): () => void {
  const detector = new WedgeDetector(options);
  const now = options.now ?? ((event: KeyboardEvent) => event.timeStamp);
  const accepts = options.accepts ?? acceptsScanIn;
  let before: Snapshot | null = null;

  const onKeyDown = (event: KeyboardEvent): void => {
    if (!options.enabled() || event.isComposing) {
      detector.reset();
      before = null;
      return;
    }
    const altGraph = event.getModifierState('AltGraph');
    const verdict = detector.key({
      key: event.key,
      timeMs: now(event),
      repeat: event.repeat,
      withModifier: (event.ctrlKey || event.altKey || event.metaKey) && !altGraph,
    });
    switch (verdict.kind) {
      case 'char':
        if (verdict.startsRun) before = snapshot(document.activeElement);
        return;
      case 'scan':
        if (!accepts(document.activeElement)) {
          before = null;
          return;
        }
        event.preventDefault();
        event.stopImmediatePropagation();
        undoRun(before, verdict.code);
        before = null;
        options.onScan(verdict.code);
        return;
      case 'enter':
      case 'other':
        before = null;
        return;
      case 'ignored':
        return;
    }
  };
  // A scan never spans a change of focus or a click. Without this, keys typed into another
  // field (an amount, just before a tap on the search box) could prefix the next scan when
  // the key events' timestamps do not show the pause between them (seen under load in
  // WebKit with injected keys).
  // (A run that began outside any field may move into the search box: the sell screen
  // focuses it on the first printable key, so only leaving a field ends a run.)
  const onMove = (): void => {
    detector.reset();
    before = null;
  };
  const onFocus = (event: FocusEvent): void => {
    if (before && event.target !== before.field) onMove();
  };
  target.addEventListener('keydown', onKeyDown, { capture: true });
  target.addEventListener('focusin', onFocus, { capture: true });
  target.addEventListener('pointerdown', onMove, { capture: true });
  return () => {
    target.removeEventListener('keydown', onKeyDown, { capture: true });
    target.removeEventListener('focusin', onFocus, { capture: true });
    target.removeEventListener('pointerdown', onMove, { capture: true });
  };
}
