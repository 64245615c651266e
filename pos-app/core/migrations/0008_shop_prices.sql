-- The shop's own prices (protocol v4, prices stream): where a row exists it replaces the
-- catalog price at this till. No foreign key: a price may arrive before its product's
-- catalog change, and then waits here until the product does.
CREATE TABLE shop_prices (
    product_id    TEXT PRIMARY KEY NOT NULL,
    price_minor   INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);

-- What a barcode lookup returns changes with it, so cached lookups must notice.
CREATE TRIGGER catgen_shop_prices_i AFTER INSERT ON shop_prices BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catgen_shop_prices_u AFTER UPDATE ON shop_prices BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER catgen_shop_prices_d AFTER DELETE ON shop_prices BEGIN
    UPDATE catalog_generation SET n = n + 1 WHERE id = 1; END;
