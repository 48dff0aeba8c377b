-- Who may read a photo (SQLite flavour): whoever proved they hold its bytes (uploaded them),
-- and whoever may see an item that names it, in any of its revisions. Filled from what is
-- already stored.
CREATE TABLE attachment_holders (
    sha256 TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (sha256, user_id)
);
INSERT INTO attachment_holders (sha256, user_id) SELECT sha256, uploaded_by FROM attachments;

CREATE TABLE item_attachments (
    item_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (sha256, item_id)
);
INSERT OR IGNORE INTO item_attachments (item_id, sha256)
    SELECT r.item_id, json_extract(p.value, '$.sha256')
    FROM item_revisions r, json_each(r.content, '$.photos') p
    WHERE json_valid(r.content) AND json_extract(p.value, '$.sha256') IS NOT NULL;
