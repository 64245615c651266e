//! The receipt screen's picture of a receipt or refund slip: the very ESC/POS job the
//! drainer sends to this till's printer, decoded and drawn as a PNG, so the cashier sees
//! what the paper shows (logo, code page, QR, COPY) and never a second rendering of it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Till;
use crate::devices::config::{self, Connection, PrinterConfig};
use crate::devices::layout::Document;
use crate::devices::{raster, render};
use crate::error::{CoreError, CoreResult};
use crate::{LocalDb, receipt, refund_slip, refunds, sales, seal};

/// The roll a till without a printer is previewed on: the common 80 mm.
pub const DEFAULT_PAPER_MM: u16 = 80;

/// A receipt or slip drawn as its printer would print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceiptPreview {
    /// The PNG as a `data:image/png;base64,...` URL, one pixel per printer dot.
    pub png_data_url: String,
    /// The roll it is drawn on: 58 or 80.
    pub paper_mm: u16,
    /// The PNG's width in dots: 384 on 58 mm paper, 576 on 80 mm.
    pub width_px: u32,
    /// Drawn as a reprint (marked COPY).
    pub copy: bool,
}

impl Till {
    /// A sale's receipt (by id or receipt number) as this till's printer prints it.
    pub async fn receipt_preview(&self, sale: &str, copy: bool) -> CoreResult<ReceiptPreview> {
        let t = self.terminal().await?;
        let id = sales::find_id(&self.db, sale).await?;
        let sale = sales::load(&self.db, &id).await?;
        let key = seal::signing_key(&self.db).await?;
        let doc = Document::Receipt(receipt::build(&sale, &t, &key));
        preview(&self.db, doc, copy).await
    }

    /// A refund's slip as this till's printer prints it.
    pub async fn refund_slip_preview(
        &self,
        refund_id: &str,
        copy: bool,
    ) -> CoreResult<ReceiptPreview> {
        let t = self.terminal().await?;
        let stored = refunds::load(&self.db, refund_id).await?;
        let doc = Document::RefundSlip(refund_slip::build(&stored, &t));
        preview(&self.db, doc, copy).await
    }
}

/// The configured printer, or for a till without one a plain 80 mm printer, so a shop
/// that never prints still sees its receipts as they would print.
async fn printer_or_default(db: &LocalDb) -> CoreResult<PrinterConfig> {
    match config::load(db).await?.printer {
        Some(p) => Ok(p),
        // Never connected to: only the paper and layout settings are read.
        None => Ok(PrinterConfig::new(
            Connection::File {
                path: String::new(),
            },
            DEFAULT_PAPER_MM,
        )?),
    }
}

async fn preview(db: &LocalDb, doc: Document, copy: bool) -> CoreResult<ReceiptPreview> {
    let printer = printer_or_default(db).await?;
    let paper_mm = printer.paper_mm;
    // Reading the logo file and drawing the paper are blocking work: off the runtime.
    let png = tokio::task::spawn_blocking(move || render::document_png(&doc, &printer, copy))
        .await
        .map_err(|e| {
            CoreError::invalid(format!("the receipt preview could not be drawn: {e}"))
        })??;
    Ok(ReceiptPreview {
        png_data_url: format!("data:image/png;base64,{}", STANDARD.encode(png)),
        paper_mm,
        width_px: raster::paper_dots(paper_mm),
        copy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::tests::till;
    use crate::app::views::RefundItem;
    use crate::devices::config::DeviceConfig;
    use crate::devices::{decode, drain};

    fn png_bytes(p: &ReceiptPreview) -> Vec<u8> {
        let b64 = p
            .png_data_url
            .strip_prefix("data:image/png;base64,")
            .expect("an <img> takes the preview as a PNG data URL");
        STANDARD.decode(b64).unwrap()
    }

    /// Width and height from the PNG's IHDR chunk (right after the 8-byte signature).
    fn png_size(png: &[u8]) -> (u32, u32) {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
        assert_eq!(&png[12..16], b"IHDR");
        let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
        (be(16), be(20))
    }

    /// The job the drainer would send for receipt #1, decoded.
    async fn job_of_receipt_one(till: &Till, copy: bool) -> decode::Decoded {
        let t = till.terminal().await.unwrap();
        let sale = sales::load(till.db(), &sales::find_id(till.db(), "1").await.unwrap())
            .await
            .unwrap();
        let key = seal::signing_key(till.db()).await.unwrap();
        let doc = Document::Receipt(receipt::build(&sale, &t, &key));
        let printer = printer_or_default(till.db()).await.unwrap();
        decode::decode(&drain::job(&doc, &printer, copy).unwrap())
    }

    #[tokio::test]
    async fn a_sale_is_previewed_as_the_png_of_the_job_its_printer_gets() {
        let dir = tempfile::tempdir().unwrap();
        let till = till(dir.path()).await;
        till.login_pin("1111").await.unwrap();
        till.scan("MILK", Some(2000)).await.unwrap();
        till.scan("BREAD", None).await.unwrap();
        till.pay_exact_cash(None).await.unwrap();

        let shown = till.receipt_preview("1", false).await.unwrap();
        let png = png_bytes(&shown);
        let (w, h) = png_size(&png);
        assert_eq!(
            (shown.paper_mm, shown.width_px, w),
            (80, 576, 576),
            "no printer: 80 mm"
        );
        assert!(
            h > 300,
            "a receipt of two lines, a total and a QR is long: {h}"
        );
        let job = job_of_receipt_one(&till, false).await;
        let text = job.text();
        for needle in ["Milk 1L", "Rye bread", "6.07", "Receipt #1"] {
            assert!(text.contains(needle), "the job holds {needle}: {text}");
        }
        assert!(!text.contains("COPY"), "the sale's own receipt is no copy");
        assert_eq!(
            png,
            render::png(&job, 576).unwrap(),
            "the preview is that very job drawn, not another rendering"
        );

        let copy = till.receipt_preview("1", true).await.unwrap();
        assert!(copy.copy);
        let job = job_of_receipt_one(&till, true).await;
        assert!(job.text().contains("COPY"), "a reprint says COPY");
        assert_eq!(png_bytes(&copy), render::png(&job, 576).unwrap());
    }

    #[tokio::test]
    async fn a_58_mm_printer_narrows_the_preview_and_a_refund_slip_has_one_too() {
        let dir = tempfile::tempdir().unwrap();
        let till = till(dir.path()).await;
        let printer = PrinterConfig::new("tcp:127.0.0.1:9".parse().unwrap(), 58).unwrap();
        let devices = DeviceConfig {
            printer: Some(printer),
            ..DeviceConfig::default()
        };
        config::save(till.db(), &devices).await.unwrap();
        till.scan("MILK", None).await.unwrap();
        till.pay_exact_cash(None).await.unwrap();
        let shown = till.receipt_preview("1", false).await.unwrap();
        assert_eq!((shown.paper_mm, shown.width_px), (58, 384));
        assert_eq!(png_size(&png_bytes(&shown)).0, 384, "as wide as the roll");

        let sale = till.find_sale("1").await.unwrap();
        let item = RefundItem {
            line_no: Some(1),
            product_id: None,
            qty_milli: 1000,
        };
        let done = till.refund(&sale, &[item], "cash", "", None).await.unwrap();
        let slip = till
            .refund_slip_preview(&done.refund_id, false)
            .await
            .unwrap();
        assert_eq!(png_size(&png_bytes(&slip)).0, 384);
        assert_ne!(
            slip.png_data_url, shown.png_data_url,
            "the slip is not the receipt"
        );
    }
}
