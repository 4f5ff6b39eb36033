ALTER TABLE orders ALTER COLUMN shipping_country DROP NOT NULL;
