//! Schemas of the string fields many bodies share (names, emails, passwords, PINs), named
//! once so each says exactly what the server's check accepts. A field uses one with
//! `#[schema(value_type = crate::openapi::fields::Name)]`.

use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        RefOr, Type,
        schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat},
    },
};

/// A character Rust's `str::trim` keeps: not in Unicode's White_Space, spelt out because
/// `\s` differs between regex dialects (Python's, which schemathesis uses, adds
/// `\x1c`-`\x1f`).
pub const NOT_BLANK: &str = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// `check_sku`: 1 to 64 characters that are not white space, blanks around them allowed.
const SKU: &str = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{1,64}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";

/// A character that is neither white space nor a control character: what
/// `check_name` keeps.
pub const NOT_BLANK_OR_CONTROL: &str =
    r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00-\x1f\x7f-\x9f]";

/// True when nothing is left of `s` once white space and control characters are
/// trimmed: the check [`NOT_BLANK_OR_CONTROL`] describes.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || c.is_control())
}

macro_rules! string_schema {
    ($(#[$doc:meta])* $name:ident, $build:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let build: fn(ObjectBuilder) -> ObjectBuilder = $build;
                build(ObjectBuilder::new().schema_type(Type::String)).into()
            }
        }

        impl ToSchema for $name {}
    };
}

string_schema!(
    /// A display name (people, companies, shops, products, tills).
    Name,
    |s| s
        .description(Some("1 to 120 characters, not only blanks; surrounding blanks are dropped."))
        .min_length(Some(1))
        .max_length(Some(120))
        .pattern(Some(NOT_BLANK_OR_CONTROL))
);

string_schema!(
    /// An email address as `accounts::normalize_email` accepts it.
    Email,
    |s| s
        .description(Some("An email address; stored in lower case."))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(254))
);

string_schema!(
    /// A new password (`passwords::check_password`).
    Password,
    |s| s
        .description(Some("10 to 256 characters."))
        .min_length(Some(10))
        .max_length(Some(256))
);

string_schema!(
    /// A staff PIN for till logins.
    Pin,
    |s| s
        .description(Some("4 to 8 digits."))
        .pattern(Some("^[0-9]{4,8}$"))
);

string_schema!(
    /// Some text that must say something once trimmed (an id, a reason).
    NotBlank,
    |s| s.description(Some("Not only blanks.")).pattern(Some(NOT_BLANK))
);

string_schema!(
    /// An ISO 4217 currency code (`pos_shared::Currency`).
    CurrencyCode,
    |s| s
        .description(Some("ISO 4217, three letters such as EUR; stored in upper case."))
        .pattern(Some("^[A-Za-z]{3}$"))
);

string_schema!(
    /// One of the plans with fixed limits.
    PlanName,
    |s| s.enum_values(Some(["starter", "business", "enterprise"]))
);

string_schema!(
    /// A plan by name; `custom` takes its limits from the request.
    AnyPlanName,
    |s| s.enum_values(Some(["starter", "business", "enterprise", "custom"]))
);

string_schema!(
    /// A role a shop's staff can have.
    StaffRole,
    |s| s.enum_values(Some(["shop_manager", "cashier"]))
);

string_schema!(
    /// Where a shop keeps stock.
    LocationKind,
    |s| s.enum_values(Some(["store", "warehouse"]))
);

string_schema!(
    /// A local time of day.
    ClockTime,
    |s| s
        .description(Some("`HH:MM`, 00:00 to 23:59."))
        .pattern(Some("^([01][0-9]|2[0-3]):[0-5][0-9]$"))
);

string_schema!(
    /// A product's stock-keeping unit.
    Sku,
    |s| s
        .description(Some("1 to 64 characters without blanks; surrounding blanks are dropped."))
        .pattern(Some(SKU))
);

string_schema!(
    /// Why stock moved: `delivery`, `count`, `damage`...
    Reason,
    |s| s
        .description(Some("1 to 120 characters, not only blanks."))
        .min_length(Some(1))
        .max_length(Some(120))
        .pattern(Some(NOT_BLANK))
);

string_schema!(
    /// What a manager did about something sync found.
    Note,
    |s| s
        .description(Some("1 to 500 characters, not only blanks."))
        .min_length(Some(1))
        .max_length(Some(500))
        .pattern(Some(NOT_BLANK))
);

string_schema!(
    /// A key chosen by the client once per request and sent again on a retry.
    IdempotencyKey,
    |s| s
        .description(Some("1 to 100 characters, not only blanks."))
        .min_length(Some(1))
        .max_length(Some(100))
        .pattern(Some(NOT_BLANK))
);

string_schema!(
    /// What tells a variant apart from its product ("XL / blue").
    VariantName,
    |s| s
        .description(Some("1 to 60 characters, not only blanks."))
        .min_length(Some(1))
        .max_length(Some(60))
        .pattern(Some(NOT_BLANK))
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_carry_their_limits() {
        let json = serde_json::to_value(Name::schema()).unwrap();
        assert_eq!(json["maxLength"], 120);
        assert_eq!(json["pattern"], NOT_BLANK_OR_CONTROL);
        let json = serde_json::to_value(Pin::schema()).unwrap();
        assert_eq!(json["pattern"], "^[0-9]{4,8}$");
    }

    #[test]
    fn blank_means_only_spaces_and_control_characters() {
        assert!(is_blank(" \t\u{1c}\u{3000}"));
        assert!(!is_blank(" a "));
        assert!(!is_blank("\u{1c}x"));
    }
}
