-- Risky: gen_random_uuid() is VOLATILE, so PostgreSQL computes it for every existing row and rewrites the whole
-- orders table and its indexes under AccessExclusiveLock: no reads, no writes until it is done.
-- (000007 shows the safe way.) One statement, one clear effect: a good file to rehearse.
ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
