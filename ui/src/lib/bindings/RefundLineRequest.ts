// Hand-written placeholder matching /tmp/contract.ts; ts-rs regenerates this file with the same shape.
export type RefundLineRequest = { line_no: number, qty_milli: number, };
