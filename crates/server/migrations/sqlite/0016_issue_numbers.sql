-- Issue numbers unique in the database itself (SQLite flavour): a 期号 once per publication and year, a
-- 总期号 once per publication, whichever server process saves. Each issue claims its numbers
-- here; an issue saved with a number another holds is refused. Issues numbered alike before
-- this (the earliest keeps its claim) must be renumbered before they are saved again. An
-- issue's revision makes saving it compare-and-set.
CREATE TABLE issue_numbers (
    publication_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    PRIMARY KEY (publication_id, year, number)
);
CREATE INDEX issue_numbers_issue ON issue_numbers (issue_id);
CREATE TABLE issue_totals (
    publication_id INTEGER NOT NULL,
    total_number INTEGER NOT NULL,
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    PRIMARY KEY (publication_id, total_number)
);
CREATE INDEX issue_totals_issue ON issue_totals (issue_id);
INSERT INTO issue_numbers (publication_id, year, number, issue_id)
    SELECT publication_id, year, number, MIN(id) FROM issues GROUP BY publication_id, year, number;
INSERT INTO issue_totals (publication_id, total_number, issue_id)
    SELECT publication_id, total_number, MIN(id) FROM issues GROUP BY publication_id, total_number;
ALTER TABLE issues ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
