-- The review queue reads a page in its own order (urgent first, then oldest) straight off an
-- index instead of sorting every matching item: one index for a chosen state, one for all.
CREATE INDEX items_queue_state ON items(office_id, state, (CASE WHEN item_type = 'urgent' THEN 0 ELSE 1 END), updated_at);
CREATE INDEX items_queue_all ON items(office_id, (CASE WHEN item_type = 'urgent' THEN 0 ELSE 1 END), updated_at);
