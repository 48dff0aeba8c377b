-- 上报 (issue 24): where an office sends items up, each batch sent (when, how, by whom, under
-- the key its page chose, so a batch sent again after a lost answer is recorded once) and the
-- items in it.
CREATE TABLE upward_destinations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id INTEGER NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    UNIQUE (office_id, name)
);
CREATE TABLE upward_sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id INTEGER NOT NULL REFERENCES units(id),
    destination_id INTEGER NOT NULL REFERENCES upward_destinations(id),
    method TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    day INTEGER NOT NULL,
    sent_by INTEGER NOT NULL REFERENCES users(id),
    note TEXT NOT NULL DEFAULT '',
    send_key TEXT NOT NULL,
    UNIQUE (office_id, send_key)
);
CREATE INDEX upward_sends_office ON upward_sends(office_id, sent_at);
-- An item goes to a destination once, whichever server or page sends it.
CREATE TABLE upward_items (
    send_id INTEGER NOT NULL REFERENCES upward_sends(id),
    item_id TEXT NOT NULL REFERENCES items(id),
    destination_id INTEGER NOT NULL REFERENCES upward_destinations(id),
    PRIMARY KEY (send_id, item_id),
    UNIQUE (destination_id, item_id)
);
CREATE INDEX upward_items_item ON upward_items(item_id);
