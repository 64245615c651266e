// The words for tender kinds, which also key the shift report's per-tender maps.

import type { MessageKey } from '$lib/i18n/index.svelte';
import { t } from '$lib/i18n/index.svelte';

const LABELS: Record<string, MessageKey> = {
  cash: 'tender.cash',
  card: 'tender.card',
  store_credit: 'tender.storeCredit',
  on_account: 'tender.onAccount',
};

/** "Cash", "Karte"...; an unknown kind shows as the till named it. */
export function tenderLabel(kind: string): string {
  const key = LABELS[kind];
  return key ? t(key) : kind;
}

/** The kinds present in any of the maps, cash first. */
export function tenderKeys(...maps: Record<string, number | undefined>[]): string[] {
  const keys = new Set(maps.flatMap((map) => Object.keys(map)));
  return [...keys].sort((a, b) => (a === 'cash' ? -1 : b === 'cash' ? 1 : a.localeCompare(b)));
}
