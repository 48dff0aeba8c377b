-- The periodical, commissions and urgent reporting (PostgreSQL flavour). An issue of the office's
-- periodical holds items in order; placing one is its adoption (adoption_id). Commissions ask
-- units for items by a deadline; answers are recorded when an answering item is first
-- submitted; a commission is closed once its deadline has passed and its missed units scored.
CREATE TABLE issues (
    id BIGSERIAL PRIMARY KEY,
    office_id BIGINT NOT NULL,
    publication_id BIGINT NOT NULL REFERENCES publications(id),
    year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    total_number BIGINT NOT NULL,
    day BIGINT NOT NULL,
    fields TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    published_at BIGINT
);
CREATE INDEX issues_office ON issues(office_id, publication_id, total_number);

CREATE TABLE issue_items (
    issue_id BIGINT NOT NULL REFERENCES issues(id),
    position BIGINT NOT NULL,
    item_id TEXT NOT NULL,
    adoption_id BIGINT NOT NULL,
    PRIMARY KEY (issue_id, item_id)
);
CREATE INDEX issue_items_item ON issue_items(item_id);

CREATE TABLE commissions (
    id BIGSERIAL PRIMARY KEY,
    office_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT NOT NULL,
    fields TEXT NOT NULL,
    from_day BIGINT NOT NULL,
    deadline_day BIGINT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX commissions_office ON commissions(office_id, deadline_day);

CREATE TABLE commission_units (
    commission_id BIGINT NOT NULL REFERENCES commissions(id),
    unit_id BIGINT NOT NULL,
    PRIMARY KEY (commission_id, unit_id)
);
CREATE INDEX commission_units_unit ON commission_units(unit_id);

CREATE TABLE commission_answers (
    commission_id BIGINT NOT NULL REFERENCES commissions(id),
    item_id TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (commission_id, item_id)
);
CREATE INDEX commission_answers_item ON commission_answers(item_id);
