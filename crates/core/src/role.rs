//! The roles people have.

use crate::i18n::Text;
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 信息员
    Officer,
    /// 编辑 / 信息科
    Editor,
    /// 签发人
    Signer,
    /// 管理员
    Admin,
    /// 阅读人
    Reader,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Officer, Role::Editor, Role::Signer, Role::Admin, Role::Reader];

    /// The stable name stored in the database and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Editor => "editor",
            Role::Signer => "signer",
            Role::Admin => "admin",
            Role::Reader => "reader",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Role::Officer => Text::new("信息员", "Officer"),
            Role::Editor => Text::new("编辑", "Editor"),
            Role::Signer => Text::new("签发人", "Signer"),
            Role::Admin => Text::new("管理员", "Administrator"),
            Role::Reader => Text::new("阅读人", "Reader"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
