//! `?limit=&offset=` paging shared by every list endpoint.

use serde::{Deserialize, Deserializer, de::Error as _};

const MAX_LIMIT: u64 = 200;

/// MongoDB counts skips and limits in i64: a larger number cannot be passed on, so it is
/// refused as bad input (400) instead of failing inside the driver (500).
const MAX_NUMBER: u64 = i64::MAX as u64;

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct Page {
    /// How many to return: default 50; more than 200 is read as 200 and 0 as 1.
    #[serde(default = "default_limit", deserialize_with = "at_most_i64")]
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub limit: u64,
    /// How many to skip from the start of the list.
    #[serde(default, deserialize_with = "at_most_i64")]
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: u64,
}

fn default_limit() -> u64 {
    50
}

fn at_most_i64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = u64::deserialize(d)?;
    if n > MAX_NUMBER {
        return Err(D::Error::custom(format!("must be at most {MAX_NUMBER}")));
    }
    Ok(n)
}

impl Page {
    pub fn limit_i64(&self) -> i64 {
        i64::try_from(self.limit.clamp(1, MAX_LIMIT)).unwrap_or(50)
    }
}

impl Default for Page {
    fn default() -> Self {
        Self {
            limit: default_limit(),
            offset: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: serde_json::Value) -> Result<Page, String> {
        serde_json::from_value(query).map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_beyond_i64_are_refused_not_passed_to_mongodb() {
        let last = serde_json::json!({ "offset": MAX_NUMBER });
        assert_eq!(parse(last).unwrap().offset, MAX_NUMBER);
        let err = parse(serde_json::json!({ "offset": MAX_NUMBER + 1 })).unwrap_err();
        assert!(err.contains("at most"), "{err}");
        assert!(parse(serde_json::json!({ "limit": u64::MAX })).is_err());
        assert_eq!(parse(serde_json::json!({})).unwrap().limit_i64(), 50);
        assert_eq!(
            parse(serde_json::json!({ "limit": 100_000 }))
                .unwrap()
                .limit_i64(),
            200
        );
    }
}
