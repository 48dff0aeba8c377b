-- Office settings an administrator can change (SQLite flavour): the urgent-report deadline.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('urgent_written_minutes', '60');
