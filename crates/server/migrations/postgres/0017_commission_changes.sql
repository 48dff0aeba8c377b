-- Commissions that change (PostgreSQL flavour). A commission can be withdrawn by its office: from then on it
-- asks nothing, no answer is recorded for it, and it scores nobody (its events are removed
-- when it is withdrawn). The units a commission penalised are kept as facts, decided when it
-- closed (a unit that moved to another office before then is never penalised by this one), so
-- scoring the past again never re-decides them from today's unit tree; the commissions
-- closed before this are filled in from their answers.
ALTER TABLE commissions ADD COLUMN withdrawn_at BIGINT;
CREATE TABLE commission_missed (
    commission_id BIGINT NOT NULL REFERENCES commissions(id),
    unit_id BIGINT NOT NULL,
    PRIMARY KEY (commission_id, unit_id)
);
INSERT INTO commission_missed (commission_id, unit_id)
    SELECT cu.commission_id, cu.unit_id FROM commission_units cu JOIN commissions c ON c.id = cu.commission_id
    WHERE c.closed_at IS NOT NULL AND c.kind = 'targeted'
      AND NOT EXISTS (SELECT 1 FROM commission_answers a JOIN items i ON i.id = a.item_id
                      WHERE a.commission_id = c.id AND a.unit_id = cu.unit_id
                      AND a.submitted_at < (c.deadline_day + 1) * 86400000 - 28800000
                      AND i.state NOT IN ('draft', 'deleted'));
