// The e2e suites rely on GroupProcess to leave nothing running; this runs in `npm test` (no editor needed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GroupProcess, groupMembers } from './process-group';

const logDir = mkdtempSync(join(tmpdir(), 'lockstep-process-group-'));
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

describe('GroupProcess', () => {
  it('stops children that outlive the leader', async () => {
    // The leader starts a background sleeper and exits at once, as code-server's launcher leaves its server behind.
    const leader = GroupProcess.start('sh', ['-c', 'sleep 30 & echo started'], { logFile: join(logDir, 'orphan.log') });
    await leader.waitForOutput(/started/, 5000);
    await leader.exited;
    expect(groupMembers(leader.pid).length).toBe(1); // the orphaned sleeper, still in the group
    await leader.stop(1000);
    expect(groupMembers(leader.pid)).toEqual([]);
  });

  it('kills what ignores SIGTERM once the grace period is over', async () => {
    const stubborn = GroupProcess.start('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], { logFile: join(logDir, 'stubborn.log') });
    await stubborn.waitForOutput(/ready/, 5000);
    const started = Date.now();
    await stubborn.stop(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(groupMembers(stubborn.pid)).toEqual([]);
    expect((await stubborn.exited).signal).toBe('SIGKILL');
  });

  it('fails waitForExit after its timeout and leaves nothing running', async () => {
    const hanging = GroupProcess.start('sleep', ['30'], { logFile: join(logDir, 'hanging.log') });
    await expect(hanging.waitForExit(200)).rejects.toThrow(/did not finish within 200 ms/);
    expect(groupMembers(hanging.pid)).toEqual([]);
  });
});
