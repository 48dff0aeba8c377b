-- Sync: clients and their last processed mutation, stored results for replays, a
-- commit-ordered change log, and conflicting proposals kept for the author (SQLite flavour).
ALTER TABLE items ADD COLUMN content TEXT NOT NULL DEFAULT '{}';
CREATE INDEX items_author ON items(author_id);

CREATE TABLE sync_clients (
    client_id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    last_mid INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);

CREATE TABLE mutation_results (
    client_id TEXT NOT NULL REFERENCES sync_clients(client_id),
    mid INTEGER NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (client_id, mid)
);

-- seq comes from seq_counter, taken inside each writing transaction: commit order.
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL,
    author_id INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX change_log_author_seq ON change_log(author_id, seq);

CREATE TABLE seq_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO seq_counter (id, value) VALUES (1, 0);

CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    mid INTEGER NOT NULL,
    base_rev INTEGER NOT NULL,
    server_rev INTEGER NOT NULL,
    proposal TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX conflicts_item ON conflicts(item_id);
