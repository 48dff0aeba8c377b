-- The review queue's "latest changed first" order reads a page straight off an index.
CREATE INDEX items_office_recent ON items(office_id, updated_at);
