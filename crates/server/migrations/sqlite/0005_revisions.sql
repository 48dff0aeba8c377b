-- Every version of every item, so nothing anyone wrote is lost when a later change lands on
-- top of it (nothing anyone wrote is silently overwritten: docs/sync-protocol.md), and attachments stored once by content hash (SQLite flavour).
CREATE TABLE item_revisions (
    item_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    state TEXT NOT NULL,
    content TEXT NOT NULL,
    actor_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (item_id, rev)
);

CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
