//! Gzipped JSON for documents that hold many items at once (change packs, journal
//! batches): one compact binary field instead of thousands of small documents.

use serde::{Serialize, de::DeserializeOwned};

/// `value` as JSON, gzipped at the fastest level (these are written on the hot path).
pub fn pack<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec(value).map_err(|e| format!("not encodable: {e}"))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &json)
        .and_then(|()| gz.finish())
        .map_err(|e| format!("not compressible: {e}"))
}

/// The value [`pack`] wrote, or why it cannot be read.
pub fn unpack<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut json = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut json)
        .map_err(|e| format!("not gzip: {e}"))?;
    serde_json::from_slice(&json).map_err(|e| format!("not the expected JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_packed_unpacks_and_garbage_is_refused() {
        let v = vec!["a".to_string(), "b".repeat(1000)];
        let bytes = pack(&v).unwrap();
        assert!(
            bytes.len() < 200,
            "repetitive JSON compresses: {}",
            bytes.len()
        );
        assert_eq!(unpack::<Vec<String>>(&bytes).unwrap(), v);
        assert!(unpack::<Vec<String>>(b"not gzip").is_err());
        assert!(unpack::<Vec<u32>>(&bytes).is_err());
    }
}
