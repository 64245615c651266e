-- Product variants (a size, a colour) from the server's catalog. A variant is a product
-- row of its own (own SKU, barcodes, price and stock, sold like any product); these
-- columns say which product it belongs to, so screens can offer "which size?".
ALTER TABLE products ADD COLUMN variant_of TEXT;
ALTER TABLE products ADD COLUMN variant_name TEXT;
CREATE INDEX products_variant_of ON products (variant_of) WHERE variant_of IS NOT NULL;
