// How a shortcut combo reads on a button in the current language ("Ctrl+L" is "Strg+L" on
// German keyboards).

import { i18n } from '$lib/i18n/index.svelte';

const GERMAN: Record<string, string> = { Ctrl: 'Strg', Esc: 'Esc', Enter: 'Enter', Delete: 'Entf' };

export function shortcutLabel(combo: string): string {
  if (i18n.locale !== 'de') return combo;
  return combo
    .split('+')
    .map((part) => GERMAN[part] ?? part)
    .join('+');
}
