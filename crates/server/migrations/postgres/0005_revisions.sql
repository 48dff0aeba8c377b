-- Every version of every item, so nothing anyone wrote is lost when a later change lands on
-- top of it (nothing anyone wrote is silently overwritten: docs/sync-protocol.md), and attachments stored once by content hash (PostgreSQL flavour).
CREATE TABLE item_revisions (
    item_id TEXT NOT NULL,
    rev BIGINT NOT NULL,
    state TEXT NOT NULL,
    content TEXT NOT NULL,
    actor_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (item_id, rev)
);

CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
