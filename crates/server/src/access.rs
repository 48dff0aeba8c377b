//! Who may read what, as SQL: the read rule of `xinbao_core::review` (`may_read_item`,
//! `Actor::may_read`) written once for the queries that filter by it — the pull, the review
//! queue, attachments. Which actions a person may take on an item is decided in core
//! (`review::decide`); this module only turns the read rule into `WHERE` clauses.

use xinbao_core::role::Role;

/// The office whose items `me` reviews (their unit, for an editor or signer), or -1 — an id no
/// unit has — for everyone else: the one place SQL filters learn who reviews.
pub fn reviewed_office(me: &xinbao_core::api::Me) -> i64 {
    if matches!(me.role, Role::Editor | Role::Signer) { me.unit_id } else { -1 }
}

/// SQL selecting `columns` of attachment `$1` if user `$2` may read it — they uploaded it, or
/// they may read an item naming it (`xinbao_core::review::Actor::may_read` as SQL, with `$3`
/// from [`reviewed_office`]). Anything else answers as missing: a hash alone opens
/// nothing, and naming a photo in an item needs the same right.
pub fn readable_sql(columns: &str) -> String {
    format!(
        "SELECT {columns} FROM attachments a WHERE a.sha256 = $1 AND ( \
           EXISTS (SELECT 1 FROM attachment_holders h WHERE h.sha256 = a.sha256 AND h.user_id = $2) \
           OR EXISTS (SELECT 1 FROM item_attachments ia JOIN items i ON i.id = ia.item_id WHERE ia.sha256 = a.sha256 \
                      AND (i.author_id = $2 OR (i.office_id = $3 AND i.state NOT IN ('draft', 'deleted')))))"
    )
}
