-- 002_retention: what the retention purge needs to find its work quickly.
--
-- Purged rows keep their numbers (decisions, states, times) but lose what
-- identifies or was written by a citizen. Each table the purge visits gets a
-- redacted flag (messages had one from the start) and a partial index on its
-- time over the rows not yet redacted, so an hourly purge reads only what is
-- left to do, however many years of redacted rows the file holds.

CREATE INDEX messages_unredacted ON messages (at) WHERE redacted = 0;

ALTER TABLE escalation_askers ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX escalation_askers_unredacted ON escalation_askers (asked_at) WHERE redacted = 0;

CREATE INDEX escalations_unredacted ON escalations (updated_at) WHERE question <> '';

ALTER TABLE outbox ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_unredacted ON outbox (created_at) WHERE redacted = 0;

ALTER TABLE feedback ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX feedback_unredacted ON feedback (at) WHERE redacted = 0;
