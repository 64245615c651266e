-- A sale's tenders, its stock movements and its journal record are read by sale, by
-- product or by journal sequence, never by their own id, yet each id carried a unique
-- index: one more b-tree whose leaf every sale wrote into the WAL and synced. The ids
-- stay (UUIDv7, unique by construction; the server deduplicates records by id); only
-- their indexes go. SQLite drops an index it made for a column constraint only with its
-- table, so the three tables are rebuilt, keeping their row order.
CREATE TABLE tenders_rebuilt (
    id           TEXT NOT NULL,
    sale_id      TEXT NOT NULL REFERENCES sales(id),
    kind         TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    reference    TEXT,
    customer_id  TEXT REFERENCES customers(id)
);
INSERT INTO tenders_rebuilt (rowid, id, sale_id, kind, amount_minor, reference, customer_id)
    SELECT rowid, id, sale_id, kind, amount_minor, reference, customer_id FROM tenders;
DROP TABLE tenders;
ALTER TABLE tenders_rebuilt RENAME TO tenders;
CREATE INDEX tenders_sale ON tenders(sale_id);
CREATE TRIGGER no_delete_tenders BEFORE DELETE ON tenders
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;

CREATE TABLE stock_movements_rebuilt (
    id              TEXT NOT NULL,
    product_id      TEXT NOT NULL REFERENCES products(id),
    delta_milli     INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    ref_id          TEXT,
    -- set once the server's balance includes this movement
    in_server       INTEGER NOT NULL DEFAULT 0,
    created_at_ms   INTEGER NOT NULL,
    journal_seq     INTEGER
);
INSERT INTO stock_movements_rebuilt (rowid, id, product_id, delta_milli, reason, ref_id,
                                     in_server, created_at_ms, journal_seq)
    SELECT rowid, id, product_id, delta_milli, reason, ref_id, in_server, created_at_ms,
           journal_seq
    FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_rebuilt RENAME TO stock_movements;
CREATE INDEX stock_movements_product ON stock_movements(product_id, in_server);
CREATE INDEX stock_movements_pending ON stock_movements(in_server, journal_seq);
CREATE TRIGGER no_delete_stock_movements BEFORE DELETE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;

CREATE TABLE journal_rebuilt (
    seq            INTEGER PRIMARY KEY NOT NULL,
    id             TEXT NOT NULL,
    terminal_id    TEXT NOT NULL,
    epoch          INTEGER NOT NULL,
    hlc_ms         INTEGER NOT NULL,
    catalog_cursor INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    payload        TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    -- the only mutable column: set when the server acknowledged the record
    acked          INTEGER NOT NULL DEFAULT 0
);
INSERT INTO journal_rebuilt (seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind,
                             payload, prev_hash, hash, acked)
    SELECT seq, id, terminal_id, epoch, hlc_ms, catalog_cursor, kind, payload, prev_hash,
           hash, acked
    FROM journal;
DROP TABLE journal;
ALTER TABLE journal_rebuilt RENAME TO journal;
CREATE TRIGGER journal_no_update BEFORE UPDATE OF seq, id, terminal_id, epoch, hlc_ms,
    catalog_cursor, kind, payload, prev_hash, hash ON journal
BEGIN SELECT RAISE(ABORT, 'journal records are immutable'); END;
CREATE TRIGGER no_delete_journal BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
