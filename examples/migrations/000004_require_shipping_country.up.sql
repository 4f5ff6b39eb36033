-- Risky: SET NOT NULL scans all of orders for NULLs while holding AccessExclusiveLock.
ALTER TABLE orders ALTER COLUMN shipping_country SET NOT NULL;
