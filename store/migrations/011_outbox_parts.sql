-- 011_outbox_parts: the messages a reply was posted as before its last,
-- when it was too long for one (bot.MessageRef.Earlier). outbox.ref_id is
-- the last, which carries the feedback reactions; a citizen's reply or
-- reaction to any earlier part is to the same reply, found through here.
-- Replies delivered before this migration have their last message only.

CREATE TABLE outbox_parts (
    outbox_id INTEGER NOT NULL REFERENCES outbox (id),
    ref_id    TEXT    NOT NULL,
    PRIMARY KEY (outbox_id, ref_id)
);
CREATE INDEX outbox_parts_ref ON outbox_parts (ref_id);
