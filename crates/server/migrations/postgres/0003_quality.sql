-- The writing checks' report, computed by the server on submission (PostgreSQL flavour).
ALTER TABLE items ADD COLUMN quality TEXT NOT NULL DEFAULT '';
