-- The writing checks' report, computed by the server on submission (SQLite flavour).
ALTER TABLE items ADD COLUMN quality TEXT NOT NULL DEFAULT '';
