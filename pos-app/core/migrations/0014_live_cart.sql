-- The sale being rung up, written after every change to it, so a crash or a power cut
-- mid-sale gives the cashier the same cart back on restart. One row: a till rings up one
-- sale at a time (parked carts live in parked_sales).
CREATE TABLE live_cart (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    cart          TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
