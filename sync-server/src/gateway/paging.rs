//! `?limit=&offset=` paging shared by every list endpoint.

use serde::Deserialize;

const MAX_LIMIT: u64 = 200;

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct Page {
    /// At most 200; default 50.
    #[serde(default = "default_limit")]
    pub limit: u64,
    #[serde(default)]
    pub offset: u64,
}

fn default_limit() -> u64 {
    50
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
