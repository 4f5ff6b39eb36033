// The order a migration framework runs the files of one migrations folder, and which files are "up" (forward)
// migrations. Pure: paths (and sqitch.plan text) in, data out.
//
// Each framework's rule, from its documentation or source:
// - golang-migrate: `{version}_{title}.up.sql` / `.down.sql`, version an unsigned integer, numeric order.
// - goose: `{version}_{name}.sql` with `-- +goose Up` / `-- +goose Down` sections, numeric order.
// - dbmate: `{version}_{name}.sql` with `-- migrate:up` / `-- migrate:down` sections, ordered by file name.
// - Flyway: `V{version}__{desc}.sql` (version parts split by `.` or `_`, compared numerically: V2 before V10),
//   `U{version}__…` undo scripts, `R__{desc}.sql` repeatables run after all versioned ones, ordered by description.
// - diesel: `{version}_{name}/up.sql` + `down.sql`; the version is the text before the first `_` with `-` removed,
//   compared as a string (diesel_migrations' version_from_string).
// - Prisma: `{timestamp}_{name}/migration.sql`, directory names in lexicographic order, forward only.
// - Supabase CLI: `supabase/migrations/{timestamp}_{name}.sql`, forward only.
// - sqitch: `deploy/{change}.sql` (up), `revert/…` (down), `verify/…`; the order is the change order in sqitch.plan,
//   where a reworked change's earlier versions are `deploy/{change}@{tag}.sql`.
// - Anything else: a leading number is the version; otherwise natural order of the path (`v1.9` before `v1.14`).

export type MigrationFramework =
  | 'golang-migrate'
  | 'goose'
  | 'dbmate'
  | 'goose-or-dbmate'
  | 'flyway'
  | 'diesel'
  | 'prisma'
  | 'supabase'
  | 'sqitch'
  | 'numbered'
  | 'unknown';

/** `up-and-down`: goose / dbmate files hold both directions; the up part is the section before the down marker. */
export type MigrationDirection = 'up' | 'down' | 'up-and-down' | 'verify';

export interface MigrationFile {
  path: string;
  framework: MigrationFramework;
  direction: MigrationDirection;
  /** The version as written in the name ('000001', '1.2', '2023-01-01-120000'), when the name has one. */
  version?: string;
  /** The description part of the name (sqitch: the change name). */
  name: string;
  /** Flyway `R__` migrations: re-run whenever they change, after all versioned ones. */
  repeatable: boolean;
}

export interface OrderingOptions {
  /**
   * The framework, when the caller knows it (from configuration or file contents: see
   * detectFrameworkFromText). Needed to tell goose's sequential `00001_x.sql` (up and down in one file) from a
   * plain numbered up migration.
   */
  framework?: MigrationFramework;
  /** Text of sqitch.plan: sqitch files are ordered by it. */
  sqitchPlan?: string;
}

/** Files that contain both directions say which runner they belong to in their first lines. */
export function detectFrameworkFromText(text: string): 'goose' | 'dbmate' | undefined {
  if (/^\s*--\s*\+goose\s+(Up|Down)\b/im.test(text)) return 'goose';
  if (/^\s*--\s*migrate:(up|down)\b/im.test(text)) return 'dbmate';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Sort keys: sequences of chunks, numbers compared as numbers (of any length: kratos versions have 20 digits),
// text compared by code unit, numbers before text. This is a total order, so mixed folders still sort stably.

type Chunk = { n: string } | { s: string };

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareChunks(a: readonly Chunk[], b: readonly Chunk[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if ('n' in x && 'n' in y) {
      const c = compareDigits(x.n, y.n);
      if (c !== 0) return c;
    } else if ('s' in x && 's' in y) {
      const c = compareText(x.s, y.s);
      if (c !== 0) return c;
    } else return 'n' in x ? -1 : 1;
  }
  return a.length - b.length;
}

function naturalChunks(text: string): Chunk[] {
  return (text.match(/\d+|\D+/g) ?? []).map((part) => (/^\d/.test(part) ? { n: part } : { s: part }));
}

/** Natural order: digit runs compare as numbers (`file2` before `file10`), the rest by code unit. */
export function naturalCompare(a: string, b: string): number {
  return compareChunks(naturalChunks(a), naturalChunks(b)) || compareText(a, b);
}

/** Dotted / underscored numeric versions compared part by part (Flyway: 1.2 < 1.10; 1.0 equals 1). */
export function compareVersions(a: string, b: string): number {
  const x = a.split(/[._]/);
  const y = b.split(/[._]/);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const c = compareDigits(x[i] ?? '0', y[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

interface Classified extends MigrationFile {
  /** 0 = versioned sequence, 1 = after it (Flyway repeatables, sqitch changes missing from the plan). */
  group: number;
  versionKey: Chunk[];
}

const DIRECTION_RANK: Record<MigrationDirection, number> = { up: 0, 'up-and-down': 0, down: 1, verify: 2 };

function numericKey(version: string): Chunk[] {
  return version.split(/[._]/).map((n) => ({ n }));
}

// ---------------------------------------------------------------------------------------------------------------
// Classification

const UP_DOWN_SUFFIX = /^(.*?)[._-](up|down)\.sql$/i;
const GOLANG_MIGRATE = /^(\d+)_(.*)\.(up|down)\.sql$/i;
const LEADING_VERSION = /^[vV]?(\d+(?:\.\d+)*)(?:[._-](.*))?$/;
const FLYWAY = /^([VU])(\d+(?:[._]\d+)*)__(.*)\.sql$/;
const FLYWAY_REPEATABLE = /^R__(.*)\.sql$/;
const TIMESTAMPED = /^(\d+)_(.+)\.sql$/;

function segmentsOf(path: string): string[] {
  return path.replace(/\\/g, '/').split('/').filter((s) => s !== '');
}

export interface SqitchPlan {
  /** File stem (change or change@tag) → position in the plan. */
  positions: Map<string, number>;
}

/**
 * Change order from sqitch.plan. A change listed twice was reworked: the earlier entry's scripts are named
 * `change@tag` after the first tag that follows it, the latest entry keeps the plain name.
 */
export function parseSqitchPlan(text: string): SqitchPlan {
  const entries: { name: string; tag?: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith('%')) continue;
    if (line.startsWith('@')) {
      const tag = line.slice(1).split(/\s+/)[0]!;
      for (const e of entries) if (e.tag === undefined) e.tag = tag;
      continue;
    }
    const name = line.split(/\s+/)[0]!;
    entries.push({ name });
  }
  const positions = new Map<string, number>();
  entries.forEach((e, i) => {
    const reworkedLater = entries.slice(i + 1).some((x) => x.name === e.name);
    positions.set(reworkedLater && e.tag !== undefined ? `${e.name}@${e.tag}` : e.name, i);
  });
  return { positions };
}

function classify(path: string, options: OrderingOptions, plan: SqitchPlan | undefined): Classified {
  const segments = segmentsOf(path);
  const base = segments[segments.length - 1] ?? path;
  const parent = segments[segments.length - 2] ?? '';
  const hint = options.framework;
  const make = (
    framework: MigrationFramework,
    direction: MigrationDirection,
    name: string,
    versionKey: Chunk[],
    extra: Partial<Classified> = {},
  ): Classified => ({ path, framework, direction, name, repeatable: false, group: 0, versionKey, ...extra });

  // sqitch: deploy/ revert/ verify/ trees.
  const sqitchRoot = segments.findIndex((s) => s === 'deploy' || s === 'revert' || s === 'verify');
  if ((hint === 'sqitch' || hint === undefined) && sqitchRoot >= 0 && base.endsWith('.sql')) {
    const stem = segments.slice(sqitchRoot + 1).join('/').replace(/\.sql$/, '');
    const kind = segments[sqitchRoot];
    const direction: MigrationDirection = kind === 'deploy' ? 'up' : kind === 'revert' ? 'down' : 'verify';
    const position = plan?.positions.get(stem);
    return make('sqitch', direction, stem.replace(/@[^/]*$/, ''), position !== undefined ? [{ n: String(position) }] : naturalChunks(stem), {
      group: position !== undefined ? 0 : 1,
    });
  }

  // diesel: {version}_{name}/up.sql | down.sql
  if ((base === 'up.sql' || base === 'down.sql') && hint !== 'prisma') {
    const m = /^([^_]+)_(.*)$/.exec(parent);
    if (m && /\d/.test(m[1]!)) {
      return make('diesel', base === 'up.sql' ? 'up' : 'down', m[2]!, [{ s: m[1]!.replace(/-/g, '') }], { version: m[1]! });
    }
  }

  // Prisma: {timestamp}_{name}/migration.sql
  if (base === 'migration.sql') {
    const m = /^(\d+)_(.*)$/.exec(parent);
    if (m) return make('prisma', 'up', m[2]!, [{ s: parent }], { version: m[1]! });
  }

  // Flyway
  const fw = FLYWAY.exec(base);
  if (fw && (hint === undefined || hint === 'flyway')) {
    return make('flyway', fw[1] === 'U' ? 'down' : 'up', fw[3]!, numericKey(fw[2]!), { version: fw[2]! });
  }
  const fr = FLYWAY_REPEATABLE.exec(base);
  if (fr && (hint === undefined || hint === 'flyway')) {
    return make('flyway', 'up', fr[1]!, naturalChunks(fr[1]!), { repeatable: true, group: 1 });
  }

  // golang-migrate and look-alikes (popx, morph, concourse): {version}_{title}.up.sql
  const gm = GOLANG_MIGRATE.exec(base);
  if (gm) {
    return make(hint ?? 'golang-migrate', gm[3]!.toLowerCase() as 'up' | 'down', gm[2]!, [{ n: gm[1]! }], { version: gm[1]! });
  }

  // Supabase CLI
  const ts = TIMESTAMPED.exec(base);
  const inSupabase = segments.some((s, i) => s === 'supabase' && segments[i + 1] === 'migrations');
  if (ts && (hint === 'supabase' || (hint === undefined && inSupabase))) {
    return make('supabase', 'up', ts[2]!, [{ s: ts[1]! }], { version: ts[1]! });
  }

  // goose / dbmate: both directions in one file. dbmate orders by file name, goose by number; for the
  // fixed-width timestamps both write, the two agree.
  if (ts && (hint === 'goose' || hint === 'dbmate' || hint === 'goose-or-dbmate' || (hint === undefined && ts[1]!.length >= 14))) {
    const framework = hint ?? 'goose-or-dbmate';
    return make(framework, 'up-and-down', ts[2]!, framework === 'dbmate' ? [{ s: ts[1]! }] : [{ n: ts[1]! }], { version: ts[1]! });
  }

  // Other names with an up/down suffix: V0001.Name.up.sql, 001_name_down.sql, …
  const ud = UP_DOWN_SUFFIX.exec(base);
  const stem = ud ? ud[1]! : base.replace(/\.sql$/i, '');
  const direction: MigrationDirection = ud
    ? (ud[2]!.toLowerCase() as 'up' | 'down')
    : segments.some((s) => /^(down|rollback|rollbacks|rollback_dbs|revert|undo)$/i.test(s))
      ? 'down'
      : 'up';
  const lv = LEADING_VERSION.exec(stem);
  if (lv) {
    return make(hint ?? 'numbered', direction, lv[2] ?? '', numericKey(lv[1]!), { version: lv[1]! });
  }
  return make(hint ?? 'unknown', direction, stem, naturalChunks(segments.join('/')));
}

function compareClassified(a: Classified, b: Classified): number {
  return (
    a.group - b.group ||
    compareChunks(a.versionKey, b.versionKey) ||
    naturalCompare(a.name, b.name) ||
    DIRECTION_RANK[a.direction] - DIRECTION_RANK[b.direction] ||
    naturalCompare(a.path, b.path)
  );
}

function strip(c: Classified): MigrationFile {
  const { group: _g, versionKey: _v, ...file } = c;
  return file;
}

/** One file's framework, direction and version, as orderMigrations sees it. */
export function classifyMigration(path: string, options: OrderingOptions = {}): MigrationFile {
  return strip(classify(path, options, options.sqitchPlan !== undefined ? parseSqitchPlan(options.sqitchPlan) : undefined));
}

/** The files in the order their framework runs them (down files right after the up file of their version). */
export function orderMigrations(paths: readonly string[], options: OrderingOptions = {}): MigrationFile[] {
  const plan = options.sqitchPlan !== undefined ? parseSqitchPlan(options.sqitchPlan) : undefined;
  return paths.map((p) => classify(p, options, plan)).sort(compareClassified).map(strip);
}

function isForward(f: MigrationFile): boolean {
  return f.direction === 'up' || f.direction === 'up-and-down';
}

/**
 * The forward migrations that run before `target`, in order: the schema `target` runs against. For a down (or
 * verify) file that is every forward migration up to and including the one it reverts, since it runs against the
 * schema that migration produced.
 */
export function previousMigrations(
  target: string,
  all: readonly string[],
  options: OrderingOptions = {},
): MigrationFile[] {
  const ordered = orderMigrations(all.includes(target) ? all : [...all, target], options);
  const index = ordered.findIndex((f) => f.path === target);
  const self = ordered[index]!;
  if (isForward(self)) return ordered.slice(0, index).filter(isForward);
  // Its own up migration: same version and name (Flyway U1 reverts V1 whatever the description says).
  const partner = ordered.findIndex(
    (f) =>
      isForward(f) &&
      f.framework === self.framework &&
      f.version === self.version &&
      (self.framework === 'flyway' || f.name === self.name),
  );
  return ordered.slice(0, partner >= 0 ? partner + 1 : index).filter(isForward);
}
