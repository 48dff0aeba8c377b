-- Adoption, leader instructions and scores (SQLite flavour). Facts (adoptions, instructions)
-- are recorded as they are; score_events holds the points xinbao_core::scoring derives from
-- them under the scoring table in force on their day — one row per point-bearing event, naming
-- its source, so every total drills down. Quotas come from unit classes.
CREATE TABLE publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id INTEGER NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    UNIQUE (office_id, name)
);

CREATE TABLE adoptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id INTEGER NOT NULL,
    publication_id INTEGER NOT NULL REFERENCES publications(id),
    form TEXT NOT NULL,
    day INTEGER NOT NULL,
    issue TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE TABLE adoption_items (
    adoption_id INTEGER NOT NULL REFERENCES adoptions(id),
    item_id TEXT NOT NULL,
    PRIMARY KEY (adoption_id, item_id)
);
CREATE INDEX adoption_items_item ON adoption_items(item_id);

CREATE TABLE instructions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL,
    level TEXT NOT NULL,
    day INTEGER NOT NULL,
    leader TEXT NOT NULL,
    text TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    feedback TEXT,
    feedback_at INTEGER
);
CREATE INDEX instructions_item ON instructions(item_id);

CREATE TABLE scoring_tables (
    office_id INTEGER NOT NULL,
    effective_from INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (office_id, effective_from)
);

CREATE TABLE score_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    source_kind TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    author_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    rule TEXT NOT NULL,
    centi INTEGER NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX score_events_office_day ON score_events(office_id, day, unit_id);
CREATE INDEX score_events_source ON score_events(source_kind, source_id);
CREATE INDEX score_events_item ON score_events(item_id);

CREATE TABLE unit_classes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    monthly_quota INTEGER NOT NULL,
    weekly_per_person INTEGER NOT NULL,
    UNIQUE (office_id, name)
);
ALTER TABLE units ADD COLUMN class_id INTEGER;

-- Items submitted before scoring existed count as the submissions they were.
INSERT INTO score_events (office_id, day, source_kind, source_id, item_id, author_id, unit_id, rule, centi, note)
    SELECT i.office_id, (MIN(r.at) + 28800000) / 86400000, 'submission', 0, i.id, i.author_id, i.unit_id, 'submission', 100, ''
    FROM items i JOIN item_revisions r ON r.item_id = i.id AND r.state = 'submitted'
    WHERE i.office_id IS NOT NULL
    GROUP BY i.id, i.office_id, i.author_id, i.unit_id;
INSERT INTO settings (key, value) VALUES ('adoption_rate_floor', '30');
