-- 005_escalations_claimed: the reminder check finds the escalations claimed
-- by someone no longer on the staff roster (DueForReminder) among the
-- claimed ones only.

CREATE INDEX escalations_claimed ON escalations (claimed_by, routed_at) WHERE state = 'claimed';
