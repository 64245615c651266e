//! What a sale reads before it writes: the open shift, the next receipt number, the
//! journal head and the running promotions. Kept between sales so that the next one can
//! commit in a single round trip to SQLite; the database re-checks the copy inside that
//! round trip (`till_generation`, the journal's primary key, the receipt number's unique
//! index), so a stale copy costs a retry, never a wrong sale.

use std::sync::Mutex;

use pos_shared::catalog::Promotion;
use serde::Deserialize;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::error::{CoreError, CoreResult};
use crate::journal::{self, Head};

/// Columns of the context read, in order, followed by [`journal::HEAD_COLUMNS`]. Binds:
/// the first line id of the cart (the retry check).
pub(crate) fn select_sql() -> String {
    format!(
        "SELECT (SELECT sale_id FROM sale_lines WHERE id = ?),
                (SELECT id FROM shifts WHERE status = 'open'),
                (SELECT coalesce(max(receipt_no), 0) + 1 FROM sales),
                (SELECT json_group_array(json_object('starts', starts_ms, 'ends', ends_ms,
                        'params', json(params)))
                   FROM (SELECT starts_ms, ends_ms, params FROM promotions
                         WHERE active = 1 ORDER BY id)),
                (SELECT n FROM till_generation WHERE id = 1),
                {}",
        journal::HEAD_COLUMNS
    )
}

/// A promotion with the window it runs in.
#[derive(Debug, Clone, Deserialize)]
struct Scheduled {
    starts: Option<i64>,
    ends: Option<i64>,
    params: Promotion,
}

/// The inputs of the next sale, as of `generation`.
#[derive(Debug, Clone)]
pub(crate) struct SaleContext {
    pub generation: i64,
    pub shift_id: Option<String>,
    pub receipt_no: i64,
    pub head: Head,
    promotions: Vec<Scheduled>,
}

impl SaleContext {
    /// Reads the row of [`select_sql`]; returns the id of the sale that already holds the
    /// cart's first line, if any, beside the context.
    pub(crate) fn from_row(row: &SqliteRow) -> CoreResult<(Option<String>, Self)> {
        let promotions: Vec<Scheduled> = serde_json::from_str(&row.get::<String, _>(3))
            .map_err(|e| CoreError::invalid(format!("stored promotion is unreadable: {e}")))?;
        Ok((
            row.get(0),
            Self {
                shift_id: row.get(1),
                receipt_no: row.get(2),
                promotions,
                generation: row.get(4),
                head: Head::from_row(row, 5)?,
            },
        ))
    }

    /// The promotions running at `now_ms`.
    pub(crate) fn promotions_at(&self, now_ms: i64) -> Vec<Promotion> {
        self.promotions
            .iter()
            .filter(|p| p.starts.is_none_or(|s| s <= now_ms) && p.ends.is_none_or(|e| e > now_ms))
            .map(|p| p.params.clone())
            .collect()
    }

    /// The context after the sale it numbered appended `record`.
    pub(crate) fn after(mut self, record: &pos_shared::journal::JournalRecord) -> Self {
        self.receipt_no += 1;
        self.head = self.head.after(record);
        self
    }
}

/// The context kept between sales, with the count of this process's commits when it was
/// stored: any other write here since (a refund, a stock count) moved the journal, so the
/// copy is not even tried.
#[derive(Debug, Default)]
pub(crate) struct Kept(Mutex<Option<(u64, SaleContext)>>);

impl Kept {
    /// The kept context if nothing else was committed here since `commits`.
    pub(crate) fn take_if(&self, commits: u64) -> Option<SaleContext> {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match kept.take() {
            Some((at, ctx)) if at == commits => Some(ctx),
            _ => None,
        }
    }

    pub(crate) fn keep(&self, commits: u64, ctx: SaleContext) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((commits, ctx));
    }
}

#[cfg(test)]
#[path = "sale_context_tests.rs"]
mod tests;
