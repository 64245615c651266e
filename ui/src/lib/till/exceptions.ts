// How the sync indicator names the exceptions the server raised for this till: each known kind
// has its own words, anything newer reads as "Other" (its detail still shows on hover).

import type { MessageKey } from '$lib/i18n/index.svelte';

const KINDS: Record<string, MessageKey> = {
  oversold: 'exception.oversold',
  price_variance: 'exception.price_variance',
  over_refund: 'exception.over_refund',
  orphan_refund: 'exception.orphan_refund',
  quarantined: 'exception.quarantined',
  unknown_customer: 'exception.unknown_customer',
};

export function exceptionLabel(kind: string): MessageKey {
  return KINDS[kind] ?? 'exception.other';
}
