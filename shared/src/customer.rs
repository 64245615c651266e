//! Customers known to a company: contact details and how much they may owe on account.

use serde::{Deserialize, Serialize};

use crate::ids::CustomerId;
use crate::money::Money;

/// A customer record. `credit_limit` is what they may owe at most; zero means no
/// buying on account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub credit_limit: Money,
}

/// Why a customer record was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("customer name is empty: enter a name")]
    EmptyName,
    #[error("`{0}` is not an email address: check for the @ and the domain")]
    InvalidEmail(String),
    #[error("`{0}` is not a phone number: use digits, spaces and an optional leading +")]
    InvalidPhone(String),
    #[error("credit limit cannot be negative: use 0 to disallow buying on account")]
    NegativeCreditLimit,
}

impl Customer {
    /// Light checks that catch typos at the counter; real verification (mail
    /// confirmation) is the server's job.
    pub fn validate(&self) -> Result<(), CustomerError> {
        if self.name.trim().is_empty() {
            return Err(CustomerError::EmptyName);
        }
        if let Some(email) = &self.email
            && !looks_like_email(email)
        {
            return Err(CustomerError::InvalidEmail(email.clone()));
        }
        if let Some(phone) = &self.phone
            && !looks_like_phone(phone)
        {
            return Err(CustomerError::InvalidPhone(phone.clone()));
        }
        if self.credit_limit.is_negative() {
            return Err(CustomerError::NegativeCreditLimit);
        }
        Ok(())
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn looks_like_phone(s: &str) -> bool {
    let body = s.trim().strip_prefix('+').unwrap_or(s.trim());
    let digits = body.chars().filter(char::is_ascii_digit).count();
    // E.164 numbers have at most 15 digits; fewer than 3 cannot be a number.
    (3..=15).contains(&digits)
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn customer() -> Customer {
        Customer {
            id: CustomerId::new(),
            name: "Ada".into(),
            email: Some("ada@example.org".into()),
            phone: Some("+41 44 668 18 00".into()),
            credit_limit: Money::new(50_000, Currency::CHF),
        }
    }

    #[test]
    fn a_normal_customer_is_valid() {
        assert_eq!(customer().validate(), Ok(()));
        let anonymous = Customer {
            email: None,
            phone: None,
            ..customer()
        };
        assert_eq!(anonymous.validate(), Ok(()));
    }

    #[test]
    fn typos_are_caught() {
        for email in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "a@b@c.d",
        ] {
            let c = Customer {
                email: Some(email.into()),
                ..customer()
            };
            assert!(
                matches!(c.validate(), Err(CustomerError::InvalidEmail(_))),
                "{email}"
            );
        }
        for phone in ["12", "call me", "+41 44 668 18 00 00 00 00"] {
            let c = Customer {
                phone: Some(phone.into()),
                ..customer()
            };
            assert!(
                matches!(c.validate(), Err(CustomerError::InvalidPhone(_))),
                "{phone}"
            );
        }
        let c = Customer {
            name: "  ".into(),
            ..customer()
        };
        assert_eq!(c.validate(), Err(CustomerError::EmptyName));
        let c = Customer {
            credit_limit: Money::new(-1, Currency::CHF),
            ..customer()
        };
        assert_eq!(c.validate(), Err(CustomerError::NegativeCreditLimit));
    }
}
