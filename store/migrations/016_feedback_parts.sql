-- 016_feedback_parts: which of the messages a reply was posted as (when it
-- was too long for one: outbox_parts) each citizen holds 👍 and 👎 on. A
-- citizen may react on more than one of them; taking an emoji off one
-- leaves it held on the reply while another still holds it, and the
-- rating counted stays. One row per feedback row and message, by the bot's
-- message id: nothing here says who the citizen is (the retention purge
-- replaces the user id of the feedback row only).
--
-- Feedback recorded before has no parts: taking an emoji off any message
-- of its reply takes it off the reply, as before.

CREATE TABLE feedback_parts (
    feedback_id INTEGER NOT NULL REFERENCES feedback (id),
    ref_id      TEXT    NOT NULL,
    helpful     INTEGER NOT NULL DEFAULT 0,
    not_helpful INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (feedback_id, ref_id)
) WITHOUT ROWID;
