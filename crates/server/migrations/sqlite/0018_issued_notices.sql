-- Notices as issued (签发) by the information section (SQLite flavour): the notice's data, its Word
-- and its Excel file, stored once and served as stored. A period with an issued notice is
-- closed: nothing dated inside it changes its points any more.
CREATE TABLE issued_notices (
    office_id INTEGER NOT NULL,
    from_day INTEGER NOT NULL,
    to_day INTEGER NOT NULL,
    body TEXT NOT NULL,
    docx BLOB NOT NULL,
    xlsx BLOB NOT NULL,
    issued_by INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    PRIMARY KEY (office_id, from_day, to_day)
);
