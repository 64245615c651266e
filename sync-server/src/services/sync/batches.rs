//! Journal batches: the durable form of what terminals push. One document per acked push
//! holds its new records gzipped, so storing a 500-sale batch is one write, not thousands;
//! the projector later turns each batch into orders, movements and exceptions.

use mongodb::bson::{self, DateTime, Document, doc};
use pos_shared::journal::JournalRecord;

use super::ingest::Source;
use crate::gzip;

/// A stored batch: records `from..=to` of one terminal's epoch, oldest first.
#[derive(Debug, Clone)]
pub struct Batch {
    pub src: Source,
    pub epoch: i64,
    pub from: i64,
    pub to: i64,
    pub records: Vec<JournalRecord>,
}

impl Batch {
    /// `{terminal}:{epoch}:{from}`: a second store of the same range is a duplicate key.
    pub fn id(terminal_id: &str, epoch: i64, from: i64) -> String {
        format!("{terminal_id}:{epoch}:{from}")
    }

    /// The document stored, `projected: false` until the projector has built from it.
    pub fn to_doc(&self, received_at: DateTime) -> mongodb::error::Result<Document> {
        let packed = gzip::pack(&self.records)
            .map_err(|e| mongodb::error::Error::custom(format!("journal batch {e}")))?;
        Ok(doc! {
            "_id": Self::id(&self.src.terminal_id, self.epoch, self.from),
            "company_id": &self.src.company_id, "shop_id": &self.src.shop_id,
            "terminal_id": &self.src.terminal_id, "epoch": self.epoch,
            "from": self.from, "to": self.to,
            "count": i64::try_from(self.records.len()).unwrap_or(i64::MAX),
            "records": bson::Binary { subtype: bson::spec::BinarySubtype::Generic, bytes: packed },
            "received_at": received_at, "projected": false,
        })
    }

    /// The batch a stored document holds; an unreadable one is an error, never skipped.
    pub fn from_doc(d: &Document) -> mongodb::error::Result<Self> {
        let bad = |what: &str| {
            mongodb::error::Error::custom(format!(
                "journal batch {}: {what}",
                d.get_str("_id").unwrap_or("?")
            ))
        };
        let field = |k: &str| d.get_str(k).map(str::to_string).map_err(|_| bad(k));
        let num = |k: &str| d.get_i64(k).map_err(|_| bad(k));
        let bytes = d
            .get_binary_generic("records")
            .map_err(|_| bad("records"))?;
        Ok(Self {
            src: Source {
                company_id: field("company_id")?,
                shop_id: field("shop_id")?,
                terminal_id: field("terminal_id")?,
            },
            epoch: num("epoch")?,
            from: num("from")?,
            to: num("to")?,
            records: gzip::unpack(bytes).map_err(|e| bad(&e))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pos_shared::journal::GENESIS_HASH;

    #[test]
    fn a_batch_survives_its_document() {
        let mut rec = JournalRecord {
            seq: 7,
            id: "e1".into(),
            terminal_id: "t1".into(),
            epoch: 1,
            hlc_ms: 1_700_000_000_000,
            catalog_cursor: 3,
            kind: "shift_opened".into(),
            payload: "{}".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        rec.hash = rec.expected_hash();
        let batch = Batch {
            src: Source {
                company_id: "c".into(),
                shop_id: "s".into(),
                terminal_id: "t1".into(),
            },
            epoch: 1,
            from: 7,
            to: 7,
            records: vec![rec.clone()],
        };
        let d = batch.to_doc(DateTime::now()).unwrap();
        assert_eq!(d.get_str("_id").unwrap(), "t1:1:7");
        let back = Batch::from_doc(&d).unwrap();
        assert_eq!((back.from, back.to, back.epoch), (7, 7, 1));
        assert_eq!(back.records, vec![rec]);
        let mut broken = d.clone();
        broken.insert("records", "not a batch");
        assert!(Batch::from_doc(&broken).is_err());
    }
}
