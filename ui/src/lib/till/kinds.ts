// The tender kinds the till knows. The Rust views carry them as plain strings (TenderView.kind,
// SaleLookup.tenders, RefundDone.tender_kind); the screens narrow them with `isTenderKind`.

export const TENDER_KINDS = ['cash', 'card', 'store_credit', 'on_account'] as const;

export type TenderKind = (typeof TENDER_KINDS)[number];

export function isTenderKind(kind: string): kind is TenderKind {
  return (TENDER_KINDS as readonly string[]).includes(kind);
}
