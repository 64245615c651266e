-- Terminal side of sync (protocol v1). Credentials, cursors and sync status live in
-- `settings`; this adds what rows need.

-- Which journal record a stock movement belongs to, so the movement can be counted as
-- included in the server balance once that record is acked and a newer balance pulled.
ALTER TABLE stock_movements ADD COLUMN journal_seq INTEGER;
UPDATE stock_movements SET journal_seq = (SELECT s.journal_seq FROM sales s WHERE s.id = ref_id)
    WHERE reason = 'sale' AND journal_seq IS NULL;
UPDATE stock_movements SET journal_seq = (SELECT r.journal_seq FROM refunds r WHERE r.id = ref_id)
    WHERE reason = 'refund' AND journal_seq IS NULL;
CREATE INDEX stock_movements_pending ON stock_movements(in_server, journal_seq);

-- Server balances of products the local catalog does not hold yet (the catalog change can
-- arrive on a later pull, or never for a bad fact): parked here rather than blocking the
-- stock stream, and moved into stock_balances when the product arrives.
CREATE TABLE stock_balances_unmatched (
    product_id    TEXT PRIMARY KEY NOT NULL,
    server_milli  INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
