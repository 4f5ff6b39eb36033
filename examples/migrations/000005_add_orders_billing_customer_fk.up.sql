-- Risky: checks every order against customers while holding ShareRowExclusiveLock on both tables, so writes to
-- orders and to customers wait until the check is done.
ALTER TABLE orders
    ADD CONSTRAINT orders_billing_customer_id_fkey
    FOREIGN KEY (billing_customer_id) REFERENCES customers (id);
