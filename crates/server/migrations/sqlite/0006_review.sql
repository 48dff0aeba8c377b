-- Review: each item knows the office that reviews it (the nearest office above its unit), the
-- change log carries it so editors and signers pull their office's items, the last review note
-- (action, note, who, when) is kept with the item, and comments thread on it (SQLite flavour).
ALTER TABLE items ADD COLUMN office_id INTEGER;
ALTER TABLE items ADD COLUMN review TEXT NOT NULL DEFAULT '';
CREATE INDEX items_office_state ON items(office_id, state);
ALTER TABLE change_log ADD COLUMN office_id INTEGER;
CREATE INDEX change_log_office_seq ON change_log(office_id, seq);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX comments_item ON comments(item_id);
