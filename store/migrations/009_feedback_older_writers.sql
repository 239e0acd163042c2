-- 009_feedback_older_writers: feedback written by a build from before
-- 006 still counts. Such a build may still be running on this file after a
-- newer one migrated it (a daemon not yet restarted while `liaison report`
-- or `liaison purge` of the new release opens the database): it sets only
-- value and at, so its ratings had no rated_at and were never counted.
--
-- These triggers read what such a build writes as 006 read the rows that
-- were there: +1 holds 👍, -1 holds 👎, each added at the row's time, and
-- 0 holds neither. They recognise its writes by what this build always
-- changes and it never does: an insert with no emoji seen, an update of
-- value or at that leaves the emoji columns and rated_at as they were.
-- (This build inserts a row only with an emoji's time set, and changes at
-- least one emoji column whenever it updates one; the retention purge does
-- not touch value or at.)

CREATE TRIGGER feedback_inserted_by_older_build AFTER INSERT ON feedback
    WHEN new.helpful_at IS NULL AND new.not_helpful_at IS NULL AND new.rated_at IS NULL
BEGIN
    UPDATE feedback SET
        helpful        = new.value > 0,
        helpful_at     = CASE WHEN new.value >= 0 THEN new.at END,
        not_helpful    = new.value < 0,
        not_helpful_at = CASE WHEN new.value <= 0 THEN new.at END,
        rated_at       = CASE WHEN new.value <> 0 THEN new.at END
    WHERE id = new.id;
END;

CREATE TRIGGER feedback_updated_by_older_build AFTER UPDATE OF value, at ON feedback
    WHEN (new.value IS NOT old.value OR new.at IS NOT old.at)
        AND new.helpful IS old.helpful AND new.helpful_at IS old.helpful_at
        AND new.not_helpful IS old.not_helpful AND new.not_helpful_at IS old.not_helpful_at
        AND new.rated_at IS old.rated_at
BEGIN
    UPDATE feedback SET
        helpful        = new.value > 0,
        helpful_at     = CASE WHEN new.value >= 0 THEN new.at END,
        not_helpful    = new.value < 0,
        not_helpful_at = CASE WHEN new.value <= 0 THEN new.at END,
        rated_at       = CASE WHEN new.value <> 0 THEN new.at END
    WHERE id = new.id;
END;
