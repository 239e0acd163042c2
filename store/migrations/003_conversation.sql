-- 003_conversation: a channel's recent history (the web chat shows it again
-- after a restart) reads the replies delivered there by time.

CREATE INDEX outbox_sent_channel ON outbox (platform, channel, sent_at) WHERE state = 'sent';
