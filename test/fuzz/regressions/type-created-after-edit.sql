-- Fuzz regression, found by `npm run fuzz` (seed 1, cases 3210, 3595, 7385, 7576, 8279: statements of a corpus file
-- swapped, truncated or spliced) on 2026-11-22. ALTER COLUMN … TYPE kind_old ran first with the type created above
-- it, then (after the edit) with the type created below it: the incremental analysis kept the cached finding that
-- named public.kind_old, a fresh one said kind_old (unknown). The cache did not note the type name: the lock
-- model's resolveType is asked with a TypeName, which no digested argument covered (server/src/analysis/file-context.ts).
CREATE TYPE kind_old AS ENUM ('a', 'b');

ALTER TABLE modlog DROP CONSTRAINT IF EXISTS modlog_check;

ALTER TABLE modlog ALTER COLUMN kind TYPE kind_old USING kind::text::kind_old;

DROP TYPE kind;
-- fuzz-edit --


DROP TYPE kind;
ALTER TABLE modlog DROP CONSTRAINT IF EXISTS modlog_check;

ALTER TABLE modlog ALTER COLUMN kind TYPE kind_old USING kind::text::kind_old;

CREATE TYPE kind_old AS ENUM ('a', 'b');
