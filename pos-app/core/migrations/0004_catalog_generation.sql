-- A counter every change to what a barcode lookup returns bumps, in the writer's own
-- transaction. Processes that cache lookups (the till app, the sync daemon) compare it
-- instead of trusting their cache blindly; triggers mean no write path can forget.
CREATE TABLE catalog_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO catalog_generation (id, n) VALUES (1, 0);

CREATE TRIGGER catgen_products_i AFTER INSERT ON products BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catgen_products_u AFTER UPDATE ON products BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catgen_products_d AFTER DELETE ON products BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catgen_barcodes_i AFTER INSERT ON barcodes BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catgen_barcodes_u AFTER UPDATE ON barcodes BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catgen_barcodes_d AFTER DELETE ON barcodes BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catgen_tax_rates_u AFTER UPDATE ON tax_rates BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catgen_categories_u AFTER UPDATE ON categories BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
