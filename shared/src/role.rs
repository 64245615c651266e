//! Who a user is to Kassa: the roles that gate every API call and terminal action.

use serde::{Deserialize, Serialize};

/// Roles from most to least powerful. A company-scoped role never reaches another
/// company's data; a shop-scoped role only its own shops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    PlatformAdmin,
    CompanyAdmin,
    ShopManager,
    Cashier,
    Customer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::PlatformAdmin,
        Role::CompanyAdmin,
        Role::ShopManager,
        Role::Cashier,
        Role::Customer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::CompanyAdmin => "company_admin",
            Role::ShopManager => "shop_manager",
            Role::Cashier => "cashier",
            Role::Customer => "customer",
        }
    }

    /// Staff roles are the ones a shop can employ (and that get terminal PINs).
    pub fn is_staff(self) -> bool {
        matches!(self, Role::ShopManager | Role::Cashier)
    }

    /// True when this role may act with at least the powers of `other`.
    pub fn at_least(self, other: Role) -> bool {
        self <= other
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
    }

    #[test]
    fn ordering_reflects_power() {
        assert!(Role::CompanyAdmin.at_least(Role::ShopManager));
        assert!(!Role::Cashier.at_least(Role::ShopManager));
    }
}
