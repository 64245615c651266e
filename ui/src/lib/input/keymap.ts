// Keyboard shortcuts as a stack of layers: a screen pushes its bindings when it mounts and pops
// them when it goes; a dialog pushes an exclusive layer so the screen below stops reacting.
// Combos are written "F10", "Ctrl+L", "Alt+2", "Shift+F6", "Esc", "Plus"; letters and digits match by physical
// key as well, so Alt+2 works on a Mac (where Alt+2 types "™") and on German layouts.

export interface Binding {
  /** The combo, e.g. "F12" or "Alt+3". */
  combo: string;
  run: (event: KeyboardEvent) => void;
  /** When false the binding is skipped (e.g. the button it stands for is disabled). */
  when?: () => boolean;
}

interface Combo {
  key: string;
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
}

interface Layer {
  bindings: Binding[];
  exclusive: boolean;
}

/** Names a combo may use for keys whose KeyboardEvent.key is awkward to write. */
const ALIASES: Record<string, string> = { esc: 'escape', del: 'delete', plus: '+', minus: '-', space: ' ' };

/** Parses "Ctrl+Shift+K" into its parts; the key is compared case-insensitively. */
export function parseCombo(combo: string): Combo {
  const parts = combo.split('+');
  const name = (parts.pop() ?? '').toLowerCase();
  const mods = new Set(parts.map((part) => part.toLowerCase()));
  return { key: ALIASES[name] ?? name, ctrl: mods.has('ctrl'), alt: mods.has('alt'), shift: mods.has('shift') };
}

/** Whether a key event is the combo. */
export function matchesCombo(combo: string, event: KeyboardEvent): boolean {
  const want = parseCombo(combo);
  if (want.ctrl !== (event.ctrlKey || event.metaKey) || want.alt !== event.altKey) return false;
  // Shift matters for named keys (Shift+F6) but not for symbols that need it ("+", "*").
  if (want.key.length > 1 && want.shift !== event.shiftKey) return false;
  if (event.key.toLowerCase() === want.key) return true;
  if (/^[a-z]$/.test(want.key)) return event.code === `Key${want.key.toUpperCase()}`;
  if (/^[0-9]$/.test(want.key)) return event.code === `Digit${want.key}` || event.code === `Numpad${want.key}`;
  return false;
}

/** A stack of binding layers listening on one window. */
export class Keymap {
  private layers: Layer[] = [];

  /** Adds a layer on top; returns the function that removes it again. */
  push(bindings: Binding[], options: { exclusive?: boolean } = {}): () => void {
    const layer: Layer = { bindings, exclusive: options.exclusive ?? false };
    this.layers.push(layer);
    return () => {
      this.layers = this.layers.filter((other) => other !== layer);
    };
  }

  /** Runs the first matching binding, top layer first; true when one ran. */
  handle(event: KeyboardEvent): boolean {
    for (let i = this.layers.length - 1; i >= 0; i -= 1) {
      const layer = this.layers[i];
      if (!layer) continue;
      const binding = layer.bindings.find(
        (candidate) => matchesCombo(candidate.combo, event) && (candidate.when?.() ?? true),
      );
      if (binding) {
        event.preventDefault();
        binding.run(event);
        return true;
      }
      if (layer.exclusive) return false;
    }
    return false;
  }

  /** Listens on `target` (bubble phase, after fields had their say); returns the stop function. */
  listen(target: Window): () => void {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (!event.defaultPrevented) this.handle(event);
    };
    target.addEventListener('keydown', onKeyDown);
    return () => target.removeEventListener('keydown', onKeyDown);
  }
}

/** The app's one keymap; screens and dialogs push their layers onto it. */
export const keymap = new Keymap();

/** Whether keys typed now go into a text field (so plain keys are not shortcuts). */
export function typingInField(element: Element | null = document.activeElement): boolean {
  if (element instanceof HTMLTextAreaElement) return true;
  if (element instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(element.type);
  }
  return element instanceof HTMLElement && element.isContentEditable;
}
