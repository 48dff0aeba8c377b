-- Who may read a photo (PostgreSQL flavour): whoever proved they hold its bytes (uploaded them),
-- and whoever may see an item that names it, in any of its revisions. Filled from what is
-- already stored.
CREATE TABLE attachment_holders (
    sha256 TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (sha256, user_id)
);
INSERT INTO attachment_holders (sha256, user_id) SELECT sha256, uploaded_by FROM attachments;

CREATE TABLE item_attachments (
    item_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (sha256, item_id)
);
INSERT INTO item_attachments (item_id, sha256)
    SELECT DISTINCT r.item_id, p->>'sha256'
    FROM item_revisions r, jsonb_array_elements(CASE WHEN jsonb_typeof(r.content::jsonb -> 'photos') = 'array'
                                                     THEN r.content::jsonb -> 'photos' ELSE '[]'::jsonb END) p
    WHERE p->>'sha256' IS NOT NULL;
