-- Shift reports subtract refunds from the tax table, so a refund line keeps the tax rate
-- it was priced at: the sold line's rate, or for refunds without a sale line the
-- product's rate at the time of the refund.
ALTER TABLE refund_lines ADD COLUMN tax_rate_bp INTEGER;
ALTER TABLE refund_lines ADD COLUMN tax_inclusive INTEGER;
UPDATE refund_lines SET
    tax_rate_bp = coalesce(
        (SELECT l.tax_rate_bp FROM sale_lines l WHERE l.id = refund_lines.sale_line_id),
        (SELECT r.rate_bp FROM products p JOIN tax_rates r ON r.id = p.tax_rate_id
         WHERE p.id = refund_lines.product_id)),
    tax_inclusive = coalesce(
        (SELECT l.tax_inclusive FROM sale_lines l WHERE l.id = refund_lines.sale_line_id),
        (SELECT r.inclusive FROM products p JOIN tax_rates r ON r.id = p.tax_rate_id
         WHERE p.id = refund_lines.product_id));

-- A paid-out larger than the cash the drawer should hold needs a manager; who approved it.
ALTER TABLE cash_movements ADD COLUMN approved_by TEXT REFERENCES staff(id);
