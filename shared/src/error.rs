//! The one error body every Kassa interface returns: HTTP, Tauri IPC and CLI `--json`.

use serde::{Deserialize, Serialize};

/// `{code, message, details}`: `code` is stable and machine-readable, `message` tells a
/// person what went wrong and how to recover, `details` carries per-field reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WireError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
}

/// Why one input field was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl WireError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            details: Vec::new(),
        }
    }

    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>, reason: impl Into<String>) -> Self {
        self.details.push(FieldError {
            field: field.into(),
            reason: reason.into(),
        });
        self
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        for d in &self.details {
            write!(f, " ({}: {})", d.field, d.reason)?;
        }
        Ok(())
    }
}

impl std::error::Error for WireError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_details_are_omitted_from_json() {
        let body = serde_json::to_value(WireError::new("not_found", "no such shop")).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"code": "not_found", "message": "no such shop"}),
            "clients rely on the exact {{code, message}} shape"
        );
    }
}
