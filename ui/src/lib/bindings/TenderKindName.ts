// Hand-written placeholder matching /tmp/contract.ts; ts-rs regenerates this file with the same shape.
export type TenderKindName = "cash" | "card" | "store_credit" | "on_account";
