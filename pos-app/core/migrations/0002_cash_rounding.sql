-- Cash rounding where small coins are gone (CHF 5 centimes, SEK whole kronor):
-- paid - change == total + cash_rounding_minor.
ALTER TABLE sales ADD COLUMN cash_rounding_minor INTEGER NOT NULL DEFAULT 0;
INSERT INTO settings (key, value) SELECT 'cash_rounding_step', '0'
    WHERE NOT EXISTS (SELECT 1 FROM settings WHERE key = 'cash_rounding_step');
