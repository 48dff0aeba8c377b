-- A pull needs only each item's newest change: older ones are dropped as new ones are logged
-- (`items::Pending::flush`), so a pull page reads as many rows as it returns instead of
-- grouping every change after the cursor.
CREATE INDEX change_log_item ON change_log(item_id, seq);
DELETE FROM change_log WHERE seq NOT IN (SELECT MAX(seq) FROM change_log GROUP BY item_id);
