//! The audit of the tables reports are built from (sales with their lines and tenders,
//! refunds with their lines, drawer movements) against the journal facts that state them.
//! The hash chain proves the journal; this proves the rows still say what it says, so an
//! edit made to `sales` behind the journal's back shows in `pos journal verify`.

use crate::error::{CoreError, CoreResult};
use crate::store::LocalDb;

/// One check: a query returning the first disagreeing row as text ("sale ID, journal
/// seq N"), or no row; `what` says how it disagrees.
struct Check {
    what: &'static str,
    sql: &'static str,
}

/// Stored rows vs their facts. `IS NOT` compares NULLs as values. The line and tender
/// lists are compared as one ordered text each side.
const CHECKS: [Check; 9] = [
    Check {
        what: "its row differs from the sale the journal records",
        sql: "SELECT 'sale ' || (j.payload ->> 'id') || ', journal seq ' || j.seq FROM journal j
              LEFT JOIN sales s ON s.id = json_extract(j.payload, '$.id')
              WHERE j.kind = 'sale_completed' AND (s.id IS NULL
                 OR s.journal_seq IS NOT j.seq
                 OR s.receipt_no IS NOT json_extract(j.payload, '$.receipt_no')
                 OR s.shift_id IS NOT json_extract(j.payload, '$.shift_id')
                 OR s.staff_id IS NOT json_extract(j.payload, '$.staff_id')
                 OR s.customer_id IS NOT json_extract(j.payload, '$.customer_id')
                 OR s.currency IS NOT json_extract(j.payload, '$.currency')
                 OR s.created_at_ms IS NOT json_extract(j.payload, '$.created_at_ms')
                 OR s.subtotal_minor IS NOT json_extract(j.payload, '$.subtotal_minor')
                 OR s.discount_minor IS NOT json_extract(j.payload, '$.discount_minor')
                 OR s.tax_minor IS NOT json_extract(j.payload, '$.tax_minor')
                 OR s.total_minor IS NOT json_extract(j.payload, '$.total_minor')
                 OR s.paid_minor IS NOT json_extract(j.payload, '$.paid_minor')
                 OR s.change_minor IS NOT json_extract(j.payload, '$.change_minor')
                 OR s.cash_rounding_minor
                    IS NOT coalesce(json_extract(j.payload, '$.cash_rounding_minor'), 0))
              ORDER BY j.seq LIMIT 1",
    },
    Check {
        what: "its lines differ from the lines the journal records",
        sql: "SELECT 'sale ' || (j.payload ->> 'id') || ', journal seq ' || j.seq FROM journal j
              WHERE j.kind = 'sale_completed'
                AND (SELECT group_concat(concat_ws(':', id, line_no, product_id, qty_milli,
                            unit_price_minor, discount_minor, tax_rate_bp, net_minor,
                            tax_minor, gross_minor), ',' ORDER BY line_no)
                     FROM sale_lines WHERE sale_id = json_extract(j.payload, '$.id'))
                 IS NOT
                    (SELECT group_concat(concat_ws(':', value ->> 'id', value ->> 'line_no',
                            value ->> 'product_id', value ->> 'qty_milli',
                            value ->> 'unit_price_minor', value ->> 'discount_minor',
                            value ->> 'tax_rate_bp', value ->> 'net_minor',
                            value ->> 'tax_minor', value ->> 'gross_minor'),
                            ',' ORDER BY value ->> 'line_no')
                     FROM json_each(j.payload, '$.lines'))
              ORDER BY j.seq LIMIT 1",
    },
    Check {
        what: "its tenders differ from the tenders the journal records",
        sql: "SELECT 'sale ' || (j.payload ->> 'id') || ', journal seq ' || j.seq FROM journal j
              WHERE j.kind = 'sale_completed'
                AND (SELECT group_concat(concat_ws(':', kind, amount_minor, reference), ','
                            ORDER BY n)
                     FROM tenders WHERE sale_id = json_extract(j.payload, '$.id'))
                 IS NOT
                    (SELECT group_concat(concat_ws(':', value ->> 'kind',
                            value ->> 'amount_minor', value ->> 'reference'), ',' ORDER BY key)
                     FROM json_each(j.payload, '$.tenders'))
              ORDER BY j.seq LIMIT 1",
    },
    Check {
        what: "its row differs from the refund the journal records",
        sql: "SELECT 'refund ' || (j.payload ->> 'id') || ', journal seq ' || j.seq FROM journal j
              LEFT JOIN refunds r ON r.id = json_extract(j.payload, '$.id')
              WHERE j.kind = 'refund_issued' AND (r.id IS NULL
                 OR r.journal_seq IS NOT j.seq
                 OR r.receipt_sale_id IS NOT json_extract(j.payload, '$.sale_id')
                 OR r.shift_id IS NOT json_extract(j.payload, '$.shift_id')
                 OR r.staff_id IS NOT json_extract(j.payload, '$.staff_id')
                 OR r.approved_by IS NOT json_extract(j.payload, '$.approved_by')
                 OR r.tender_kind IS NOT json_extract(j.payload, '$.tender_kind')
                 OR r.total_minor IS NOT json_extract(j.payload, '$.total_minor')
                 OR r.tax_minor IS NOT json_extract(j.payload, '$.tax_minor')
                 OR r.created_at_ms IS NOT json_extract(j.payload, '$.created_at_ms'))
              ORDER BY j.seq LIMIT 1",
    },
    Check {
        what: "its lines differ from the lines the journal records",
        sql: "SELECT 'refund ' || (j.payload ->> 'id') || ', journal seq ' || j.seq FROM journal j
              WHERE j.kind = 'refund_issued'
                AND (SELECT group_concat(concat_ws(':', sale_line_id, product_id, qty_milli,
                            amount_minor, tax_minor, restock), ',' ORDER BY rowid)
                     FROM refund_lines WHERE refund_id = json_extract(j.payload, '$.id'))
                 IS NOT
                    (SELECT group_concat(concat_ws(':', value ->> 'sale_line_id',
                            value ->> 'product_id', value ->> 'qty_milli',
                            value ->> 'amount_minor', value ->> 'tax_minor',
                            value ->> 'restock'), ',' ORDER BY key)
                     FROM json_each(j.payload, '$.lines'))
              ORDER BY j.seq LIMIT 1",
    },
    Check {
        what: "its row differs from the drawer movement the journal records",
        sql:
            "SELECT 'drawer movement ' || (j.payload ->> 'movement_id') || ', journal seq ' || j.seq
              FROM journal j
              LEFT JOIN cash_movements m ON m.id = json_extract(j.payload, '$.movement_id')
              WHERE j.kind = 'cash_movement' AND (m.id IS NULL
                 OR m.shift_id IS NOT json_extract(j.payload, '$.shift_id')
                 OR m.kind IS NOT json_extract(j.payload, '$.kind')
                 OR m.amount_minor IS NOT json_extract(j.payload, '$.amount_minor')
                 OR m.staff_id IS NOT json_extract(j.payload, '$.staff_id')
                 OR m.approved_by IS NOT json_extract(j.payload, '$.approved_by'))
              ORDER BY j.seq LIMIT 1",
    },
    Check {
        what: "no journal record states it",
        sql: "SELECT 'sale ' || s.id FROM sales s WHERE NOT EXISTS
                (SELECT 1 FROM journal j WHERE j.seq = s.journal_seq
                   AND j.kind = 'sale_completed' AND j.payload ->> 'id' = s.id)
              ORDER BY s.rowid LIMIT 1",
    },
    Check {
        what: "no journal record states it",
        sql: "SELECT 'refund ' || r.id FROM refunds r WHERE NOT EXISTS
                (SELECT 1 FROM journal j WHERE j.seq = r.journal_seq
                   AND j.kind = 'refund_issued' AND j.payload ->> 'id' = r.id)
              ORDER BY r.rowid LIMIT 1",
    },
    Check {
        what: "no journal record states it",
        sql: "SELECT 'drawer movement ' || m.id FROM cash_movements m WHERE NOT EXISTS
                (SELECT 1 FROM journal j WHERE j.kind = 'cash_movement'
                   AND j.payload ->> 'movement_id' = m.id)
              ORDER BY m.rowid LIMIT 1",
    },
];

/// Fails naming the first stored row that disagrees with the journal, or that no journal
/// record states.
pub async fn check_rows(db: &LocalDb) -> CoreResult<()> {
    for check in &CHECKS {
        let bad: Option<String> = sqlx::query_scalar(check.sql)
            .fetch_optional(db.pool())
            .await?;
        if let Some(row) = bad {
            return Err(CoreError::RowsAltered(format!("{row}: {}", check.what)));
        }
    }
    Ok(())
}
