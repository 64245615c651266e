//! How far a running catalog download is, for the first-run screen's progress bar: pages
//! applied so far and the pages the whole download takes (estimated from the stream's head
//! and the page size, exact when the stream's cursors have no gaps).

use std::sync::Mutex;

use pos_shared::sync::Stream;

/// (pages applied, pages in all) of the catalog pull running now, if one is.
static CATALOG: Mutex<Option<(i64, i64)>> = Mutex::new(None);

/// Notes a page of `stream` applied: `pages` so far, the cursor now, the stream's head.
pub(crate) fn note(stream: Stream, pages: u32, cursor: i64, head: i64, page_limit: u32) {
    let pages = i64::from(pages);
    if stream != Stream::Catalog {
        return;
    }
    let left = (head - cursor).max(0);
    let total = pages + (left + i64::from(page_limit) - 1) / i64::from(page_limit);
    if let Ok(mut p) = CATALOG.lock() {
        *p = Some((pages, total.max(pages).max(1)));
    }
}

/// The catalog download's progress: pages applied and pages in all.
pub fn catalog() -> Option<(i64, i64)> {
    CATALOG.lock().ok().and_then(|p| *p)
}

/// Forgets a finished (or abandoned) download.
pub fn reset() {
    if let Ok(mut p) = CATALOG.lock() {
        *p = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_done_and_pages_in_all_follow_the_cursor() {
        reset();
        note(Stream::Stock, 1, 10, 100, 10);
        assert_eq!(catalog(), None, "only the catalog's download is shown");
        note(Stream::Catalog, 1, 1000, 3500, 1000);
        assert_eq!(
            catalog(),
            Some((1, 4)),
            "2500 changes left: three more pages"
        );
        note(Stream::Catalog, 4, 3500, 3500, 1000);
        assert_eq!(catalog(), Some((4, 4)));
        reset();
        assert_eq!(catalog(), None);
    }
}
