/**
 * The result cache of `--cache` (ESLint's `--cache` / `--cache-location`): per linted file, the hash of its bytes,
 * its result, and the questions its lint asked about the rest of the run (src/analysis/dependencies.ts) with their
 * answers. A later run reuses a result only when the file's bytes, its config, the run's options and the tool's code
 * are the same and every recorded question gets the same answer again; every other file is linted. So the cache never
 * changes findings: it only skips work whose outcome is known.
 *
 * It also keeps the text facts of every file of the working folder (src/run/evidence.ts), under a key of their own
 * (the tool's code and the working folder), so that a run over a few named files takes the rest of the repository's
 * evidence from it.
 *
 * The file is JSON (`{"pylintTorchCache": FORMAT, key, questions, files, evidence}`), written atomically (a temporary
 * file beside it, then a rename). A file that is unreadable, corrupt, or of another format version is ignored with a
 * warning (and replaced); a file at the location that is not a pylint-torch cache is neither read nor overwritten.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeFolders } from '../io/folders';
import { packageRoot, VERSION } from '../io/package';
import type { Config } from '../project/config';
import type { LintResult } from '../report/results';
import type { TextFacts } from '../torch/prescan';

/** The cache file's name in the working folder when no `--cache-location` is given (ESLint: `.eslintcache`). */
export const CACHE_FILE_NAME = '.pylinttorchcache';

/** The on-disk format; a file of another format is ignored with a warning. */
const FORMAT = 2;
/** Every cache file starts with this (so that a file that is not one is recognised, even when cut short). */
const MAGIC = '{"pylintTorchCache":';

/**
 * The cache file for `location` (`--cache-location`, relative to `cwd`), as ESLint's `getCacheFile`: a path that ends
 * with a path separator or names an existing folder is a folder, and the file in it is named from a hash of `cwd`
 * (`.cache_<hash>`, so that runs from several folders can share it); anything else is the file itself. Without a
 * location: {@link CACHE_FILE_NAME} in `cwd`. Returns an absolute path.
 */
export function cacheFilePath(location: string | undefined, cwd: string): string {
  if (location === undefined || location === '') return path.join(cwd, CACHE_FILE_NAME);
  const resolved = path.resolve(cwd, location);
  let folder = /[\\/]$/.test(location);
  if (!folder) {
    try {
      folder = fs.statSync(resolved).isDirectory();
    } catch {
      // not there: a file to create
    }
  }
  return folder ? path.join(resolved, `.cache_${digest(cwd).slice(0, 12)}`) : resolved;
}

/** A short, stable digest of `text` or bytes (SHA-256, base64url, 128 bits). */
export function digest(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('base64url').slice(0, 22);
}

/** What a run's results depend on as a whole: the tool's code and every option that changes findings. */
export interface RunKeyParts {
  cwd: string;
  config?: string;
  fix?: boolean;
  fixDryRun?: boolean;
  unsafeFixes?: boolean;
  rules?: Readonly<Record<string, unknown>>;
  select?: readonly string[];
  ignore?: readonly string[];
  reportUnusedDisableDirectives?: string;
  prefilter?: boolean;
  checkSyntax?: boolean;
}

/**
 * The key of the text facts and the scope walk (src/run/evidence.ts): they depend on the tool's code and the working
 * folder only, not on the options, so that runs with other options share them.
 */
export function evidenceKey(cwd: string): string {
  return digest(JSON.stringify([VERSION, codeDigest(), cwd, 'evidence']));
}

/** The run-level key: {@link RunKeyParts} and a digest of the tool's own code and grammar. */
export function runKey(parts: RunKeyParts): string {
  return digest(JSON.stringify([VERSION, codeDigest(), parts]));
}

let code: string | undefined;
/**
 * A digest of the code that lints (the built dist/ files, or the TypeScript sources under a test runner) and of the
 * grammar's checksums: a changed build invalidates every entry, as a new version would.
 */
function codeDigest(): string {
  if (code !== undefined) return code;
  const hash = createHash('sha256');
  // this file is src/run/cache.{ts,js} under the code root (the repository, or dist/)
  const codeRoot = path.resolve(__dirname, '..', '..');
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(?:js|ts|json)$/.test(entry.name)) hash.update(`${full}\0`).update(fs.readFileSync(full));
    }
  };
  walk(path.join(codeRoot, 'src'));
  walk(path.join(codeRoot, 'rules'));
  try {
    hash.update(fs.readFileSync(path.join(packageRoot, 'wasm', 'SHA256SUMS')));
  } catch {
    // no checksums: the version stands for the grammar
  }
  return (code = hash.digest('base64url'));
}

const configDigests = new WeakMap<Config, string>();
/** A digest of everything a config says (its plugins by rule id); `none` without a config. */
export function configDigest(config: Config | undefined): string {
  if (!config) return 'none';
  let known = configDigests.get(config);
  if (known === undefined) {
    known = digest(JSON.stringify({ ...config, pluginRules: config.pluginRules.map((r) => r.meta.id) }));
    configDigests.set(config, known);
  }
  return known;
}

/**
 * What the cache asks the current run to check a recorded question again (see `question` in
 * src/analysis/dependencies.ts for the kinds).
 */
export interface RunFacts {
  /** The hash of a file's bytes as this run reads them ({@link digest}); undefined when it cannot be read. */
  hashOf(file: string): string | undefined;
  /** ProjectIndex.resolveModule from a file in `folder`. */
  resolveModule(folder: string, dotted: string): string | undefined;
  /** The torch requirement of the files in `folder` (any JSON value). */
  torchOf(folder: string): unknown;
  filesWith(literal: string): readonly string[];
  mentions(literal: string): ReadonlyMap<string, number>;
  /** CheckpointReferences.describe. */
  checkpoint(file: string, literal: string): string;
  ruleEnabled(file: string, ruleId: string): boolean;
  weakened(): string | undefined;
  extraState(): string | undefined;
}

/** The answer of `question` in the current run, short enough to store (undefined: a kind this code does not know). */
function answerOf(facts: RunFacts, question: string): string | undefined {
  const cut = question.indexOf('\0');
  const kind = cut < 0 ? question : question.slice(0, cut);
  const rest = question.slice(cut + 1);
  const second = rest.indexOf('\0');
  const [first, last] = second < 0 ? [rest, ''] : [rest.slice(0, second), rest.slice(second + 1)];
  const short = (value: string) => (value.length > 40 ? digest(value) : value);
  switch (kind) {
    case 'summary':
      return facts.hashOf(rest) ?? '-';
    case 'module':
      return facts.resolveModule(first, last) ?? '-';
    case 'torch':
      return digest(JSON.stringify(facts.torchOf(rest)));
    case 'with':
      return short(JSON.stringify(facts.filesWith(rest)));
    case 'mentions':
      return short(JSON.stringify([...facts.mentions(rest)]));
    case 'checkpoint':
      return digest(facts.checkpoint(first, last));
    case 'enabled':
      return facts.ruleEnabled(first, last) ? '1' : '0';
    case 'weakened':
      return facts.weakened() ?? '-';
    case 'extraState':
      return facts.extraState() ?? '-';
    default:
      return undefined;
  }
}

/** What the cache holds for one file. */
export interface CacheEntry {
  /** {@link digest} of the bytes linted. */
  hash: string;
  /** {@link configDigest} of the config that governs it. */
  config: string;
  /** The result (`filePath` is the entry's key). */
  result: LintResult;
  /** The prefilter skipped it (the run's `skippedFiles` counts it). */
  skipped?: boolean;
  /** The string-literal paths of its torch loads (CheckpointReferences.recordTorchLoads). */
  loads?: string[];
  /** The run kept its text (for SARIF fingerprints): a reused result keeps it too. */
  source?: boolean;
}

/**
 * The files `pylint-torch .` finds in the working folder, as a run found them (src/run/evidence.ts), and what decides
 * that list: the stat key ({@link statKey}) of every folder the walk listed and of every file that can change what it
 * finds (`.gitignore` files, configs; `-` for one that was absent), taken before it was read.
 */
export interface WalkRecord {
  /** Absolute paths, sorted as discovery sorts them. */
  files: string[];
  /**
   * Path → stat key, `-` (absent), `+` (present: a `.git` above the working folder), `?` (changed too recently to
   * vouch for: never matches), or for the cache file's own folder `ls:` and a digest of its entries.
   */
  stats: Record<string, string>;
  /** The cache file it was recorded with (its folder is recorded by its entries). */
  cacheFile: string;
}

/**
 * What identifies a file's or folder's content without reading it: size, modification and change times, inode (`-`
 * when it does not exist). Any write changes the change time; a folder's times change when an entry is added,
 * removed or renamed.
 */
export function statKey(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return '-';
  }
  return `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
}

/**
 * How long before a run a file must have last changed for its stat key to vouch for its content in a later run (as
 * git's "racily clean" entries): a write within the same clock tick as the one before can leave all of size, mtime
 * and ctime unchanged, and file systems keep times as coarsely as 2 s (FAT).
 */
export const RACY_MS = 3000;

/** Whether the times of a stat key (see {@link statKey}) lie within {@link RACY_MS} of `now` (ms since the epoch). */
export function racy(key: string, now: number): boolean {
  const [, mtime, ctime] = key.split(':').map(Number);
  return key === '-' ? false : !(now - mtime > RACY_MS && now - ctime > RACY_MS);
}

/** On disk: an entry with the rows of `questions` it asked. */
type StoredEntry = Omit<CacheEntry, 'result'> & { result: Omit<LintResult, 'filePath'>; asked: number[] };
interface Stored {
  pylintTorchCache: number;
  key: string;
  /** [question, answer] rows shared by the entries. */
  questions: [string, string][];
  files: Record<string, StoredEntry>;
  /** The text facts and the scope walk, under {@link evidenceKey}. */
  evidence?: { key: string; walk?: WalkRecord; facts: Record<string, [string, TextFacts]> };
}

/** A cache file opened for one run: reuse what is still valid, record what this run linted, save. */
export class LintCache {
  private readonly old = new Map<string, { entry: CacheEntry; asked: [string, string][] }>();
  private readonly fresh = new Map<string, { entry: CacheEntry; asked: [string, string][] }>();
  private readonly dropped = new Set<string>();
  private readonly answers = new Map<string, string | undefined>();
  /** The file exists and is not a pylint-torch cache: never overwritten. */
  private foreign = false;
  /** Files whose results this run took from the cache. */
  reused = 0;
  /** Text facts by file, with the stat key they were read under: those of the cache file, then this run's. */
  private readonly oldFacts = new Map<string, [string, TextFacts]>();
  private readonly freshFacts = new Map<string, [string, TextFacts]>();
  private oldWalk: WalkRecord | undefined;
  private freshWalk: WalkRecord | undefined;

  /**
   * Reads `file` (absolute) for a run whose {@link runKey} is `key`. Never throws: what cannot be used is said with
   * `warn` (one sentence) and the run starts from an empty cache.
   */
  constructor(
    readonly file: string,
    private readonly key: string,
    private readonly facts: RunFacts,
    private readonly warn: (message: string) => void,
    /** A `--fix` run (see {@link cacheable}). */
    private readonly fix = false,
    /** {@link evidenceKey} of the run (none: no text facts are read or kept). */
    private readonly evidence?: string,
  ) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EISDIR') {
        this.foreign = true;
        warn(`the cache location ${file} is a folder; name it with a trailing / to keep the cache in it`);
      } else if (code !== 'ENOENT' && code !== 'ENOTDIR')
        warn(`cannot read the cache ${file} (${(error as Error).message}); not used`);
      return;
    }
    if (!text.startsWith(MAGIC)) {
      this.foreign = true;
      warn(`${file} is not a pylint-torch cache; not used, not overwritten (choose another --cache-location)`);
      return;
    }
    let stored: Stored;
    try {
      stored = JSON.parse(text) as Stored;
    } catch {
      warn(`the cache ${file} is corrupt (not valid JSON); not used, it will be rewritten`);
      return;
    }
    if (stored.pylintTorchCache !== FORMAT) {
      warn(
        `the cache ${file} has format ${JSON.stringify(stored.pylintTorchCache)}, not ${FORMAT} (another pylint-torch version); not used, it will be rewritten`,
      );
      return;
    }
    try {
      if (evidence !== undefined && stored.evidence?.key === evidence) {
        for (const [file, row] of Object.entries(stored.evidence.facts)) {
          if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[1] !== 'object')
            throw new Error('bad facts');
          this.oldFacts.set(file, row);
        }
        const walk = stored.evidence.walk;
        if (walk && (!Array.isArray(walk.files) || typeof walk.stats !== 'object' || walk.stats === null))
          throw new Error('bad walk');
        this.oldWalk = walk;
      }
    } catch {
      this.oldFacts.clear();
      this.oldWalk = undefined;
      warn(`the cache ${file} is corrupt (unexpected content); not used, it will be rewritten`);
      return;
    }
    if (stored.key !== key) return; // another version of the code or other options: every file is linted again
    try {
      for (const [filePath, { asked, result, ...entry }] of Object.entries(stored.files)) {
        const rows = asked.map((i) => stored.questions[i]);
        if (rows.some((row) => !Array.isArray(row) || row.length !== 2)) throw new Error('bad question row');
        if (typeof entry.hash !== 'string' || !Array.isArray(result.messages)) throw new Error('bad entry');
        this.old.set(filePath, { entry: { ...entry, result: { filePath, ...result } }, asked: rows });
      }
    } catch {
      this.old.clear();
      warn(`the cache ${file} is corrupt (unexpected content); not used, it will be rewritten`);
    }
  }

  /**
   * The cached result of `file` when its bytes hash to `hash`, its config digests to `config`, and every question
   * its lint asked has the same answer now; undefined otherwise (lint it, then {@link store}).
   */
  reuse(file: string, hash: string, config: string): CacheEntry | undefined {
    const known = this.old.get(file);
    if (!known || known.entry.hash !== hash || known.entry.config !== config) return undefined;
    for (const [q, answer] of known.asked) if (this.answer(q) !== answer) return undefined;
    this.fresh.set(file, known);
    this.reused++;
    return known.entry;
  }

  /**
   * Records what this run found for `file`: `entry`, and the questions its lint asked (answered now, at the end of
   * the lint loop: every answer is fixed for the run by then). A result that must not be reused (see
   * {@link cacheable}) drops the file's entry instead.
   */
  store(file: string, entry: CacheEntry | undefined, asked: Iterable<string>): void {
    if (!entry || !cacheable(entry.result, this.fix)) {
      this.dropped.add(file);
      return;
    }
    const rows: [string, string][] = [];
    for (const q of asked) {
      const answer = this.answer(q);
      if (answer === undefined) {
        this.dropped.add(file);
        return;
      }
      rows.push([q, answer]);
    }
    this.fresh.set(file, { entry, asked: rows });
  }

  /** The text facts stored for `file` when they were read under stat key `stat` (see {@link statKey}). */
  factsOf(file: string, stat: string): TextFacts | undefined {
    const known = this.freshFacts.get(file) ?? this.oldFacts.get(file);
    return known && known[0] === stat && stat !== '-' && stat !== '?' ? known[1] : undefined;
  }

  /**
   * Keeps `facts` of `file`, read under stat key `stat` (taken before the read; `?`: changed too recently, not
   * saved). A run saves the facts it kept, and no others: it keeps those of every file of its evidence.
   */
  keepFacts(file: string, stat: string, facts: TextFacts): void {
    this.freshFacts.set(file, [stat, facts]);
  }

  /**
   * Adds to each text facts kept in this run that lack `sites` those `sitesOf` knows now (undefined: not known).
   */
  completeFacts(sitesOf: (file: string, facts: TextFacts) => TextFacts['sites']): void {
    for (const [file, [stat, facts]] of this.freshFacts) {
      if (facts.sites) continue;
      const sites = sitesOf(file, facts);
      if (sites) this.freshFacts.set(file, [stat, { ...facts, sites }]);
    }
  }

  /** Adds `sites` to the text facts kept for `file` in this run, when there are some (see {@link completeFacts}). */
  addSites(file: string, sites: NonNullable<TextFacts['sites']>): void {
    const kept = this.freshFacts.get(file);
    if (kept && !kept[1].sites && (kept[1].literals?.literals || kept[1].literals?.keys))
      this.freshFacts.set(file, [kept[0], { ...kept[1], sites }]);
  }

  /** The scope walk stored (check its stat keys before trusting it). */
  walk(): WalkRecord | undefined {
    return this.freshWalk ?? this.oldWalk;
  }

  /** Stores the scope walk this run made (or checked). */
  keepWalk(walk: WalkRecord): void {
    this.freshWalk = walk;
  }

  /** Forgets `file` (not cacheable in this run). */
  drop(file: string): void {
    this.dropped.add(file);
  }

  /**
   * Writes the cache: this run's entries, and those of files it did not see that still exist (a run over a few files
   * keeps the rest). Atomic; never throws (a failure is a warning). A folder it makes to hold the file gets a
   * `.gitignore` that ignores everything in it.
   */
  save(): void {
    if (this.foreign) return;
    const rows = new Map<string, number>();
    const questions: [string, string][] = [];
    const files: Record<string, StoredEntry> = {};
    const add = (filePath: string, entry: CacheEntry, asked: [string, string][]) => {
      const { result, ...rest } = entry;
      const { filePath: _omitted, ...body } = result;
      files[filePath] = {
        ...rest,
        result: body,
        asked: asked.map((row) => {
          const id = `${row[0]}\u0001${row[1]}`;
          let i = rows.get(id);
          if (i === undefined) rows.set(id, (i = questions.push(row) - 1));
          return i;
        }),
      };
    };
    for (const [filePath, { entry, asked }] of this.fresh) add(filePath, entry, asked);
    for (const [filePath, { entry, asked }] of this.old)
      if (!this.fresh.has(filePath) && !this.dropped.has(filePath) && fs.existsSync(filePath))
        add(filePath, entry, asked);
    const stored: Stored = { pylintTorchCache: FORMAT, key: this.key, questions, files };
    if (this.evidence !== undefined) {
      const walk = this.walk();
      stored.evidence = {
        key: this.evidence,
        ...(walk && { walk }),
        // those of this run's evidence (every run with the cache keeps all of its own): a file no longer there, or
        // no longer in the working folder's walk, is left out
        facts: Object.fromEntries([...this.freshFacts].filter(([, [stat]]) => stat !== '?' && stat !== '-')),
      };
    }
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      // a folder made for the cache ignores itself in git, as Ruff's, mypy's and pytest's cache folders do
      if (makeFolders(path.dirname(this.file)) !== undefined)
        fs.writeFileSync(path.join(path.dirname(this.file), '.gitignore'), '# made by pylint-torch --cache\n*\n');
      fs.writeFileSync(temp, JSON.stringify(stored));
      fs.renameSync(temp, this.file);
    } catch (error) {
      this.warn(`cannot write the cache ${this.file} (${(error as Error).message}); the next run lints every file`);
    } finally {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // its folder could not be made: nothing was written
      }
    }
  }

  private answer(q: string): string | undefined {
    if (this.answers.has(q)) return this.answers.get(q);
    const answer = answerOf(this.facts, q);
    this.answers.set(q, answer);
    return answer;
  }
}

/**
 * Whether a result may be reused: not one with fixes written or shown as `output` (their text is not kept; ESLint
 * does not cache them either), not one with an internal error, and in a `--fix` run not one with a message without a
 * rule (a fix not written depends on more than the bytes: permissions, links).
 */
export function cacheable(result: LintResult, fix: boolean): boolean {
  if (result.output !== undefined || result.fixCount || result.fixed) return false;
  return result.messages.every((m) => !(m.ruleId === null && (fix || m.message.startsWith('Internal error'))));
}
