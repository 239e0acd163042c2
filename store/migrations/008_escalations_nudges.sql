-- 008_escalations_nudges: an unclaimed escalation is reminded or re-routed
-- a limited number of times in all (engine MaxReminders), then the whole
-- desk is told once and it is left alone. reminders counts only those
-- since it was last routed, so the total is kept apart. Escalations
-- already open start counting from 0.

ALTER TABLE escalations ADD COLUMN nudges INTEGER NOT NULL DEFAULT 0;
