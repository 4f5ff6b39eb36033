ALTER TABLE orders DROP COLUMN IF EXISTS tracking_token;
