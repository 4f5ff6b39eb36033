/**
 * PostgreSQL's table-level lock modes and their conflict matrix, as in the documentation's "Conflicting Lock
 * Modes" table (https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES). Unchanged from
 * PostgreSQL 8.x through 18. Names follow `pg_locks.mode`.
 */
export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

/**
 * PostgreSQL's lock-mode numbering (lockdefs.h: AccessShareLock = 1 … AccessExclusiveLock = 8), used to keep "the
 * strongest mode" per relation. It is not a total order by conflicts: ShareLock does not conflict with itself,
 * while RowExclusiveLock and ShareUpdateExclusiveLock conflict with ShareLock, so ShareLock does not dominate
 * those two; every other pair is ordered.
 */
export function lockStrength(mode: LockMode): number {
  return LOCK_MODES.indexOf(mode);
}

export function strongerLock(a: LockMode | undefined, b: LockMode): LockMode {
  return a === undefined || lockStrength(b) > lockStrength(a) ? b : a;
}

export function isLockMode(value: string): value is LockMode {
  return (LOCK_MODES as readonly string[]).includes(value);
}

/** CONFLICTS[m] = the modes that conflict with m (symmetric). */
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  AccessShareLock: ['AccessExclusiveLock'],
  RowShareLock: ['ExclusiveLock', 'AccessExclusiveLock'],
  RowExclusiveLock: ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareUpdateExclusiveLock: [
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  ShareLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareRowExclusiveLock: [
    'RowExclusiveLock',
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  ExclusiveLock: [
    'RowShareLock',
    'RowExclusiveLock',
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  AccessExclusiveLock: LOCK_MODES,
};

export function conflicts(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

/** The concurrent work a user cares about, and the lock each takes on the table it touches. */
export const WORKLOADS = {
  reads: { lock: 'AccessShareLock', label: 'SELECT' },
  writes: { lock: 'RowExclusiveLock', label: 'INSERT/UPDATE/DELETE' },
  selectForUpdate: { lock: 'RowShareLock', label: 'SELECT … FOR UPDATE/SHARE' },
  ddl: { lock: 'AccessExclusiveLock', label: 'DDL (most ALTER TABLE)' },
  maintenance: { lock: 'ShareUpdateExclusiveLock', label: 'VACUUM, autovacuum, ANALYZE, CREATE INDEX CONCURRENTLY' },
} as const satisfies Record<string, { lock: LockMode; label: string }>;

export type Workload = keyof typeof WORKLOADS;

/** Which kinds of concurrent work wait while `mode` is held. */
export function blockedWorkloads(mode: LockMode): Workload[] {
  return (Object.keys(WORKLOADS) as Workload[]).filter((w) => conflicts(mode, WORKLOADS[w].lock));
}
