//! Roles and what each one is, in one place. What a role may *do* is decided by the API's
//! policy module; this file only answers "which side of the vendor/client line is this".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Csm,
    AccountManager,
    SupportAgent,
    Sales,
    ClientAdmin,
    ClientMember,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Csm,
        Role::AccountManager,
        Role::SupportAgent,
        Role::Sales,
        Role::ClientAdmin,
        Role::ClientMember,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Csm => "csm",
            Role::AccountManager => "account_manager",
            Role::SupportAgent => "support_agent",
            Role::Sales => "sales",
            Role::ClientAdmin => "client_admin",
            Role::ClientMember => "client_member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Client roles belong to a client organisation; every other role is vendor staff.
    pub fn is_client(self) -> bool {
        matches!(self, Role::ClientAdmin | Role::ClientMember)
    }

    pub fn is_staff(self) -> bool {
        !self.is_client()
    }

    /// A human label for menus and tables.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Csm => "Customer Success Manager",
            Role::AccountManager => "Account manager",
            Role::SupportAgent => "Support agent",
            Role::Sales => "Sales",
            Role::ClientAdmin => "Client administrator",
            Role::ClientMember => "Client member",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            let json = serde_json::to_string(&role).expect("serialise");
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn exactly_two_roles_are_client_roles() {
        let clients: Vec<_> = Role::ALL.into_iter().filter(|r| r.is_client()).collect();
        assert_eq!(clients, vec![Role::ClientAdmin, Role::ClientMember]);
        assert!(Role::ALL.into_iter().all(|r| r.is_client() != r.is_staff()));
    }
}
