-- Near-duplicates on submission (issue 25): each submitted item's MinHash signature of title
-- and body (`xinbao_core::quality::Signature`, 16 hex digits per hash), and its 16 band keys
-- with its office and submission day, so a new submission finds the office's items of the last
-- 90 days that might repeat it by their keys and compares only those.
ALTER TABLE items ADD COLUMN minhash TEXT;
CREATE TABLE item_bands (
    office_id BIGINT NOT NULL,
    band_key BIGINT NOT NULL,
    item_id TEXT NOT NULL,
    day BIGINT NOT NULL
);
CREATE INDEX item_bands_key ON item_bands(office_id, band_key, day);
CREATE INDEX item_bands_item ON item_bands(item_id);
