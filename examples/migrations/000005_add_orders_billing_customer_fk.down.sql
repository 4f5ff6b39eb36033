ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_billing_customer_id_fkey;
