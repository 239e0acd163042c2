-- 012_outbox_unreached_answers: reports count apart the bot's answers that
-- did not reach the citizen: withheld at a switch to phase 1, or refused
-- by the platform for good (failed). Such answers are few; this index
-- lists them, so that a report finds them without looking up the answer
-- to every question of its period.

CREATE INDEX outbox_unreached_answers ON outbox (message_id)
    WHERE kind = 'answer' AND state IN ('withheld', 'failed');
