//! Rate limits: per client IP on every route (a tower layer), and per account on login and
//! PIN endpoints, so one address cannot guess one account's password or PIN quickly.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Attempts per account per minute.
#[derive(Debug, Clone)]
pub struct AccountLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
}

impl AccountLimiter {
    pub fn per_minute(n: u32) -> Self {
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    /// Counts one attempt for `account`; 429 once its quota is spent.
    pub fn check(&self, account: &str) -> Result<(), ApiError> {
        self.limiter
            .check_key(&account.to_lowercase())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ));
                ApiError::TooManyRequests {
                    retry_after_secs: wait.as_secs().max(1),
                }
            })
    }
}

/// Per-IP layer configuration from `limits.*`.
pub fn per_ip_interval(per_second: u64) -> Duration {
    Duration::from_nanos(1_000_000_000 / per_second.max(1))
}
