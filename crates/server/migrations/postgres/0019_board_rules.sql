-- The board's rules, versioned (PostgreSQL flavour): the adoption-rate floor and each unit's class and
-- quotas in force from a day on (JSON, `xinbao_core::scoring::BoardRules`). Written when an
-- administrator changes a class's quotas, a unit's class or the floor — the rules as they stood
-- kept first — so a past period's board and notice read the rules of their own days.
CREATE TABLE board_rules (
    office_id BIGINT NOT NULL,
    effective_from BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (office_id, effective_from)
);
