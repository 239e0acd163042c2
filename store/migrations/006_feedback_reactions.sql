-- 006_feedback_reactions: a citizen's feedback on a reply keeps each
-- emoji apart. On Discord one citizen may hold 👍 and 👎 on the same reply
-- at once; with one value per citizen and reply, taking one of them away
-- lost the rating although the other was still there.
--
-- helpful / not_helpful say whether the citizen holds 👍 / 👎 now, and
-- helpful_at / not_helpful_at when that emoji last changed (added or taken
-- away; NULL: never seen), so that an event delivered late, older than the
-- last change of its emoji, is ignored. value stays the rating counted,
-- derived from what remains at each change (see store/feedback.go), and
-- rated_at is when the emoji it counts was added (NULL when value is 0):
-- reports count a rating in the period it was given. at stays the time of
-- the row's last change (the retention purge goes by it).
--
-- Existing rows: +1 holds 👍, -1 holds 👎, each added at the row's time;
-- the other emoji was never seen. 0 (withdrawn) holds neither, both taken
-- away at the row's time. Nothing is counted differently.

ALTER TABLE feedback ADD COLUMN helpful INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback ADD COLUMN helpful_at TEXT;
ALTER TABLE feedback ADD COLUMN not_helpful INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feedback ADD COLUMN not_helpful_at TEXT;
ALTER TABLE feedback ADD COLUMN rated_at TEXT;

UPDATE feedback SET
    helpful        = value > 0,
    helpful_at     = CASE WHEN value >= 0 THEN at END,
    not_helpful    = value < 0,
    not_helpful_at = CASE WHEN value <= 0 THEN at END,
    rated_at       = CASE WHEN value <> 0 THEN at END;

-- Reports read ratings by the time they were given, no longer by the
-- row's last change.
DROP INDEX feedback_at;
CREATE INDEX feedback_rated ON feedback (rated_at) WHERE rated_at IS NOT NULL;
