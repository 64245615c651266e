-- Receipts a customer asked to have emailed: queued at the till (so the request survives
-- being offline or a restart) and handed to the server, which sends them, once reachable.
-- `id` travels with the request, so a request sent twice is sent once.
CREATE TABLE receipt_emails (
    id              TEXT PRIMARY KEY,
    sale_id         TEXT NOT NULL,
    email           TEXT NOT NULL,
    requested_at_ms INTEGER NOT NULL,
    -- Set once the server took it; NULL while it waits.
    sent_at_ms      INTEGER,
    -- The server refused it for good (an address it cannot deliver to): not tried again.
    failed          TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX receipt_emails_waiting ON receipt_emails (requested_at_ms)
    WHERE sent_at_ms IS NULL AND failed IS NULL;
