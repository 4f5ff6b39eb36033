-- Risky: a plain CREATE INDEX holds ShareLock on orders while it builds; every INSERT/UPDATE/DELETE waits.
CREATE INDEX orders_created_at_idx ON orders (created_at);
