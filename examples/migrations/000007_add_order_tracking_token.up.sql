-- Safe version of 000003: both statements only change the catalog (a brief AccessExclusiveLock, no rewrite).
-- New orders get a token from the default; existing ones are backfilled in batches outside the migration.
SET lock_timeout = '5s';

ALTER TABLE orders ADD COLUMN tracking_token uuid;
ALTER TABLE orders ALTER COLUMN tracking_token SET DEFAULT gen_random_uuid();
