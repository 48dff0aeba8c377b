-- Adoption, leader instructions and scores (PostgreSQL flavour). Facts (adoptions, instructions)
-- are recorded as they are; score_events holds the points xinbao_core::scoring derives from
-- them under the scoring table in force on their day — one row per point-bearing event, naming
-- its source, so every total drills down. Quotas come from unit classes.
CREATE TABLE publications (
    id BIGSERIAL PRIMARY KEY,
    office_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    UNIQUE (office_id, name)
);

CREATE TABLE adoptions (
    id BIGSERIAL PRIMARY KEY,
    office_id BIGINT NOT NULL,
    publication_id BIGINT NOT NULL REFERENCES publications(id),
    form TEXT NOT NULL,
    day BIGINT NOT NULL,
    issue TEXT NOT NULL,
    recorded_by BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE TABLE adoption_items (
    adoption_id BIGINT NOT NULL REFERENCES adoptions(id),
    item_id TEXT NOT NULL,
    PRIMARY KEY (adoption_id, item_id)
);
CREATE INDEX adoption_items_item ON adoption_items(item_id);

CREATE TABLE instructions (
    id BIGSERIAL PRIMARY KEY,
    item_id TEXT NOT NULL,
    level TEXT NOT NULL,
    day BIGINT NOT NULL,
    leader TEXT NOT NULL,
    text TEXT NOT NULL,
    recorded_by BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    feedback TEXT,
    feedback_at BIGINT
);
CREATE INDEX instructions_item ON instructions(item_id);

CREATE TABLE scoring_tables (
    office_id BIGINT NOT NULL,
    effective_from BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (office_id, effective_from)
);

CREATE TABLE score_events (
    id BIGSERIAL PRIMARY KEY,
    office_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    item_id TEXT NOT NULL,
    author_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    rule TEXT NOT NULL,
    centi BIGINT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX score_events_office_day ON score_events(office_id, day, unit_id);
CREATE INDEX score_events_source ON score_events(source_kind, source_id);
CREATE INDEX score_events_item ON score_events(item_id);

CREATE TABLE unit_classes (
    id BIGSERIAL PRIMARY KEY,
    office_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    monthly_quota BIGINT NOT NULL,
    weekly_per_person BIGINT NOT NULL,
    UNIQUE (office_id, name)
);
ALTER TABLE units ADD COLUMN class_id BIGINT;

-- Items submitted before scoring existed count as the submissions they were.
INSERT INTO score_events (office_id, day, source_kind, source_id, item_id, author_id, unit_id, rule, centi, note)
    SELECT i.office_id, (MIN(r.at) + 28800000) / 86400000, 'submission', 0, i.id, i.author_id, i.unit_id, 'submission', 100, ''
    FROM items i JOIN item_revisions r ON r.item_id = i.id AND r.state = 'submitted'
    WHERE i.office_id IS NOT NULL
    GROUP BY i.id, i.office_id, i.author_id, i.unit_id;
INSERT INTO settings (key, value) VALUES ('adoption_rate_floor', '30');
