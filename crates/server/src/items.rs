//! The item repository: what is stored of an item beyond its current row.

use crate::error::AppError;
use sqlx::{Any, Row};
use xinbao_core::item::DraftContent;

/// The text of item `id` as its office last saw it: the newest revision someone other than its
/// author made (the 退回修改 step itself, or the editor's last edit). While an item is back
/// with its author, their revising is theirs alone until they submit again.
pub async fn office_content<'e, E: sqlx::Executor<'e, Database = Any>>(
    ex: E,
    id: &str,
    author_id: i64,
) -> Result<Option<DraftContent>, AppError> {
    let row = sqlx::query("SELECT content FROM item_revisions WHERE item_id = $1 AND actor_id <> $2 ORDER BY rev DESC LIMIT 1")
        .bind(id)
        .bind(author_id)
        .fetch_optional(ex)
        .await?;
    Ok(match row {
        Some(r) => Some(crate::db::stored_json(&r.try_get::<String, _>(0)?, "item_revisions.content")?),
        None => None,
    })
}
