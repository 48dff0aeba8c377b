-- Browsers an account has logged in from before (OWASP's device cookies): a correct password
-- from one of them is not held up by failures from elsewhere (PostgreSQL flavour).
CREATE TABLE login_devices (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX login_devices_user ON login_devices (user_id);
