-- Office to office (issue 24): a destination that runs Xinbao too, reached as a client of its
-- server with the service account it gave this office. Each item sent there by system is a
-- forward, frozen as the very mutation that carries it under its mutation number, so a retry,
-- a replay after a restart or a second server asks the destination the same thing; what comes
-- back (its state, comments, adoptions, instructions) is recorded here once, each fact keyed
-- by the destination's own id.
CREATE TABLE upward_links (
    destination_id INTEGER PRIMARY KEY REFERENCES upward_destinations(id),
    url TEXT NOT NULL,
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    ca_pem TEXT NOT NULL DEFAULT '',
    -- Whom what comes back is recorded by here: an account that cannot log in.
    local_user INTEGER NOT NULL REFERENCES users(id),
    client_id TEXT NOT NULL,
    next_mid INTEGER NOT NULL,
    pull_cursor INTEGER NOT NULL DEFAULT 0,
    epoch TEXT NOT NULL DEFAULT '',
    problem TEXT NOT NULL DEFAULT '',
    -- The destination refused the account (a password changed there): no more tries, which
    -- would lock it, until the administrator enters it again.
    halted INTEGER NOT NULL DEFAULT 0,
    -- This office's row on the destination's scoreboard, the year so far (JSON), as last read.
    standing TEXT NOT NULL DEFAULT '',
    last_contact INTEGER
);
CREATE TABLE forwards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    destination_id INTEGER NOT NULL REFERENCES upward_destinations(id),
    item_id TEXT NOT NULL REFERENCES items(id),
    remote_id TEXT NOT NULL,
    mid INTEGER NOT NULL,
    mutation TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    remote_state TEXT NOT NULL DEFAULT '',
    remote_note TEXT NOT NULL DEFAULT '',
    UNIQUE (destination_id, item_id),
    UNIQUE (destination_id, remote_id)
);
CREATE INDEX forwards_queue ON forwards(destination_id, status, mid);
CREATE TABLE forward_facts (
    destination_id INTEGER NOT NULL REFERENCES upward_destinations(id),
    kind TEXT NOT NULL,
    remote_id INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    local_id INTEGER NOT NULL,
    -- A combined adoption there credits several of this office's items: one fact each.
    PRIMARY KEY (destination_id, kind, remote_id, item_id)
);
CREATE INDEX forward_facts_item ON forward_facts(item_id);
