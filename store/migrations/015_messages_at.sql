-- 015_messages_at: reports count the questions posted in their period, as
-- the archive export lists them, whether purged or not.
CREATE INDEX messages_at ON messages (at);
