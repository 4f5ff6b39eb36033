import { describe, expect, it } from 'vitest';
import { LOCK_MODES, blockedWorkloads, conflicts, strongerLock } from './lock-modes';

describe('lock modes', () => {
  it('has a symmetric conflict matrix', () => {
    for (const a of LOCK_MODES) for (const b of LOCK_MODES) expect(conflicts(a, b)).toBe(conflicts(b, a));
  });

  it('orders modes so that a stronger mode conflicts with everything a weaker one does, but for two pairs', () => {
    const unordered: string[] = [];
    for (let i = 0; i < LOCK_MODES.length; i++) {
      for (let j = i + 1; j < LOCK_MODES.length; j++) {
        const weaker = LOCK_MODES[i]!;
        const stronger = LOCK_MODES[j]!;
        if (LOCK_MODES.some((other) => conflicts(weaker, other) && !conflicts(stronger, other))) {
          unordered.push(`${weaker}<${stronger}`);
        }
      }
    }
    // ShareLock does not conflict with itself, but both weaker modes conflict with ShareLock.
    expect(unordered).toEqual(['RowExclusiveLock<ShareLock', 'ShareUpdateExclusiveLock<ShareLock']);
    expect(strongerLock('ShareLock', 'RowExclusiveLock')).toBe('ShareLock');
    expect(strongerLock(undefined, 'AccessShareLock')).toBe('AccessShareLock');
  });

  it('says what waits behind the locks migrations take', () => {
    expect(blockedWorkloads('AccessExclusiveLock')).toEqual(['reads', 'writes', 'selectForUpdate', 'ddl', 'maintenance']);
    expect(blockedWorkloads('ShareLock')).toEqual(['writes', 'ddl', 'maintenance']);
    expect(blockedWorkloads('ShareUpdateExclusiveLock')).toEqual(['ddl', 'maintenance']);
    expect(blockedWorkloads('ShareRowExclusiveLock')).toEqual(['writes', 'ddl', 'maintenance']);
    expect(blockedWorkloads('AccessShareLock')).toEqual(['ddl']);
  });
});
