/**
 * The schema a migration file runs against, read from disk: the migrations of its folder that run before it, in
 * framework order (analysis/migrations/ordering.ts), replayed statically (analysis/schema-context.ts). This is
 * the I/O half of schema context — the core stays pure — shared by `lockstep lint`, `lockstep explain` and the
 * language server.
 *
 * Which files count:
 * - The folder tree is the file's own folder; for diesel (`{version}_{name}/up.sql`) and Prisma
 *   (`{timestamp}_{name}/migration.sql`) the folder holding the version folders; for sqitch the folder holding
 *   `deploy/` and `sqitch.plan`, whose change order is used; for version folders (`versioned/v1.5/*.sql`,
 *   `delta/56/*.sql`, `1.10.0/1.10.0.sql`: the file's folder is named by a version and has version-named
 *   siblings) the folder holding them, where every .sql file of the EARLIER version folders runs first (version
 *   order, then name). Files of the file's own folder are not context: their order is the tool's (temporal's
 *   manifest.json), not the name's. Trees under a rollback/revert/downgrade folder are left alone (they run
 *   backwards).
 * - Only versioned migrations have a context: a file whose name carries no version (`schema.sql`, `seed.sql`) is
 *   analyzed on its own, and such files are never context for others, since nothing says when they run.
 * - Only forward migrations are replayed. An up migration runs against what the forward migrations before it
 *   produce; a down (or verify) migration against the schema right after its own up migration, which is what it
 *   reverts. goose/dbmate files replay only their up section.
 * - A sibling that cannot be read is skipped and reported in `problems`: later files are analyzed without its
 *   changes, never with a guess.
 *
 * Cost: replayed catalogs are kept per folder as a chain (catalog after file k = base of file k+1, cloned in
 * O(1)), keyed by each file's path and stamp (mtime + size, or the editor's version of an open document), so
 * analyzing every file of a folder of N migrations replays N files, and an edit to file k replays k…N only.
 * With memoizeFileSystem the folder's listing and order are built once too, and each link carries the key of its
 * prefix: `lockstep lint` over a folder of N files did O(N) path joins and O(N) hashing per file (O(N²) per
 * folder: 2.3 s of 13 s CPU on the corpus), now O(1) per file beyond copying the list of earlier files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { hashString, type Catalog } from '../analysis/catalog';
import { classifyMigration, compareVersions, naturalCompare, orderMigrations, type MigrationFile } from '../analysis/migrations/ordering';
import { replayMigrations } from '../analysis/schema-context';
import { describeFsError } from './errors';

export interface DirectoryEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

/** The file-system calls schema context needs; tests and the language server substitute their own. */
export interface ContextFileSystem {
  /** Entries of a folder (symbolic links resolved); throws when the folder cannot be read. */
  readDir(dir: string): DirectoryEntry[];
  /** A value that changes whenever the file's content may have changed; undefined when it does not exist. */
  stamp(path: string): string | undefined;
  /** The file as UTF-8 text, byte-order mark dropped; throws with a short reason. */
  readText(path: string): string;
}

/** Text the editor holds for a file (an open, possibly unsaved document), which wins over the disk. */
export type EditorOverlay = (path: string) => { text: string; stamp: string } | undefined;

export interface MigrationContext {
  /** The schema the earlier migrations produce; undefined when none precede the file (or it is not a migration). */
  base: Catalog | undefined;
  /** The folder tree the migrations were listed from; undefined when the file has no context. */
  root: string | undefined;
  /** The earlier migrations replayed into `base`, in run order (absolute paths). */
  files: string[];
  /** Changes whenever `base` may change: the files' paths and stamps. */
  key: string;
  /** Earlier migrations that could not be read; `base` lacks their changes. */
  problems: ContextProblem[];
}

export interface ContextProblem {
  path: string;
  reason: string;
}

export class NotUtf8Error extends Error {
  constructor() {
    super('not valid UTF-8; convert the file to UTF-8 and try again');
    this.name = 'NotUtf8Error';
  }
}

// fatal: positions would be wrong on replacement characters, so refuse instead of guessing. The BOM is dropped,
// as editors drop it, so positions match what the user sees.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new NotUtf8Error();
  }
}

export const nodeFileSystem: ContextFileSystem = {
  readDir(dir) {
    return readdirSync(dir, { withFileTypes: true }).map((entry) => {
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = statSync(join(dir, entry.name));
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch {
          // A dangling link is nothing we can replay; listing it as neither keeps it out.
        }
      }
      return { name: entry.name, isDirectory, isFile };
    });
  },
  stamp(path) {
    try {
      const info = statSync(path);
      return info.isFile() ? `${info.mtimeMs}:${info.size}` : undefined;
    } catch {
      return undefined;
    }
  },
  readText(path) {
    return decodeUtf8(readFileSync(path));
  },
};

/** goose and dbmate keep both directions in one file; migrating up runs only the part before the down marker. */
export function upSection(text: string): string {
  const marker = /^[ \t]*--[ \t]*(?:\+goose[ \t]+Down|migrate:down)\b/im.exec(text);
  return marker ? text.slice(0, marker.index) : text;
}

type Layout = 'flat' | 'per-directory' | 'sqitch' | 'version-folders';

/** A folder named by a version alone: 1.10.0, v1.5, 56. */
const VERSION_FOLDER = /^[vV]?\d+(?:\.\d+)*$/;
/** Folders whose migrations run backwards: replaying them forward would build a wrong schema. */
const BACKWARD_FOLDER = /^(?:rollbacks?|reverts?|downgrades?)(?:[._-]|$)/i;
/** A file of a version folder that is not forward PostgreSQL: a down script, or SQLite's variant. */
const NOT_FORWARD_FILE = /(?:^|[._-])(?:down|rollback|revert|downgrade)(?:[._-]|$)|\.sqlite\.sql$/i;

/** Where a file's sibling migrations live, and the name each is ordered by (relative, so that folders above the
 * tree — a `deploy/` or `supabase/` somewhere in the user's home — never change how a file is classified). */
interface FolderTree {
  root: string;
  layout: Layout;
  /** Prefix of the ordering names (e.g. `supabase/migrations/`), so the framework's folder convention is seen. */
  prefix: string;
}

interface Listing {
  /** Ordering name → absolute path. */
  paths: Map<string, string>;
  ordered: MigrationFile[];
  /** Index in `ordered` by ordering name. */
  position: Map<string, number>;
  /** Absolute paths of the forward migrations of `ordered`, in order, and how many of them precede each index. */
  forwardPaths: string[];
  forwardBefore: number[];
  signature: string;
  /** The list and plan it was last checked against (the memoized list is the same array until `invalidate`). */
  files: string[];
  sqitchPlan: string | undefined;
}

interface ChainLink {
  path: string;
  stamp: string;
  /** The schema after this file. */
  catalog: Catalog;
  /** Why the file could not be read (its changes are missing from `catalog`). */
  problem?: string;
  /** `MigrationContext.key` of the context made of this link and those before it. */
  key: string;
}

export interface MigrationContextsOptions {
  fs?: ContextFileSystem;
  overlay?: EditorOverlay;
  /**
   * Keep folder listings and stamps until `invalidate()`: right for one CLI run, and for a language server whose
   * client reports file changes. Otherwise each `contextFor` lists and stats again (cached catalogs stay valid
   * as long as stamps match).
   */
  memoizeFileSystem?: boolean;
}

export class MigrationContexts {
  /** Files replayed so far; the chain cache keeps this at one per file and change. */
  replayedFiles = 0;
  memoizeFileSystem: boolean;
  private readonly fs: ContextFileSystem;
  private readonly overlay: EditorOverlay | undefined;
  private readonly chains = new Map<string, ChainLink[]>();
  private readonly listings = new Map<string, Listing>();
  private dirMemo = new Map<string, DirectoryEntry[] | Error>();
  private stampMemo = new Map<string, string | undefined>();
  /** Lists built from `dirMemo` (a tree's .sql files, a version folder's forward files…), dropped with it. */
  private listMemo = new Map<string, { files: string[]; set: Set<string> }>();

  constructor(options: MigrationContextsOptions = {}) {
    this.fs = options.fs ?? nodeFileSystem;
    this.overlay = options.overlay;
    this.memoizeFileSystem = options.memoizeFileSystem ?? false;
  }

  /** Forget listings and stamps (after files changed on disk); replayed catalogs are re-validated by stamp. */
  invalidate(): void {
    this.dirMemo = new Map();
    this.stampMemo = new Map();
    this.listMemo = new Map();
  }

  contextFor(path: string): MigrationContext {
    if (!this.memoizeFileSystem) this.invalidate();
    const none: MigrationContext = { base: undefined, root: undefined, files: [], key: '', problems: [] };
    const tree = this.folderTreeOf(path);
    if (!tree) return none;
    const earlier = tree.layout === 'version-folders' ? this.earlierInVersionFolders(tree, path) : this.earlierInListing(tree, path);

    const chain = this.chains.get(tree.root) ?? [];
    const stamps = earlier.map((file) => this.stampOf(file) ?? 'missing');
    let reused = 0;
    while (reused < earlier.length && chain[reused]?.path === earlier[reused] && chain[reused]!.stamp === stamps[reused]) reused++;
    // A shorter request (an earlier file, a down file) reuses a prefix and keeps the longer chain for later calls.
    if (reused < earlier.length) chain.length = reused;
    for (let i = reused; i < earlier.length; i++) {
      const file = earlier[i]!;
      const previous = chain[i - 1]?.catalog;
      // Chained, so the key of a long context costs one short hash instead of hashing every earlier path again.
      const key = hashString(`${chain[i - 1]?.key ?? ''}\u0001${file}\u0000${stamps[i]!}`);
      try {
        const text = this.overlay?.(file)?.text ?? this.fs.readText(file);
        chain.push({ path: file, stamp: stamps[i]!, catalog: replayMigrations([{ path: file, text: upSection(text) }], previous), key });
        this.replayedFiles++;
      } catch (error) {
        const problem = error instanceof NotUtf8Error ? error.message : describeFsError(error);
        // The schema passes through unchanged; an unreadable first file leaves an empty one to build on.
        chain.push({ path: file, stamp: stamps[i]!, catalog: previous ?? replayMigrations([]), problem, key });
      }
    }
    this.chains.set(tree.root, chain);
    const used = chain.slice(0, earlier.length);
    return {
      base: used.at(-1)?.catalog,
      root: tree.root,
      files: earlier,
      key: used.at(-1)?.key ?? hashString(''),
      // Reported on every call, also from cached links, so each caller hears why its context is partial.
      problems: used.filter((l) => l.problem !== undefined).map((l) => ({ path: l.path, reason: l.problem! })),
    };
  }

  /**
   * The folder tree whose migrations are `path`'s context (undefined: it has none). Files of one tree share one
   * chain of replayed catalogs, so work split between threads should keep a tree together.
   */
  treeRootOf(path: string): string | undefined {
    return this.folderTreeOf(path)?.root;
  }

  private earlierInListing(tree: FolderTree, path: string): string[] {
    const listing = this.listingOf(tree, path);
    const name = orderingName(tree, path);
    const index = listing.position.get(name);
    if (index === undefined) return [];
    // A forward file (nearly every file lint is given): the forward files before it, without a scan of the folder.
    if (isForward(listing.ordered[index]!)) return listing.forwardPaths.slice(0, listing.forwardBefore[index]);
    return earlierForward(listing.ordered, name).map((f) => listing.paths.get(f.path)!);
  }

  /** Every forward .sql file of the version folders before the file's own, in version order then by name. */
  private earlierInVersionFolders(tree: FolderTree, path: string): string[] {
    const own = basename(dirname(path));
    const folders = this.versionFoldersOf(tree.root).filter((name) => compareVersionFolders(name, own) < 0);
    const isForwardSql = (e: DirectoryEntry) => e.isFile && e.name.toLowerCase().endsWith('.sql') && !NOT_FORWARD_FILE.test(e.name);
    return folders.flatMap((folder) =>
      this.memoizedList(`forward\u0000${tree.root}\u0000${folder}`, () =>
        this.readDir(join(tree.root, folder))
          .filter(isForwardSql)
          .map((e) => e.name)
          .sort(naturalCompare)
          .map((name) => join(tree.root, folder, name)),
      ).files,
    );
  }

  private versionFoldersOf(root: string): string[] {
    return this.memoizedList(`versions\u0000${root}`, () =>
      this.readDir(root)
        .filter((e) => e.isDirectory && VERSION_FOLDER.test(e.name))
        .map((e) => e.name)
        .sort(compareVersionFolders),
    ).files;
  }

  /** `build()`'s list, built once per `dirMemo` (it only reads listings); callers must not change it. */
  private memoizedList(key: string, build: () => string[]): { files: string[]; set: Set<string> } {
    let list = this.listMemo.get(key);
    if (!list) {
      const files = build();
      list = { files, set: new Set(files) };
      this.listMemo.set(key, list);
    }
    return list;
  }

  private stampOf(path: string): string | undefined {
    const open = this.overlay?.(path);
    if (open) return `editor:${open.stamp}`;
    if (this.stampMemo.has(path)) return this.stampMemo.get(path);
    const stamp = this.fs.stamp(path);
    this.stampMemo.set(path, stamp);
    return stamp;
  }

  private readDir(dir: string): DirectoryEntry[] {
    let entries = this.dirMemo.get(dir);
    if (entries === undefined) {
      try {
        entries = this.fs.readDir(dir);
      } catch (error) {
        entries = error instanceof Error ? error : new Error(String(error));
      }
      this.dirMemo.set(dir, entries);
    }
    return entries instanceof Error ? [] : entries;
  }

  private folderTreeOf(path: string): FolderTree | undefined {
    const parent = dirname(path);
    const name = basename(path);
    // diesel / Prisma: one folder per version.
    const perDirectory = classifyMigration(`${basename(parent)}/${name}`).framework;
    if (perDirectory === 'diesel' || perDirectory === 'prisma') {
      return { root: dirname(parent), layout: 'per-directory', prefix: '' };
    }
    // sqitch: the nearest deploy/ revert/ verify/ ancestor whose parent has a sqitch.plan.
    for (let dir = parent; dirname(dir) !== dir; dir = dirname(dir)) {
      const kind = basename(dir);
      if ((kind === 'deploy' || kind === 'revert' || kind === 'verify') && this.stampOf(join(dirname(dir), 'sqitch.plan')) !== undefined) {
        return { root: dirname(dir), layout: 'sqitch', prefix: '' };
      }
    }
    // Version folders: the file's folder is a version and at least one sibling folder is one too.
    const grandparent = dirname(parent);
    if (
      VERSION_FOLDER.test(basename(parent)) &&
      !NOT_FORWARD_FILE.test(name) &&
      this.versionFoldersOf(grandparent).length >= 2 &&
      ![grandparent, dirname(grandparent), dirname(dirname(grandparent))].some((dir) => BACKWARD_FOLDER.test(basename(dir)))
    ) {
      return { root: grandparent, layout: 'version-folders', prefix: '' };
    }
    const prefix = basename(parent) === 'migrations' && basename(dirname(parent)) === 'supabase' ? 'supabase/migrations/' : '';
    const tree: FolderTree = { root: parent, layout: 'flat', prefix };
    return classifyMigration(orderingName(tree, path)).framework === 'unknown' ? undefined : tree;
  }

  private listingOf(tree: FolderTree, target: string): Listing {
    const listed = this.memoizedList(`${tree.layout}\u0000${tree.root}`, () => this.listFiles(tree));
    // An open document not saved yet is ordered among the files on disk.
    const files = listed.set.has(target) ? listed.files : [...listed.files, target];
    let sqitchPlan: string | undefined;
    if (tree.layout === 'sqitch') {
      try {
        sqitchPlan = this.overlay?.(join(tree.root, 'sqitch.plan'))?.text ?? this.fs.readText(join(tree.root, 'sqitch.plan'));
      } catch {
        sqitchPlan = undefined; // ordered by name then, as ordering.ts does for changes missing from the plan
      }
    }
    const cached = this.listings.get(tree.root);
    // The same memoized list and plan: no need to build the signature (O(files)) to know nothing changed.
    if (cached?.files === files && cached.sqitchPlan === sqitchPlan) return cached;
    const signature = `${files.join('\u0000')}\u0001${sqitchPlan ?? ''}`;
    if (cached?.signature === signature) {
      cached.files = files;
      cached.sqitchPlan = sqitchPlan;
      return cached;
    }
    const paths = new Map(files.map((f) => [orderingName(tree, f), f]));
    const ordered = orderMigrations([...paths.keys()], sqitchPlan !== undefined ? { sqitchPlan } : {}).filter(
      (f) => f.framework !== 'unknown',
    );
    const position = new Map<string, number>();
    const forwardPaths: string[] = [];
    const forwardBefore = ordered.map((f, i) => {
      if (!position.has(f.path)) position.set(f.path, i);
      const before = forwardPaths.length;
      if (isForward(f)) forwardPaths.push(paths.get(f.path)!);
      return before;
    });
    const listing = { paths, ordered, position, forwardPaths, forwardBefore, signature, files, sqitchPlan };
    this.listings.set(tree.root, listing);
    return listing;
  }

  private listFiles(tree: FolderTree): string[] {
    const isSql = (e: DirectoryEntry) => e.isFile && e.name.toLowerCase().endsWith('.sql');
    const out: string[] = [];
    if (tree.layout === 'flat') {
      for (const e of this.readDir(tree.root)) if (isSql(e)) out.push(join(tree.root, e.name));
    } else if (tree.layout === 'per-directory') {
      for (const d of this.readDir(tree.root)) {
        if (!d.isDirectory || d.name.startsWith('.')) continue;
        for (const e of this.readDir(join(tree.root, d.name))) {
          if (isSql(e) && /^(up|down|migration)\.sql$/.test(e.name)) out.push(join(tree.root, d.name, e.name));
        }
      }
    } else {
      for (const top of ['deploy', 'revert', 'verify']) this.walk(join(tree.root, top), out, isSql, 0);
    }
    return out.sort();
  }

  private walk(dir: string, out: string[], isSql: (e: DirectoryEntry) => boolean, depth: number): void {
    if (depth > 16) return; // a symbolic-link cycle; sqitch change names are never this deep
    for (const e of this.readDir(dir)) {
      if (e.isDirectory && !e.name.startsWith('.')) this.walk(join(dir, e.name), out, isSql, depth + 1);
      else if (isSql(e)) out.push(join(dir, e.name));
    }
  }
}

/** 1.2 < 1.10, v1.5 < v1.8, 9 < 56 (a leading v is ignored). */
function compareVersionFolders(a: string, b: string): number {
  return compareVersions(a.replace(/^[vV]/, ''), b.replace(/^[vV]/, '')) || naturalCompare(a, b);
}

/** The name a file is classified and ordered by: relative to its tree, with forward slashes. */
function orderingName(tree: FolderTree, path: string): string {
  return tree.prefix + relative(tree.root, path).split(sep).join('/');
}

function isForward(f: MigrationFile): boolean {
  return f.direction === 'up' || f.direction === 'up-and-down';
}

/**
 * previousMigrations (ordering.ts) over an already ordered list, so a folder is sorted once rather than once per
 * file: the forward migrations before `target`, or for a down/verify file those up to and including its own up
 * migration. migration-context.test.ts checks that both agree on real migration folders.
 */
export function earlierForward(ordered: readonly MigrationFile[], target: string): MigrationFile[] {
  const index = ordered.findIndex((f) => f.path === target);
  if (index < 0) return [];
  const self = ordered[index]!;
  if (isForward(self)) return ordered.slice(0, index).filter(isForward);
  const partner = ordered.findIndex(
    (f) =>
      isForward(f) &&
      f.framework === self.framework &&
      f.version === self.version &&
      (self.framework === 'flyway' || f.name === self.name),
  );
  return ordered.slice(0, partner >= 0 ? partner + 1 : index).filter(isForward);
}
