-- The shop's terminals and the keys their receipts are sealed with, from the server's
-- `config` stream: a till checks another till's receipt against these, offline.
CREATE TABLE terminal_keys (
    terminal_id    TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL,
    public_key     TEXT,
    active         INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
);

-- Staff from the server's `staff` stream are kept apart from staff added at the till
-- (`pos staff add`), so a standalone terminal's staff are never touched by sync.
ALTER TABLE staff ADD COLUMN from_server INTEGER NOT NULL DEFAULT 0;

-- The sale a refund's receipt names, on this till or another one (a sealed receipt from
-- another till of the shop). `sale_id` stays the link to a sale stored here.
ALTER TABLE refunds ADD COLUMN receipt_sale_id TEXT;
UPDATE refunds SET receipt_sale_id = sale_id;
CREATE INDEX refunds_receipt_sale ON refunds(receipt_sale_id);
