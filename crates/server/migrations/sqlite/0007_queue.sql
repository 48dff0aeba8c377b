-- The review queue's order within an office: urgent first, then oldest (SQLite flavour).
CREATE INDEX items_office_updated ON items(office_id, updated_at);
