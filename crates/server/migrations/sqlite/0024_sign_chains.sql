-- Sign-off chains (issue 24): each office's signing levels, who holds them and which levels
-- sign what (one JSON document, checked by xinbao_core::signoff::SignSetup::check before it
-- is stored), and on each item the chain it was sent into, frozen when it went for sign-off.
CREATE TABLE sign_setups (
    office_id INTEGER PRIMARY KEY REFERENCES units(id),
    setup TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users(id)
);
ALTER TABLE items ADD COLUMN signing TEXT;
