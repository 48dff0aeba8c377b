-- The periodical, commissions and urgent reporting (SQLite flavour). An issue of the office's
-- periodical holds items in order; placing one is its adoption (adoption_id). Commissions ask
-- units for items by a deadline; answers are recorded when an answering item is first
-- submitted; a commission is closed once its deadline has passed and its missed units scored.
CREATE TABLE issues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id INTEGER NOT NULL,
    publication_id INTEGER NOT NULL REFERENCES publications(id),
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    total_number INTEGER NOT NULL,
    day INTEGER NOT NULL,
    fields TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    published_at INTEGER
);
CREATE INDEX issues_office ON issues(office_id, publication_id, total_number);

CREATE TABLE issue_items (
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    position INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    adoption_id INTEGER NOT NULL,
    PRIMARY KEY (issue_id, item_id)
);
CREATE INDEX issue_items_item ON issue_items(item_id);

CREATE TABLE commissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT NOT NULL,
    fields TEXT NOT NULL,
    from_day INTEGER NOT NULL,
    deadline_day INTEGER NOT NULL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    closed_at INTEGER
);
CREATE INDEX commissions_office ON commissions(office_id, deadline_day);

CREATE TABLE commission_units (
    commission_id INTEGER NOT NULL REFERENCES commissions(id),
    unit_id INTEGER NOT NULL,
    PRIMARY KEY (commission_id, unit_id)
);
CREATE INDEX commission_units_unit ON commission_units(unit_id);

CREATE TABLE commission_answers (
    commission_id INTEGER NOT NULL REFERENCES commissions(id),
    item_id TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (commission_id, item_id)
);
CREATE INDEX commission_answers_item ON commission_answers(item_id);
