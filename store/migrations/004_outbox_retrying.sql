-- 004_outbox_retrying: an item waiting to retry holds the items after it in
-- its channel (Pending); this finds such items without reading every
-- pending item of the platform.

CREATE INDEX outbox_retrying ON outbox (platform, channel, id) WHERE state = 'pending' AND attempts > 0;
