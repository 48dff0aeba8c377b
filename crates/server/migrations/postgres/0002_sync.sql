-- Sync: clients and their last processed mutation, stored results for replays, a
-- commit-ordered change log, and conflicting proposals kept for the author (PostgreSQL flavour).
ALTER TABLE items ADD COLUMN content TEXT NOT NULL DEFAULT '{}';
CREATE INDEX items_author ON items(author_id);

CREATE TABLE sync_clients (
    client_id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    last_mid BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE mutation_results (
    client_id TEXT NOT NULL REFERENCES sync_clients(client_id),
    mid BIGINT NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (client_id, mid)
);

-- seq comes from seq_counter, taken inside each writing transaction: commit order.
CREATE TABLE change_log (
    seq BIGINT PRIMARY KEY,
    item_id TEXT NOT NULL,
    author_id BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX change_log_author_seq ON change_log(author_id, seq);

CREATE TABLE seq_counter (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO seq_counter (id, value) VALUES (1, 0);

CREATE TABLE conflicts (
    id BIGSERIAL PRIMARY KEY,
    item_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    mid BIGINT NOT NULL,
    base_rev BIGINT NOT NULL,
    server_rev BIGINT NOT NULL,
    proposal TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX conflicts_item ON conflicts(item_id);
