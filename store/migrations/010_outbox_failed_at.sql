-- 010_outbox_failed_at: when an outbox item was given up on (state
-- failed). The engine gives an escalation whose relay failed for good back
-- to its author only while the failure is recent (bot.Engine's
-- reopenWithin), so that after a restart or an upgrade old failures do not
-- all come back to the desk at once.
--
-- Items failed before this migration, or by a build from before it still
-- running on this file, have none: readers take the last time known of
-- such an item instead, its last retry (not_before), else when it was
-- queued (created_at); it failed at or after it.

ALTER TABLE outbox ADD COLUMN failed_at TEXT;
