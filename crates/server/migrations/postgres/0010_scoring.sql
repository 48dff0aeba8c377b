-- Adoption, leader instructions and scores (PostgreSQL flavour). Facts (submissions, adoptions, instructions)
-- are recorded as they are; score_events holds the points xinbao_core::scoring derives from
-- them under the scoring table in force on their day — one row per point-bearing event, naming
-- its source, so every total drills down. Quotas come from unit classes.
-- An item's first submission, once: the fact its submission points (and an urgent first
-- report's lateness) come from.
CREATE TABLE submissions (
    item_id TEXT PRIMARY KEY,
    office_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    late_minutes BIGINT
);
CREATE INDEX submissions_office_day ON submissions(office_id, day);

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
    note TEXT NOT NULL,
    -- xinbao_core::scoring::month_index(day): the key of score_months.
    month BIGINT NOT NULL
);
-- Sums over days at a period's ends (covering); adopted items counted once per unit and per
-- person (covering, in group order: a year's count streams instead of sorting a year of
-- rows); drill-downs by unit and by person; an item's own points.
CREATE INDEX score_events_office_day ON score_events(office_id, day, unit_id, author_id, rule, centi);
CREATE INDEX score_events_adopted_unit ON score_events(office_id, source_kind, unit_id, day, item_id);
CREATE INDEX score_events_adopted_author ON score_events(office_id, source_kind, author_id, day, item_id);
CREATE INDEX score_events_unit ON score_events(office_id, unit_id, day);
CREATE INDEX score_events_author ON score_events(office_id, author_id, day);
CREATE INDEX score_events_item ON score_events(item_id);

-- Monthly totals of score_events, kept in the same transaction as every event written or
-- removed: a year's ranking sums twelve months, not a year of events.
CREATE TABLE score_months (
    office_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    submitted BIGINT NOT NULL,
    centi BIGINT NOT NULL,
    PRIMARY KEY (office_id, month, unit_id, author_id)
);

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
INSERT INTO submissions (item_id, office_id, author_id, unit_id, day)
    SELECT i.id, i.office_id, i.author_id, i.unit_id, (MIN(r.at) + 28800000) / 86400000
    FROM items i JOIN item_revisions r ON r.item_id = i.id AND r.state = 'submitted'
    WHERE i.office_id IS NOT NULL
    GROUP BY i.id, i.office_id, i.author_id, i.unit_id;
INSERT INTO score_events (office_id, day, source_kind, source_id, item_id, author_id, unit_id, rule, centi, note, month)
    SELECT office_id, day, 'submission', 0, item_id, author_id, unit_id, 'submission', 100, '', CAST(EXTRACT(YEAR FROM DATE '1970-01-01' + CAST(day AS INTEGER)) AS BIGINT) * 12 + CAST(EXTRACT(MONTH FROM DATE '1970-01-01' + CAST(day AS INTEGER)) AS BIGINT) - 1 FROM submissions;
INSERT INTO score_months (office_id, month, unit_id, author_id, submitted, centi)
    SELECT office_id, month, unit_id, author_id, COUNT(*), SUM(centi) FROM score_events GROUP BY office_id, month, unit_id, author_id;
INSERT INTO settings (key, value) VALUES ('adoption_rate_floor', '30');
