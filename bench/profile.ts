/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per source file, and
 * inclusive time of chosen functions, so a benchmark's "where does the time go" has numbers. The bundles keep
 * function names, and the file column tells bundle code from WASM and node internals.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: Array<{ name: string; ms: number }>;
  byFile: Array<{ name: string; ms: number }>;
  /** Time inside a function and everything it calls, for the functions named in `inclusiveOf`. */
  inclusive: Array<{ name: string; ms: number }>;
}

export function summarizeProfile(profile: CpuProfile, inclusiveOf: string[] = []): ProfileSummary {
  const selfMs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url ? frame.url.replace(/^.*\//, '') : frame.functionName.startsWith('(') ? frame.functionName : '(native)';
    add(functions, `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`, ms);
    add(files, file, ms);
  }
  // Inclusive time: walk the tree, counting each subtree once under the outermost matching frame.
  const inclusive = new Map<string, number>();
  const subtreeMs = (id: number): number => {
    const node = byId.get(id)!;
    return (selfMs.get(id) ?? 0) + (node.children ?? []).reduce((sum, child) => sum + subtreeMs(child), 0);
  };
  const walk = (id: number, inside: Set<string>): void => {
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let next = inside;
    if (inclusiveOf.includes(name) && !inside.has(name)) {
      add(inclusive, name, subtreeMs(id));
      next = new Set(inside).add(name);
    }
    for (const child of node.children ?? []) walk(child, next);
  };
  walk(profile.nodes[0]!.id, new Set());
  const sorted = (m: Map<string, number>) => [...m].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    byFunction: sorted(functions),
    byFile: sorted(files),
    inclusive: sorted(inclusive),
  };
}

