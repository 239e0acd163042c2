-- 017_followers: how many people could see the bot in each place of a
-- platform (the members of a Discord server), counted by serve at start
-- and then every hour, so a report on a past period says how followers
-- changed. A count, a place and a time: nothing personal, so the
-- retention purge leaves these rows.
CREATE TABLE followers (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    place      TEXT    NOT NULL,
    place_name TEXT    NOT NULL DEFAULT '',
    count      INTEGER NOT NULL,
    at         TEXT    NOT NULL
);
CREATE INDEX followers_place_at ON followers (platform, place, at);
