-- Failed logins per account name and per address, for rate limiting across server processes (PostgreSQL flavour).
CREATE TABLE login_attempts (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);
