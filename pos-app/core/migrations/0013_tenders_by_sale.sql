-- A sale's tenders are only ever read by sale (the receipt, the shift reports, the
-- journal audit). Stored in a b-tree ordered by sale and position instead of a table
-- plus an index on the sale, a sale writes one leaf for them instead of two. Sale ids
-- are UUIDv7, so a new sale's tenders land at the tree's right edge.
CREATE TABLE tenders_by_sale (
    sale_id      TEXT NOT NULL REFERENCES sales(id),
    -- 1, 2, ... in the order the cashier took them
    n            INTEGER NOT NULL,
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    reference    TEXT,
    customer_id  TEXT REFERENCES customers(id),
    PRIMARY KEY (sale_id, n)
) WITHOUT ROWID;
INSERT INTO tenders_by_sale (sale_id, n, id, kind, amount_minor, reference, customer_id)
    SELECT sale_id, row_number() OVER (PARTITION BY sale_id ORDER BY rowid), id, kind,
           amount_minor, reference, customer_id
    FROM tenders;
DROP TABLE tenders;
ALTER TABLE tenders_by_sale RENAME TO tenders;
CREATE TRIGGER no_delete_tenders BEFORE DELETE ON tenders
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
