-- A commission can be withdrawn by its office (SQLite flavour): from then on it asks nothing, no answer
-- is recorded for it, and it scores nobody (its events are removed when it is withdrawn).
ALTER TABLE commissions ADD COLUMN withdrawn_at INTEGER;
