//! Downstream: pulls each stream page by page after the stored cursor until the cursor
//! reaches the stream head. A page's rows and the new cursor are written in ONE SQLite
//! transaction, so a crash or a dropped connection never leaves rows applied under an old
//! cursor (or the reverse); re-reading a page is harmless because every change carries
//! the full new state.

use pos_shared::sync::{Change, ChangeOp, ChangesPage, Stream};
use serde::Serialize;

use super::remote::Remote;
use super::settings::cursor_key;
use super::{
    apply_catalog, apply_config, apply_customers, apply_prices, apply_promotions, apply_staff,
    apply_stock,
};
use crate::error::{CoreError, CoreResult};
use crate::store::{LocalDb, PageCommitted, get_i64_setting, get_setting, set_setting};

/// Changes asked for per page: each page is one write transaction, and sales wait for it,
/// so pages stay small enough to commit in well under a second.
pub const PAGE_LIMIT: u32 = 1000;

/// What happened to one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// Not applied (unknown entity, unreadable data); logged and passed over so one bad
    /// row never blocks the stream.
    Skipped(String),
}

/// The state an upsert of `entity` carries, for streams whose rows are only ever upserted
/// (terminals are revoked and staff removed, never deleted). Anything else is passed over.
pub(super) fn upserted<T: serde::de::DeserializeOwned>(
    change: &Change,
    entity: &str,
) -> Result<T, String> {
    if change.entity != entity {
        return Err(format!("unknown entity `{}`", change.entity));
    }
    if change.op != ChangeOp::Upsert {
        return Err(format!("a {entity} is never deleted, only marked inactive"));
    }
    let data = change.data.clone().ok_or("an upsert without data")?;
    serde_json::from_value(data).map_err(|e| format!("unreadable {entity}: {e}"))
}

/// What pulling one stream did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamPull {
    pub stream: Stream,
    /// Pages applied.
    pub pages: u32,
    /// Changes applied.
    pub rows: u64,
    /// Changes passed over (see the log for why).
    pub skipped: u64,
    /// The stored cursor afterwards.
    pub cursor: i64,
    /// The stream head as last seen; equal to `cursor` when up to date.
    pub head: i64,
}

/// What a pull of every stream did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullReport {
    pub catalog: StreamPull,
    pub prices: StreamPull,
    pub stock: StreamPull,
    pub config: StreamPull,
    pub staff: StreamPull,
    pub customers: StreamPull,
    pub promotions: StreamPull,
}

/// Pulls every stream with this terminal's stored credential.
pub async fn pull(db: &LocalDb) -> CoreResult<PullReport> {
    let mut remote = Remote::for_terminal(db).await?;
    pull_with(db, &mut remote).await
}

/// Pulls every stream over `remote`: catalog first, so stock balances find their products.
/// A failed stream stops the pull: the next one resumes each stream from its own cursor.
pub async fn pull_with(db: &LocalDb, remote: &mut Remote) -> CoreResult<PullReport> {
    Ok(PullReport {
        catalog: pull_stream(db, remote, Stream::Catalog).await?,
        prices: pull_stream(db, remote, Stream::Prices).await?,
        stock: pull_stream(db, remote, Stream::Stock).await?,
        config: pull_stream(db, remote, Stream::Config).await?,
        staff: pull_stream(db, remote, Stream::Staff).await?,
        customers: pull_stream(db, remote, Stream::Customers).await?,
        promotions: pull_stream(db, remote, Stream::Promotions).await?,
    })
}

/// The stored cursor of `stream` (0 before its first page).
pub async fn cursor(db: &LocalDb, stream: Stream) -> CoreResult<i64> {
    get_i64_setting(db.pool(), cursor_key(stream), 0).await
}

/// Pulls one stream until its cursor reaches the head.
pub async fn pull_stream(
    db: &LocalDb,
    remote: &mut Remote,
    stream: Stream,
) -> CoreResult<StreamPull> {
    let epoch = get_i64_setting(db.pool(), "epoch", 1).await?;
    let mut report = StreamPull {
        stream,
        pages: 0,
        rows: 0,
        skipped: 0,
        cursor: cursor(db, stream).await?,
        head: 0,
    };
    let mut prefetched: Option<ChangesPage> = None;
    loop {
        let page = match prefetched.take() {
            Some(page) => page,
            None => {
                remote
                    .page(stream, report.cursor, PAGE_LIMIT, epoch)
                    .await?
            }
        };
        check_page(&page, stream, report.cursor)?;
        report.head = page.head;
        if page.head < page.after {
            // The server's stream is behind this terminal (restored from a backup): read it
            // again from the start; every change carries full state, so that is safe.
            tracing::warn!(
                stream = stream.as_str(),
                cursor = page.after,
                head = page.head,
                "server stream is behind the local cursor; pulling it again from the start"
            );
            store_cursor(db, stream, page.after, 0).await?;
            report.cursor = 0;
            continue;
        }
        let done = page.next_after >= page.head;
        // The server built this terminal's movements through `included_through` into the
        // balances up to the head; once the head is applied they stop counting as pending.
        let include = if done { page.included_through } else { None };
        let (outcome, next) = if done {
            (apply_page(db, &page, include).await?, None)
        } else {
            // The next page travels while this one commits: a large first sync is bound
            // by whichever is slower, the network or SQLite, not by their sum.
            let (outcome, next) = tokio::join!(
                apply_page(db, &page, include),
                remote.page(stream, page.next_after, PAGE_LIMIT, epoch)
            );
            (outcome?, Some(next))
        };
        match outcome {
            PageOutcome::Applied { rows, skipped } => {
                report.pages += 1;
                report.rows += rows;
                report.skipped += skipped;
                report.cursor = page.next_after;
                super::progress::note(stream, report.pages, report.cursor, page.head, PAGE_LIMIT);
                prefetched = next.transpose()?;
            }
            PageOutcome::Moved(stored) => {
                // Another sync (the daemon and a manual `pos sync`) got there first.
                report.cursor = stored;
                continue;
            }
        }
        if done {
            return Ok(report);
        }
    }
}

/// Counts this terminal's stock movements (after a stock pull) or customer account entries
/// (after a customers pull) stated by journal records up to `through` as included in the
/// server balances just brought to the head; other streams have no balances.
async fn mark_included(tx: &mut crate::store::Tx, stream: Stream, through: i64) -> CoreResult<()> {
    let sql = match stream {
        Stream::Stock => {
            "UPDATE stock_movements SET in_server = 1
             WHERE in_server = 0 AND journal_seq IS NOT NULL AND journal_seq <= ?"
        }
        Stream::Customers => {
            "UPDATE debt_entries SET in_server = 1
             WHERE in_server = 0 AND journal_seq IS NOT NULL AND journal_seq <= ?"
        }
        Stream::Catalog | Stream::Config | Stream::Staff | Stream::Prices | Stream::Promotions => {
            return Ok(());
        }
    };
    sqlx::query(sql).bind(through).execute(&mut **tx).await?;
    Ok(())
}

/// Refuses a page that would make the cursor go wrong or loop forever.
pub(crate) fn check_page(page: &ChangesPage, stream: Stream, after: i64) -> CoreResult<()> {
    let bad = |why: String| {
        Err(CoreError::Protocol(format!(
            "{} stream page after {after}: {why}",
            stream.as_str()
        )))
    };
    if page.stream != stream || page.after != after {
        return bad(format!(
            "it is the {} page after {}",
            page.stream.as_str(),
            page.after
        ));
    }
    let mut prev = after;
    for c in &page.changes {
        if c.cursor <= prev {
            return bad(format!("change cursor {} is not after {prev}", c.cursor));
        }
        prev = c.cursor;
    }
    if page.next_after < prev {
        return bad(format!(
            "next_after {} is before its last change {prev}",
            page.next_after
        ));
    }
    if page.next_after == after && page.head > after {
        return bad(format!("no changes, yet the head is {}", page.head));
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PageOutcome {
    Applied {
        rows: u64,
        skipped: u64,
    },
    /// The stored cursor is no longer the page's `after`; nothing was written.
    Moved(i64),
}

/// Applies `page` and stores its `next_after`, in one transaction. `include_through`:
/// count stock movements or account entries of records up to there as included in the
/// balances (the last page of a stock or customers pull, from the server's
/// `included_through`).
pub(crate) async fn apply_page(
    db: &LocalDb,
    page: &ChangesPage,
    include_through: Option<i64>,
) -> CoreResult<PageOutcome> {
    let key = cursor_key(page.stream);
    let now = db.now_ms();
    let mut tx = db.begin().await?;
    let stored = get_i64_setting(&mut *tx, key, 0).await?;
    if stored != page.after {
        tx.rollback().await?;
        return Ok(PageOutcome::Moved(stored));
    }
    let currency = get_setting(&mut *tx, "currency").await?.unwrap_or_default();
    let tally = match page.stream {
        Stream::Catalog => {
            apply_catalog::apply_page(&mut tx, now, &currency, &page.changes).await?
        }
        Stream::Stock => apply_stock::apply_page(&mut tx, now, &page.changes).await?,
        Stream::Config => apply_config::apply_page(&mut tx, now, &page.changes).await?,
        Stream::Staff => apply_staff::apply_page(&mut tx, now, &page.changes).await?,
        Stream::Customers => apply_customers::apply_page(&mut tx, now, &page.changes).await?,
        Stream::Prices => apply_prices::apply_page(&mut tx, now, &page.changes).await?,
        Stream::Promotions => {
            apply_promotions::apply_page(&mut tx, &currency, &page.changes).await?
        }
    };
    set_setting(&mut *tx, key, &page.next_after.to_string()).await?;
    if let Some(through) = include_through {
        mark_included(&mut tx, page.stream, through).await?;
    }
    tx.commit().await?;
    db.wrote();
    db.page_committed(PageCommitted {
        stream: page.stream,
        cursor: page.next_after,
    });
    Ok(PageOutcome::Applied {
        rows: tally.rows,
        skipped: tally.skipped,
    })
}

/// Sets a cursor, if it still holds `expected`.
async fn store_cursor(db: &LocalDb, stream: Stream, expected: i64, value: i64) -> CoreResult<()> {
    let key = cursor_key(stream);
    let mut tx = db.begin().await?;
    if get_i64_setting(&mut *tx, key, 0).await? == expected {
        set_setting(&mut *tx, key, &value.to_string()).await?;
    }
    tx.commit().await?;
    Ok(())
}
