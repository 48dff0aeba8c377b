-- Notices as issued (签发) by the information section (PostgreSQL flavour): the notice's data, its Word
-- and its Excel file, stored once and served as stored. A period with an issued notice is
-- closed: nothing dated inside it changes its points any more.
CREATE TABLE issued_notices (
    office_id BIGINT NOT NULL,
    from_day BIGINT NOT NULL,
    to_day BIGINT NOT NULL,
    body TEXT NOT NULL,
    docx BYTEA NOT NULL,
    xlsx BYTEA NOT NULL,
    issued_by BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    PRIMARY KEY (office_id, from_day, to_day)
);
