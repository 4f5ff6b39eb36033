-- Safe: CONCURRENTLY takes ShareUpdateExclusiveLock, so reads and writes go on while the index builds.
-- It cannot run inside a transaction block, so it is the only statement in this file (golang-migrate sends a
-- file as one query, which PostgreSQL runs as one implicit transaction).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);
