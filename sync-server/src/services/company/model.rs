//! Company documents, settings, plans, and their API views and validation.

use mongodb::bson::DateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{db::rfc3339, error::ApiError};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompanyDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    /// `active`, `suspended` or `deleted` (companies are never hard-deleted).
    pub status: String,
    pub plan: Plan,
    pub settings: Settings,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

/// A subscription plan and the limits it grants.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Plan {
    /// `starter`, `business`, `enterprise` or `custom`.
    pub name: String,
    pub max_shops: u32,
    pub max_terminals: u32,
}

impl Plan {
    pub fn named(name: &str) -> Result<Plan, ApiError> {
        let (shops, terminals) = match name {
            "starter" => (1, 2),
            "business" => (10, 50),
            "enterprise" => (1000, 10_000),
            _ => {
                return Err(ApiError::invalid(
                    "plan",
                    "must be starter, business or enterprise (or give max_shops and max_terminals for custom)",
                ));
            }
        };
        Ok(Plan {
            name: name.to_string(),
            max_shops: shops,
            max_terminals: terminals,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct TaxRateSetting {
    #[schema(value_type = crate::openapi::fields::NotBlank)]
    pub id: String,
    #[schema(value_type = crate::openapi::fields::NotBlank)]
    pub name: String,
    /// Basis points: 2000 = 20.00 %.
    #[schema(maximum = 10_000)]
    pub rate_bp: u32,
    /// Prices include this tax (typical in the EU) rather than adding it at the till.
    pub inclusive: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Settings {
    /// ISO 4217, for example `EUR`.
    #[schema(value_type = crate::openapi::fields::CurrencyCode)]
    pub currency: String,
    /// BCP 47, for example `en` or `de-DE`.
    #[schema(min_length = 1, max_length = 35)]
    pub locale: String,
    /// IANA zone used for business days and reports, for example `Europe/Berlin`.
    #[schema(min_length = 1, max_length = 64)]
    pub timezone: String,
    /// Each `id` once (422 otherwise).
    pub tax_rates: Vec<TaxRateSetting>,
    #[schema(max_length = 2000)]
    pub receipt_header: String,
    #[schema(max_length = 2000)]
    pub receipt_footer: String,
}

impl Settings {
    pub fn defaults(currency: &str) -> Self {
        Self {
            currency: currency.to_string(),
            locale: "en".into(),
            timezone: "UTC".into(),
            tax_rates: Vec::new(),
            receipt_header: String::new(),
            receipt_footer: "Thank you!".into(),
        }
    }

    pub fn validate(&mut self) -> Result<(), ApiError> {
        self.currency = check_currency(&self.currency)?;
        if self.locale.is_empty() || self.locale.chars().count() > 35 {
            return Err(ApiError::invalid(
                "locale",
                "must be a language tag such as `en` or `de-DE`",
            ));
        }
        if self.timezone.is_empty() || self.timezone.chars().count() > 64 {
            return Err(ApiError::invalid(
                "timezone",
                "must be an IANA zone such as `Europe/Berlin`",
            ));
        }
        for (i, t) in self.tax_rates.iter().enumerate() {
            if t.rate_bp > 10_000 {
                return Err(ApiError::invalid(
                    &format!("tax_rates[{i}].rate_bp"),
                    "must be between 0 and 10000 (100 %)",
                ));
            }
            if t.id.trim().is_empty() || t.name.trim().is_empty() {
                return Err(ApiError::invalid(
                    &format!("tax_rates[{i}]"),
                    "needs an id and a name",
                ));
            }
        }
        let mut ids: Vec<&str> = self.tax_rates.iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(ApiError::invalid("tax_rates", "ids must be unique"));
        }
        if self.receipt_header.chars().count() > 2000 || self.receipt_footer.chars().count() > 2000
        {
            return Err(ApiError::invalid(
                "receipt_header",
                "receipt texts are limited to 2000 characters",
            ));
        }
        Ok(())
    }
}

/// The ISO 4217 code as pos-shared's `Currency` understands it (so the terminal's money
/// math accepts every currency the server stores), normalised to upper case.
pub fn check_currency(code: &str) -> Result<String, ApiError> {
    pos_shared::Currency::new(code)
        .map(|c| c.to_string())
        .map_err(|_| ApiError::invalid("currency", "must be an ISO 4217 code such as EUR or USD"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyView {
    pub id: String,
    pub name: String,
    pub status: String,
    pub plan: Plan,
    pub settings: Settings,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CompanyDoc> for CompanyView {
    fn from(c: CompanyDoc) -> Self {
        Self {
            id: c.id,
            name: c.name,
            status: c.status,
            plan: c.plan,
            settings: c.settings,
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}
