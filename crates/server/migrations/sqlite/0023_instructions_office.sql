-- The home page lists the office's instructions still without feedback: each instruction
-- carries its item's office, and those waiting are one index range (the home page read every
-- instruction and looked its item up: 75 ms for a province's 10,000).
ALTER TABLE instructions ADD COLUMN office_id INTEGER;
UPDATE instructions SET office_id = (SELECT items.office_id FROM items WHERE items.id = instructions.item_id);
CREATE INDEX instructions_waiting ON instructions(office_id, day) WHERE feedback IS NULL;
