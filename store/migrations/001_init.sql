-- 001_init: the first schema.
--
-- Conventions: times are TEXT in UTC, fixed width with nanoseconds
-- ("2006-01-02T15:04:05.000000000Z") so that they sort and compare as text;
-- NULL means "not yet" (zero time). Ids that may be absent are NULL, never 0.
-- Structured values that nothing queries on (addresses, replies, notices,
-- suggestions, channel lists) are JSON text.
--
-- Privacy: what a citizen wrote verbatim lives in messages.text only; the
-- masked copies are escalations.question and escalation_askers.question.
-- messages.redacted marks rows whose text and author were purged.

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    platform        TEXT    NOT NULL,
    platform_id     TEXT    NOT NULL,            -- the platform's message id
    channel         TEXT    NOT NULL,            -- channel key "platform:id"
    thread_id       TEXT    NOT NULL DEFAULT '',
    author_id       TEXT    NOT NULL DEFAULT '',
    author_name     TEXT    NOT NULL DEFAULT '',
    author_bot      INTEGER NOT NULL DEFAULT 0,
    text            TEXT    NOT NULL DEFAULT '',
    redacted        INTEGER NOT NULL DEFAULT 0,
    mentioned       INTEGER NOT NULL DEFAULT 0,
    dm              INTEGER NOT NULL DEFAULT 0,
    reply_to_bot    INTEGER NOT NULL DEFAULT 0,
    in_help_channel INTEGER NOT NULL DEFAULT 0,
    at              TEXT    NOT NULL,            -- posted (platform time)
    created_at      TEXT    NOT NULL,            -- recorded
    UNIQUE (platform, platform_id)
);
CREATE INDEX messages_channel ON messages (channel, at);

CREATE TABLE escalations (
    id           INTEGER PRIMARY KEY,
    state        TEXT    NOT NULL,
    lang         TEXT    NOT NULL DEFAULT '',
    topic        TEXT    NOT NULL DEFAULT '',
    question     TEXT    NOT NULL DEFAULT '',
    suggestions  TEXT    NOT NULL DEFAULT 'null',  -- JSON [bot.Hit]
    channel      TEXT    NOT NULL DEFAULT '',
    routed_to    TEXT    NOT NULL DEFAULT '',
    routed_at    TEXT,
    reminders    INTEGER NOT NULL DEFAULT 0,
    reroutes     INTEGER NOT NULL DEFAULT 0,
    claimed_by   TEXT    NOT NULL DEFAULT '',
    claimed_at   TEXT,
    answered_by  TEXT    NOT NULL DEFAULT '',
    answered_at  TEXT,
    closed_by    TEXT    NOT NULL DEFAULT '',
    close_reason TEXT    NOT NULL DEFAULT '',
    closed_at    TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    desk_ref     TEXT    NOT NULL DEFAULT '',
    desk_version INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX escalations_state ON escalations (state, created_at);
CREATE INDEX escalations_lang ON escalations (lang, created_at);
CREATE INDEX escalations_topic ON escalations (topic, created_at);
CREATE INDEX escalations_channel ON escalations (channel, created_at);
CREATE INDEX escalations_created ON escalations (created_at);
CREATE INDEX escalations_desk_ref ON escalations (desk_ref) WHERE desk_ref <> '';
CREATE INDEX escalations_desk_backlog ON escalations (id) WHERE desk_ref = '' OR desk_version < version;
CREATE INDEX escalations_reminder ON escalations (routed_at) WHERE state = 'open';

CREATE TABLE escalation_askers (
    message_id    INTEGER PRIMARY KEY REFERENCES messages (id),
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    address       TEXT    NOT NULL,              -- JSON bot.Address
    lang          TEXT    NOT NULL DEFAULT '',
    question      TEXT    NOT NULL DEFAULT '',   -- masked
    asked_at      TEXT    NOT NULL,
    relayed_at    TEXT
);
CREATE INDEX escalation_askers_escalation ON escalation_askers (escalation_id, asked_at);
CREATE INDEX escalation_askers_asked ON escalation_askers (asked_at);

CREATE TABLE decisions (
    message_id    INTEGER PRIMARY KEY REFERENCES messages (id),
    action        TEXT    NOT NULL,
    reason        TEXT    NOT NULL DEFAULT '',
    phase         INTEGER NOT NULL DEFAULT 0,
    lang          TEXT    NOT NULL DEFAULT '',
    lang_source   TEXT    NOT NULL DEFAULT '',
    lang_conf     REAL    NOT NULL DEFAULT 0,
    entry_id      TEXT    NOT NULL DEFAULT '',
    confidence    REAL    NOT NULL DEFAULT 0,
    would         TEXT    NOT NULL DEFAULT '',
    escalation_id INTEGER REFERENCES escalations (id),
    addressed     INTEGER NOT NULL DEFAULT 0,    -- a question to the bot: counted in reports
    at            TEXT    NOT NULL
);
CREATE INDEX decisions_at ON decisions (at);

CREATE TABLE staff_answers (
    id            INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL REFERENCES escalations (id),
    staff_id      TEXT    NOT NULL DEFAULT '',
    desk_user_id  TEXT    NOT NULL DEFAULT '',
    event_id      TEXT    UNIQUE,                -- NULL when the desk gave none
    text          TEXT    NOT NULL DEFAULT '',
    lang          TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL,
    entry_id      TEXT    NOT NULL DEFAULT '',
    at            TEXT    NOT NULL
);
CREATE INDEX staff_answers_escalation ON staff_answers (escalation_id, id);

CREATE TABLE broadcasts (
    id         INTEGER PRIMARY KEY,
    en         TEXT    NOT NULL,
    fr         TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    channels   TEXT    NOT NULL DEFAULT 'null',  -- JSON [channel key]
    created_by TEXT    NOT NULL DEFAULT '',
    via        TEXT    NOT NULL DEFAULT '',
    state      TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX broadcasts_due ON broadcasts (at) WHERE state = 'scheduled';

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,           -- To.Platform; "desk" for the staff desk
    channel          TEXT    NOT NULL DEFAULT '',-- To.ChannelID
    address          TEXT    NOT NULL,           -- JSON bot.Address
    kind             TEXT    NOT NULL DEFAULT '',
    key              TEXT    UNIQUE,             -- Reply.Key; NULL when none
    reply            TEXT    NOT NULL,           -- JSON bot.Reply
    notice           TEXT,                       -- JSON bot.Notice
    message_id       INTEGER REFERENCES messages (id),
    escalation_id    INTEGER REFERENCES escalations (id),
    asker_message_id INTEGER REFERENCES messages (id),
    broadcast_id     INTEGER REFERENCES broadcasts (id),
    state            TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    not_before       TEXT,
    ref_platform     TEXT    NOT NULL DEFAULT '',
    ref_channel      TEXT    NOT NULL DEFAULT '',
    ref_id           TEXT    NOT NULL DEFAULT '',
    err              TEXT    NOT NULL DEFAULT '',
    created_at       TEXT    NOT NULL,
    sent_at          TEXT
);
CREATE INDEX outbox_pending ON outbox (platform, id) WHERE state = 'pending';
CREATE INDEX outbox_ref ON outbox (ref_platform, ref_id) WHERE ref_id <> '';
CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX outbox_asker ON outbox (asker_message_id) WHERE asker_message_id IS NOT NULL;
CREATE INDEX outbox_escalation ON outbox (escalation_id) WHERE escalation_id IS NOT NULL;
CREATE INDEX outbox_broadcast ON outbox (broadcast_id) WHERE broadcast_id IS NOT NULL;

CREATE TABLE phase_changes (
    id         INTEGER PRIMARY KEY,
    channel    TEXT    NOT NULL DEFAULT '',      -- "" for the global phase
    from_phase INTEGER NOT NULL DEFAULT 0,
    to_phase   INTEGER NOT NULL,                 -- 0 on a channel: override removed
    actor      TEXT    NOT NULL,
    via        TEXT    NOT NULL DEFAULT '',
    reason     TEXT    NOT NULL,
    at         TEXT    NOT NULL
);

CREATE TABLE drafts (
    id            INTEGER PRIMARY KEY,
    escalation_id INTEGER REFERENCES escalations (id),
    entry_id      TEXT    NOT NULL DEFAULT '',
    topic         TEXT    NOT NULL DEFAULT '',
    question_en   TEXT    NOT NULL DEFAULT '',
    answer_en     TEXT    NOT NULL DEFAULT '',
    question_fr   TEXT    NOT NULL DEFAULT '',
    answer_fr     TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL,
    created_by    TEXT    NOT NULL DEFAULT '',
    approved_by   TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX drafts_state ON drafts (state, created_at);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT    NOT NULL,
    actor   TEXT    NOT NULL DEFAULT '',
    via     TEXT    NOT NULL DEFAULT '',
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL DEFAULT '',
    detail  TEXT    NOT NULL DEFAULT '',
    allowed INTEGER NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE feedback (
    id        INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id),
    user_id   TEXT    NOT NULL,
    value     INTEGER NOT NULL,                  -- +1, -1, or 0 when withdrawn
    at        TEXT    NOT NULL,
    UNIQUE (outbox_id, user_id)
);
CREATE INDEX feedback_at ON feedback (at);
