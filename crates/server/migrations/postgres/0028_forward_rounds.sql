-- Forwarding rounds (issue 24 review): one server at a time works a link. A server takes the
-- link's lease for a while and renews it as it goes; entering the link again ends the lease, so
-- a round that began under the old account stops before it sends anything more. After the
-- destination failed, the timer waits longer before the next try; the standing is read at most
-- hourly. A forward whose taking-in failed here is flagged to be read again (retake).
ALTER TABLE upward_links ADD COLUMN round_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE upward_links ADD COLUMN round_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE upward_links ADD COLUMN failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE upward_links ADD COLUMN next_try BIGINT NOT NULL DEFAULT 0;
ALTER TABLE upward_links ADD COLUMN standing_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE forwards ADD COLUMN retake INTEGER NOT NULL DEFAULT 0;
