//! Who is calling: the bearer token turned into a [`Principal`] with its role and tenancy.

use axum::{extract::FromRequestParts, http::request::Parts};
use pos_shared::role::Role;

use crate::{error::ApiError, gateway::tenancy::TenantScope, state::AppState};

/// An authenticated caller. Extracting it is what makes an endpoint require a token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub id: String,
    pub role: Role,
    pub company_id: Option<String>,
    pub shop_ids: Vec<String>,
    /// A terminal's device credential rather than a person.
    pub device: bool,
}

impl Principal {
    /// Refuses callers below `min` (roles are ordered from most to least powerful).
    /// Terminals have a cashier's reach in their shop and never pass a check meant for
    /// managers or admins.
    pub fn require(&self, min: Role) -> Result<(), ApiError> {
        let device_ok = !self.device || !min.at_least(Role::ShopManager);
        if self.role.at_least(min) && device_ok {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {min} role or higher; you are {}",
                self.role
            )))
        }
    }

    /// The caller's company, for company-level work (403 for platform admins and customers,
    /// who have none).
    /// A storefront customer belongs to a company but holds no company account: its only
    /// reach is its own orders, through [`Principal::customer_of`].
    pub fn company(&self) -> Result<&str, ApiError> {
        match self.company_id.as_deref() {
            Some(c) if self.role != Role::Customer => Ok(c),
            _ => Err(ApiError::forbidden(
                "this needs a company account; your account has no company",
            )),
        }
    }

    /// The company whose storefront this customer registered with (403 for anyone else,
    /// and for customers of the old company-less sign-up).
    pub fn customer_of(&self) -> Result<&str, ApiError> {
        match self.company_id.as_deref() {
            Some(c) if self.role == Role::Customer => Ok(c),
            _ => Err(ApiError::forbidden(
                "this needs a customer account of a company's storefront",
            )),
        }
    }

    pub fn scope(&self) -> TenantScope {
        match self.role {
            Role::PlatformAdmin => TenantScope::platform(),
            Role::CompanyAdmin => TenantScope {
                company: self.company_id.clone(),
                shops: None,
            },
            Role::ShopManager | Role::Cashier => TenantScope {
                company: self.company_id.clone(),
                shops: Some(self.shop_ids.clone()),
            },
            // Customers own no tenant data: an impossible company matches nothing.
            Role::Customer => TenantScope {
                company: Some(String::from("\u{0}none")),
                shops: Some(Vec::new()),
            },
        }
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "missing_token",
                    "log in first and send `Authorization: Bearer <access token>`",
                )
            })?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "invalid_token",
                    "use `Authorization: Bearer <access token>`",
                )
            })?;
        let claims = state.tokens.verify(token.trim())?;
        if claims.dev && !crate::services::auth::devices::is_active(state, &claims.sub).await? {
            return Err(ApiError::unauthorized(
                "terminal_revoked",
                "this terminal has been revoked; ask a manager to enroll it again",
            ));
        }
        Ok(Principal {
            id: claims.sub,
            role: claims.role,
            company_id: claims.cid,
            shop_ids: claims.sids,
            device: claims.dev,
        })
    }
}
