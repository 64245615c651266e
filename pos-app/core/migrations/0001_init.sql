-- Kassa terminal schema v1. Append-only: never edit a released migration, add a new one.
-- Money is integer minor units (*_minor), quantities milli-units (*_milli), times UTC
-- milliseconds since the Unix epoch (*_ms), ids UUIDv7 text. Nothing is hard-deleted:
-- rows are deactivated or superseded, and the triggers at the end refuse DELETE.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Catalog (server state on an enrolled terminal; imported from CSV when standalone).
CREATE TABLE tax_rates (
    id        TEXT PRIMARY KEY NOT NULL,
    name      TEXT NOT NULL,
    rate_bp   INTEGER NOT NULL,
    inclusive INTEGER NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (rate_bp, inclusive)
);

CREATE TABLE categories (
    id     TEXT PRIMARY KEY NOT NULL,
    name   TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE products (
    id             TEXT PRIMARY KEY NOT NULL,
    sku            TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    -- lower-cased, accents kept: what search compares against
    name_norm      TEXT NOT NULL,
    category_id    TEXT REFERENCES categories(id),
    price_minor    INTEGER NOT NULL,
    tax_rate_id    TEXT NOT NULL REFERENCES tax_rates(id),
    sold_by_weight INTEGER NOT NULL DEFAULT 0,
    active         INTEGER NOT NULL DEFAULT 1,
    updated_at_ms  INTEGER NOT NULL
);
CREATE INDEX products_name_norm ON products(name_norm);

CREATE TABLE barcodes (
    code       TEXT PRIMARY KEY NOT NULL,
    product_id TEXT NOT NULL REFERENCES products(id),
    active     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX barcodes_product ON barcodes(product_id);

-- Substring search over names and SKUs: the trigram tokenizer answers `MATCH 'abc'`
-- from the index, so "contains" stays fast on 100k products.
CREATE VIRTUAL TABLE products_fts USING fts5(
    name_norm, sku, content='products', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts(rowid, name_norm, sku) VALUES (new.rowid, new.name_norm, new.sku);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE ON products BEGIN
    INSERT INTO products_fts(products_fts, rowid, name_norm, sku)
        VALUES ('delete', old.rowid, old.name_norm, old.sku);
    INSERT INTO products_fts(rowid, name_norm, sku) VALUES (new.rowid, new.name_norm, new.sku);
END;

CREATE TABLE promotions (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    product_id  TEXT REFERENCES products(id),
    category_id TEXT REFERENCES categories(id),
    params      TEXT NOT NULL DEFAULT '{}',
    starts_ms   INTEGER,
    ends_ms     INTEGER,
    active      INTEGER NOT NULL DEFAULT 1
);

-- Stock is a ledger: the last balance the server told us plus our own movements.
CREATE TABLE stock_balances (
    product_id     TEXT PRIMARY KEY NOT NULL REFERENCES products(id),
    server_milli   INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
);
CREATE TABLE stock_movements (
    id              TEXT PRIMARY KEY NOT NULL,
    product_id      TEXT NOT NULL REFERENCES products(id),
    delta_milli     INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    ref_id          TEXT,
    -- set once the server's balance includes this movement
    in_server       INTEGER NOT NULL DEFAULT 0,
    created_at_ms   INTEGER NOT NULL
);
CREATE INDEX stock_movements_product ON stock_movements(product_id, in_server);

CREATE TABLE customers (
    id                 TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    phone              TEXT,
    email              TEXT,
    credit_limit_minor INTEGER NOT NULL DEFAULT 0,
    active             INTEGER NOT NULL DEFAULT 1,
    created_at_ms      INTEGER NOT NULL
);

-- Positive amounts raise what the customer owes, negative ones (payments) lower it.
CREATE TABLE debt_entries (
    id            TEXT PRIMARY KEY NOT NULL,
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    amount_minor  INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    ref_id        TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX debt_entries_customer ON debt_entries(customer_id);

CREATE TABLE staff (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    pin_hash        TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at_ms   INTEGER NOT NULL
);

CREATE TABLE shifts (
    id                  TEXT PRIMARY KEY NOT NULL,
    opened_by           TEXT NOT NULL REFERENCES staff(id),
    opened_at_ms        INTEGER NOT NULL,
    opening_float_minor INTEGER NOT NULL,
    status              TEXT NOT NULL DEFAULT 'open',
    z_number            INTEGER UNIQUE,
    closed_by           TEXT REFERENCES staff(id),
    approved_by         TEXT REFERENCES staff(id),
    closed_at_ms        INTEGER,
    -- the Z report document, frozen at close
    z_report            TEXT
);
-- at most one open shift per terminal
CREATE UNIQUE INDEX shifts_one_open ON shifts(status) WHERE status = 'open';

CREATE TABLE cash_movements (
    id            TEXT PRIMARY KEY NOT NULL,
    shift_id      TEXT NOT NULL REFERENCES shifts(id),
    kind          TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX cash_movements_shift ON cash_movements(shift_id);

CREATE TABLE sales (
    id             TEXT PRIMARY KEY NOT NULL,
    receipt_no     INTEGER NOT NULL UNIQUE,
    shift_id       TEXT NOT NULL REFERENCES shifts(id),
    staff_id       TEXT NOT NULL REFERENCES staff(id),
    customer_id    TEXT REFERENCES customers(id),
    currency       TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    discount_minor INTEGER NOT NULL,
    tax_minor      INTEGER NOT NULL,
    total_minor    INTEGER NOT NULL,
    paid_minor     INTEGER NOT NULL,
    change_minor   INTEGER NOT NULL,
    approved_by    TEXT REFERENCES staff(id),
    journal_seq    INTEGER NOT NULL,
    created_at_ms  INTEGER NOT NULL
);
CREATE INDEX sales_shift ON sales(shift_id);

CREATE TABLE sale_lines (
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
);

CREATE TABLE tenders (
    id           TEXT PRIMARY KEY NOT NULL,
    sale_id      TEXT NOT NULL REFERENCES sales(id),
    kind         TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    reference    TEXT,
    customer_id  TEXT REFERENCES customers(id)
);
CREATE INDEX tenders_sale ON tenders(sale_id);

CREATE TABLE refunds (
    id            TEXT PRIMARY KEY NOT NULL,
    sale_id       TEXT REFERENCES sales(id),
    shift_id      TEXT NOT NULL REFERENCES shifts(id),
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    approved_by   TEXT REFERENCES staff(id),
    reason        TEXT NOT NULL,
    tender_kind   TEXT NOT NULL,
    total_minor   INTEGER NOT NULL,
    tax_minor     INTEGER NOT NULL,
    journal_seq   INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX refunds_sale ON refunds(sale_id);
CREATE INDEX refunds_shift ON refunds(shift_id);

CREATE TABLE refund_lines (
    id           TEXT PRIMARY KEY NOT NULL,
    refund_id    TEXT NOT NULL REFERENCES refunds(id),
    sale_line_id TEXT REFERENCES sale_lines(id),
    product_id   TEXT NOT NULL REFERENCES products(id),
    qty_milli    INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    tax_minor    INTEGER NOT NULL,
    restock      INTEGER NOT NULL
);
CREATE INDEX refund_lines_sale_line ON refund_lines(sale_line_id);

CREATE TABLE parked_sales (
    id            TEXT PRIMARY KEY NOT NULL,
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    cart          TEXT NOT NULL,
    note          TEXT,
    status        TEXT NOT NULL DEFAULT 'parked',
    parked_at_ms  INTEGER NOT NULL,
    resumed_at_ms INTEGER
);

-- Voided lines and unpaid carts: kept for loss-prevention reports.
CREATE TABLE voids (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL,
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    cart          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE print_jobs (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL,
    ref_id        TEXT NOT NULL,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queued',
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL,
    printed_at_ms INTEGER
);

-- The tamper-evident log of facts; see `journal.rs` for the hash definition.
CREATE TABLE journal (
    seq            INTEGER PRIMARY KEY NOT NULL,
    id             TEXT NOT NULL UNIQUE,
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

CREATE TRIGGER journal_no_update BEFORE UPDATE OF seq, id, terminal_id, epoch, hlc_ms,
    catalog_cursor, kind, payload, prev_hash, hash ON journal
BEGIN SELECT RAISE(ABORT, 'journal records are immutable'); END;

CREATE TRIGGER shifts_closed_immutable BEFORE UPDATE ON shifts WHEN old.status = 'closed'
BEGIN SELECT RAISE(ABORT, 'a closed shift (Z report) is immutable'); END;

CREATE TRIGGER no_delete_journal BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_sales BEFORE DELETE ON sales
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_sale_lines BEFORE DELETE ON sale_lines
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_tenders BEFORE DELETE ON tenders
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_refunds BEFORE DELETE ON refunds
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_refund_lines BEFORE DELETE ON refund_lines
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_shifts BEFORE DELETE ON shifts
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_cash_movements BEFORE DELETE ON cash_movements
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_stock_movements BEFORE DELETE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_products BEFORE DELETE ON products
BEGIN SELECT RAISE(ABORT, 'rows are never deleted; set active = 0'); END;
CREATE TRIGGER no_delete_customers BEFORE DELETE ON customers
BEGIN SELECT RAISE(ABORT, 'rows are never deleted; set active = 0'); END;
CREATE TRIGGER no_delete_debt_entries BEFORE DELETE ON debt_entries
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_staff BEFORE DELETE ON staff
BEGIN SELECT RAISE(ABORT, 'rows are never deleted; set active = 0'); END;
CREATE TRIGGER no_delete_parked BEFORE DELETE ON parked_sales
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
CREATE TRIGGER no_delete_voids BEFORE DELETE ON voids
BEGIN SELECT RAISE(ABORT, 'rows are never deleted'); END;
