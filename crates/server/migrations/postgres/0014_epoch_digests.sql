-- Stored results keep a digest of the mutation they answered: a replayed mid that asks
-- something else (a rolled-back or copied browser profile) is refused, never answered from the
-- store. The server's epoch changes with every restore from a backup. Each account has a
-- secret its sessions may read, under which devices also wrap their local data key, so a
-- password reset elsewhere never makes a device's sealed drafts unreadable.
ALTER TABLE mutation_results ADD COLUMN digest TEXT;
-- When a client id was found reusing a mid: its PC goes back in time, and comes back with it.
ALTER TABLE sync_clients ADD COLUMN went_back_at BIGINT;
CREATE TABLE server_meta (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL
);
INSERT INTO server_meta (id, epoch) VALUES (1, md5(random()::text || clock_timestamp()::text));
ALTER TABLE users ADD COLUMN device_secret TEXT;
-- When the session last proved the password (login, or a password change through it): the
-- device secret is released only to a session that did so in the last ten minutes.
ALTER TABLE sessions ADD COLUMN verified_at BIGINT;
-- A comment's key, chosen by the device that wrote it: one comment however often it is sent.
ALTER TABLE comments ADD COLUMN comment_key TEXT;
CREATE UNIQUE INDEX comments_key ON comments(item_id, author_id, comment_key);
