-- 007_escalation_states: each escalation's state changes, kept, so that a
-- report on a past period counts the escalations waiting at its end (open
-- or claimed then) the same whenever it is run, rather than those waiting
-- now. An escalation's row says only its state now, and its answered_at
-- moves with each follow-up answer.
--
-- Triggers write the history, so every change of state is recorded,
-- whichever statement makes it: one row when an escalation is created
-- (at its created_at) and one each time its state changes (at its new
-- updated_at, which every change of state sets to the time of the change).
-- Nothing else changes an escalation's state; the retention purge does not,
-- and the history holds no citizen's words.
--
-- Existing escalations get what their row still tells: created (open) at
-- created_at, claimed at claimed_at when waiting claimed, and their state
-- now from the time they stopped waiting: closed at closed_at, answered or
-- relayed at their first staff answer queued to the askers (answered_at,
-- else updated_at, when none is recorded). An escalation answered, given
-- back and waiting again before this migration reads as waiting since it
-- was created.

CREATE TABLE escalation_states (
    id            INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    state         TEXT    NOT NULL,
    at            TEXT    NOT NULL
);
CREATE INDEX escalation_states_escalation ON escalation_states (escalation_id, at);

INSERT INTO escalation_states (escalation_id, state, at)
    SELECT id, 'open', created_at FROM escalations ORDER BY id;
INSERT INTO escalation_states (escalation_id, state, at)
    SELECT id, 'claimed', COALESCE(claimed_at, created_at) FROM escalations WHERE state = 'claimed' ORDER BY id;
INSERT INTO escalation_states (escalation_id, state, at)
    SELECT e.id, e.state, CASE e.state WHEN 'closed' THEN COALESCE(e.closed_at, e.updated_at)
        ELSE COALESCE((SELECT MIN(a.at) FROM staff_answers a WHERE a.escalation_id = e.id AND a.status = 'queued'),
            e.answered_at, e.updated_at) END
    FROM escalations e WHERE e.state IN ('answered', 'relayed', 'closed') ORDER BY e.id;

CREATE TRIGGER escalation_created AFTER INSERT ON escalations
BEGIN
    INSERT INTO escalation_states (escalation_id, state, at) VALUES (new.id, new.state, new.created_at);
END;

CREATE TRIGGER escalation_state_changed AFTER UPDATE OF state ON escalations
    WHEN new.state IS NOT old.state
BEGIN
    INSERT INTO escalation_states (escalation_id, state, at) VALUES (new.id, new.state, new.updated_at);
END;
