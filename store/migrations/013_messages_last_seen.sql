-- 013_messages_last_seen: at start, the Discord channel catches up on what
-- was posted while it was away, from the newest message recorded in each
-- channel and thread (store.LastSeen). This index holds every column that
-- query reads, in the order it groups them: it reads the index alone, with
-- no sort, rather than every message's row.

CREATE INDEX messages_last_seen ON messages (platform, thread_id, channel, platform_id);
