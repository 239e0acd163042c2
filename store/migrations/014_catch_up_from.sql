-- 014_catch_up_from: where a channel's catch-up after a restart (Discord)
-- starts reading, recorded before it reads and forgotten once the channel
-- was read. A channel whose catch-up did not finish (Discord failing, the
-- bot stopped again) keeps it, and the next start reads from there even
-- if a message was since recorded in the channel live.

CREATE TABLE catch_up_from (
    platform TEXT NOT NULL,
    channel  TEXT NOT NULL, -- the platform's id of the channel or thread
    after_id TEXT NOT NULL, -- the channel is read after this message id
    PRIMARY KEY (platform, channel)
) WITHOUT ROWID;
