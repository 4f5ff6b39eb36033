// prepareBinaryPackage: a platform package unpacked from a .vsix (no symlinks, mode bits maybe lost) is made
// runnable as npm's postinstall would have left it.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareBinaryPackage } from './embedded-server.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function unpackedPackage(links: Array<{ source: string; target: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-binary-package-'));
  made.push(dir);
  mkdirSync(join(dir, 'native', 'lib'), { recursive: true });
  mkdirSync(join(dir, 'native', 'bin'));
  writeFileSync(join(dir, 'native', 'lib', 'libpq.so.5.17'), 'the library');
  writeFileSync(join(dir, 'native', 'bin', 'initdb'), '#!/bin/sh\n');
  chmodSync(join(dir, 'native', 'bin', 'initdb'), 0o644);
  writeFileSync(join(dir, 'native', 'pg-symlinks.json'), JSON.stringify(links));
  return dir;
}

describe('prepareBinaryPackage', () => {
  it('recreates the library links (relative) and the executables\' mode bits, and is idempotent', () => {
    const dir = unpackedPackage([
      { source: 'native/lib/libpq.so.5.17', target: 'native/lib/libpq.so.5' },
      { source: 'native/lib/libpq.so.5.17', target: 'native/lib/libpq.so' },
    ]);
    prepareBinaryPackage(dir);
    expect(readlinkSync(join(dir, 'native', 'lib', 'libpq.so.5'))).toBe('libpq.so.5.17');
    expect(readFileSync(join(dir, 'native', 'lib', 'libpq.so'), 'utf8')).toBe('the library');
    expect(statSync(join(dir, 'native', 'bin', 'initdb')).mode & 0o777).toBe(0o755);
    prepareBinaryPackage(dir);
    expect(readlinkSync(join(dir, 'native', 'lib', 'libpq.so'))).toBe('libpq.so.5.17');
  });

  it('refuses a link outside the package', () => {
    const dir = unpackedPackage([{ source: 'native/lib/libpq.so.5.17', target: '../elsewhere.so' }]);
    expect(() => prepareBinaryPackage(dir)).toThrow(/outside the package/);
  });
});
