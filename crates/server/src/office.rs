//! The unit tree: which units there are, which of them are offices, whose office a unit belongs
//! to, and what an administrator manages. Every capability that works out "whose item, whose
//! scores, whose accounts" asks here.

use crate::error::AppError;
use crate::state::AppState;
use sqlx::{Any, Row};
use xinbao_core::api::{ErrorCode, Me};
use xinbao_core::review::{UnitNode, administers, home_office, is_server_admin};

/// The unit tree, for working out offices.
pub async fn unit_nodes<'e, E: sqlx::Executor<'e, Database = Any>>(ex: E) -> Result<Vec<UnitNode>, AppError> {
    let rows = sqlx::query("SELECT id, parent_id, kind FROM units").fetch_all(ex).await?;
    let mut tree = Vec::with_capacity(rows.len());
    for r in rows {
        let kind: String = r.try_get(2)?;
        tree.push(UnitNode { id: r.try_get(0)?, parent: r.try_get(1)?, is_office: kind == "office" });
    }
    Ok(tree)
}

/// The office whose scores `me` sees.
pub(crate) async fn my_office(state: &AppState, me: &Me) -> Result<i64, AppError> {
    let tree = unit_nodes(&state.db.pool).await?;
    home_office(&tree, me.unit_id).ok_or(AppError::refused(ErrorCode::NotFound))
}

/// The office `me` works in as one of its editors or signers (the information section);
/// anyone else is refused.
pub(crate) async fn section_office(state: &AppState, me: &Me) -> Result<i64, AppError> {
    let office = my_office(state, me).await?;
    if !matches!(me.role, xinbao_core::role::Role::Editor | xinbao_core::role::Role::Signer) || me.unit_id != office {
        return Err(AppError::refused(ErrorCode::Forbidden));
    }
    Ok(office)
}

/// What an administrator manages ([`xinbao_core::review::administers`]): everything for a
/// server administrator, their own office's units and accounts for an office's administrator.
pub struct Scope {
    pub(crate) tree: Vec<UnitNode>,
    pub(crate) admin_unit: i64,
}

impl Scope {
    pub(crate) async fn of(state: &AppState, me: &xinbao_core::api::Me) -> Result<Scope, AppError> {
        Ok(Scope { tree: unit_nodes(&state.db.pool).await?, admin_unit: me.unit_id })
    }

    pub(crate) fn manages(&self, unit: i64) -> bool {
        administers(&self.tree, self.admin_unit, unit)
    }

    pub(crate) fn is_server_admin(&self) -> bool {
        is_server_admin(&self.tree, self.admin_unit)
    }

    /// Refused as if it did not exist when outside the scope.
    pub(crate) fn check(&self, unit: i64) -> Result<(), AppError> {
        if self.manages(unit) { Ok(()) } else { Err(AppError::refused(ErrorCode::NotFound)) }
    }

    /// A setting for the whole server (the deadline rules, the adoption-rate floor): its
    /// administrator's alone.
    pub(crate) fn check_server_setting(&self) -> Result<(), AppError> {
        if self.is_server_admin() {
            Ok(())
        } else {
            Err(AppError::Refused(ErrorCode::Forbidden, Some("只有系统管理员可以修改全局设置".into())))
        }
    }
}
