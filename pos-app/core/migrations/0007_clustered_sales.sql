-- no-transaction
-- Sales, their lines and stock movements become tables keyed by their primary key
-- (WITHOUT ROWID): each was a rowid b-tree plus a separate b-tree for its TEXT id, and
-- every sale wrote a page of both. Stock movements are clustered by product, which also
-- replaces the (product_id, in_server) index: one random leaf per line instead of a
-- random index leaf plus the table's own pages. About four pages fewer per sale commit.
--
-- SQLite's table rebuild: foreign keys off (only possible outside a transaction), build,
-- copy, swap, check, commit. Other tables' REFERENCES name the tables, so they follow the
-- swap.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE sales_new (
    id                  TEXT PRIMARY KEY NOT NULL,
    receipt_no          INTEGER NOT NULL UNIQUE,
    shift_id            TEXT NOT NULL REFERENCES shifts(id),
    staff_id            TEXT NOT NULL REFERENCES staff(id),
    customer_id         TEXT REFERENCES customers(id),
    currency            TEXT NOT NULL,
    subtotal_minor      INTEGER NOT NULL,
    discount_minor      INTEGER NOT NULL,
    tax_minor           INTEGER NOT NULL,
    total_minor         INTEGER NOT NULL,
    paid_minor          INTEGER NOT NULL,
    change_minor        INTEGER NOT NULL,
    approved_by         TEXT REFERENCES staff(id),
    journal_seq         INTEGER NOT NULL,
    created_at_ms       INTEGER NOT NULL,
    cash_rounding_minor INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO sales_new (id, receipt_no, shift_id, staff_id, customer_id, currency,
        subtotal_minor, discount_minor, tax_minor, total_minor, paid_minor, change_minor,
        approved_by, journal_seq, created_at_ms, cash_rounding_minor)
    SELECT id, receipt_no, shift_id, staff_id, customer_id, currency, subtotal_minor,
        discount_minor, tax_minor, total_minor, paid_minor, change_minor, approved_by,
        journal_seq, created_at_ms, cash_rounding_minor
    FROM sales;
DROP TABLE sales;
ALTER TABLE sales_new RENAME TO sales;
CREATE INDEX sales_shift ON sales(shift_id);
CREATE TRIGGER no_delete_sales BEFORE DELETE ON sales
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;

CREATE TABLE sale_lines_new (
    id               TEXT PRIMARY KEY NOT NULL,
    sale_id          TEXT NOT NULL REFERENCES sales(id),
    line_no          INTEGER NOT NULL,
    product_id       TEXT NOT NULL REFERENCES products(id),
    sku              TEXT NOT NULL,
    name             TEXT NOT NULL,
    qty_milli        INTEGER NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    discount_minor   INTEGER NOT NULL,
    tax_rate_bp      INTEGER NOT NULL,
    tax_inclusive    INTEGER NOT NULL,
    net_minor        INTEGER NOT NULL,
    tax_minor        INTEGER NOT NULL,
    gross_minor      INTEGER NOT NULL,
    UNIQUE (sale_id, line_no)
) WITHOUT ROWID;
INSERT INTO sale_lines_new (id, sale_id, line_no, product_id, sku, name, qty_milli,
        unit_price_minor, discount_minor, tax_rate_bp, tax_inclusive, net_minor, tax_minor,
        gross_minor)
    SELECT id, sale_id, line_no, product_id, sku, name, qty_milli, unit_price_minor,
        discount_minor, tax_rate_bp, tax_inclusive, net_minor, tax_minor, gross_minor
    FROM sale_lines;
DROP TABLE sale_lines;
ALTER TABLE sale_lines_new RENAME TO sale_lines;
CREATE TRIGGER no_delete_sale_lines BEFORE DELETE ON sale_lines
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;

-- Keyed (product, in_server, id): a product's movements not yet in the server balance
-- are one range, which is what the stock shown at the till sums.
CREATE TABLE stock_movements_new (
    id            TEXT NOT NULL,
    product_id    TEXT NOT NULL REFERENCES products(id),
    delta_milli   INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    ref_id        TEXT,
    -- set once the server's balance includes this movement
    in_server     INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL,
    journal_seq   INTEGER,
    PRIMARY KEY (product_id, in_server, id)
) WITHOUT ROWID;
INSERT INTO stock_movements_new (id, product_id, delta_milli, reason, ref_id, in_server,
        created_at_ms, journal_seq)
    SELECT id, product_id, delta_milli, reason, ref_id, in_server, created_at_ms, journal_seq
    FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_new RENAME TO stock_movements;
CREATE INDEX stock_movements_pending ON stock_movements(in_server, journal_seq);
CREATE TRIGGER no_delete_stock_movements BEFORE DELETE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;

COMMIT;
PRAGMA foreign_keys = ON;
