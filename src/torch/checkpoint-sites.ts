/**
 * Checkpoint files that Python code names in string literals (`torch.load("weights/model.pt")`), inspected before the
 * lint so that rules and the fix planner can ask about them synchronously. Rules run synchronously on one parse; the
 * zip reader is asynchronous; so the CLI scans each Python file's text for quoted literals ending in a checkpoint
 * extension first, inspects the files they name, and rules look them up here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_NAMES } from './saves';
import { asLoadCall, type LoaderResolver, pathArgument } from './api';
import { readBytes } from '../io/read';
import type { FileScopes } from '../syntax/scope';
import { stringValue, unparen } from '../syntax/python';
import { ownedCopy } from '../syntax/parse';
import { type Inspection, inspectCheckpoint, type InspectOptions, judgeInspection } from '../checkpoint/inspect';
import { isTarFile } from '../checkpoint/tar';
import type { GlobalVouchers } from '../checkpoint/classify';
import { dangerReason, isBlocked } from '../checkpoint/dangerous';
import type { BaseRef } from '../analysis/project-index';
import type { TorchIndex } from './summary';

/** A checkpoint file a literal names, as a rule sees it. */
export interface CheckpointReference {
  /** Absolute path of the file. */
  file: string;
  inspection: Inspection;
  /** Python files of the linted paths that mention `add_safe_globals` (process-wide allowlists to account for). */
  allowlistFiles: readonly string[];
}

/**
 * What {@link CheckpointReferences.prefetch} learned of the linted files, as plain data (maps, sets and arrays of
 * strings and inspections) that `structuredClone` and `postMessage` copy: a worker thread starts from the main
 * thread's prefetch instead of inspecting the checkpoints again.
 */
export interface PrefetchedReferences {
  inspections: Map<string, Inspection>;
  quoting: Set<string>;
  allowlistFiles: string[];
  literalFiles: Map<string, Map<string, number>>;
  baseNameFiles: Map<string, Map<string, number>>;
  pieceFiles: Map<string, Set<string>>;
}

/**
 * What the checkpoint rule's file check gets: the inspection, and whether a torch load of the linted Python files
 * names the file by a string literal (`loadedByTorch`; undefined when that is not known, as in `pylint-torch inspect`).
 */
export type CheckpointFileData = Inspection & { loadedByTorch?: boolean };

/**
 * What a Python file's text says for {@link CheckpointReferences} (see its `scan`): whether it mentions
 * `add_safe_globals`, each configuration key and checkpoint literal it quotes with how many times (in order of first
 * occurrence), and the extensions it quotes alone. Empty parts are left out.
 */
export interface LiteralScan {
  allowlist?: true;
  keys?: [string, number][];
  pieces?: string[];
  literals?: [string, number][];
}

export class CheckpointReferences {
  private readonly inspections = new Map<string, Inspection>();
  /** Python files that quote a checkpoint literal (the only ones whose torch loads can name a checkpoint file). */
  private readonly quoting = new Set<string>();
  /** Checkpoint files (absolute paths) that a torch load of the linted files names by a string literal. */
  private readonly torchLoaded = new Set<string>();
  private readonly allowlistFiles: string[] = [];
  /** How many times each checkpoint literal is quoted in each Python file (`"ckpt.pt"` → file → count). */
  private readonly literalFiles = new Map<string, Map<string, number>>();
  /** The same by file name (`model.pt` for `"./model.pt"`, `f"{d}/model.pt"`, `"runs/model.pt"`). */
  private readonly baseNameFiles = new Map<string, Map<string, number>>();
  /** Files quoting an extension on its own (`".pt"`): paths built from pieces. */
  private readonly pieceFiles = new Map<string, Set<string>>();
  private readonly extensions: readonly string[];
  private readonly literal: RegExp;

  /**
   * @param roots folders a relative literal may be relative to besides the loading file's own folder (the working
   *   folder, the linted folders, their git work trees), in order of preference.
   * @param extensions file extensions that make a literal a checkpoint reference (`.pt`, …).
   * @param maxBytes files larger than this are not inspected.
   */
  constructor(
    private readonly roots: readonly string[],
    extensions: readonly string[],
    private readonly maxBytes: number,
  ) {
    this.extensions = extensions;
    const ext = extensions.map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    this.literal = new RegExp(`["']([^"'\\n\\r]{1,4096}?(?:${ext}))["']`, 'g');
  }

  /** Whether a file name ends with one of the checkpoint extensions. */
  isCheckpointName(file: string): boolean {
    return this.extensions.some((ext) => file.endsWith(ext));
  }

  /**
   * The existing regular files `literal` may name from `fromFile`, as the process's working folder is unknown: an
   * absolute path, else relative to `fromFile`'s folder and to each root, each file once.
   */
  resolve(fromFile: string, literal: string): string[] {
    const candidates = path.isAbsolute(literal)
      ? [literal]
      : [path.dirname(fromFile), ...this.roots].map((dir) => path.resolve(dir, literal));
    const found: string[] = [];
    for (const candidate of new Set(candidates)) {
      try {
        if (fs.statSync(candidate).isFile()) found.push(candidate);
      } catch {
        // not there
      }
    }
    return found;
  }

  /**
   * Finds the quoted checkpoint literals in `text` (a Python file's source), records them as {@link record} does and
   * inspects the files they name, each file once. `options(file)` gives the torch version to judge a checkpoint by.
   * Never throws for bad files (the inspector reports them in the inspection).
   */
  async prefetch(fromFile: string, text: string, options: (file: string) => InspectOptions): Promise<void> {
    const scan = this.scan(text);
    this.record(fromFile, scan);
    await this.inspectLiterals(
      fromFile,
      (scan.literals ?? []).map(([literal]) => literal),
      options,
    );
  }

  /**
   * What {@link prefetch} reads of a Python file's text, as plain data: a function of the text (and of the
   * extensions) only, so that the result cache can keep it for a file whose bytes did not change.
   */
  scan(text: string): LiteralScan {
    const scan: LiteralScan = {};
    if (text.includes('add_safe_globals')) scan.allowlist = true;
    // configuration keys (`args.ckpt`), which saves and loads of one file may share (saves.ts pathKey)
    const keys = tally([...text.matchAll(CONFIG_KEY)].map((match) => match[0]));
    if (keys.length) scan.keys = keys;
    for (const ext of this.extensions)
      if (text.includes(`"${ext}"`) || text.includes(`'${ext}'`)) (scan.pieces ??= []).push(ext);
    const literals = tally([...text.matchAll(this.literal)].map((match) => match[1]));
    if (literals.length) scan.literals = literals;
    return scan;
  }

  /**
   * Counts what {@link scan} found in `fromFile` for {@link filesWith}, {@link mentions} and the allowlist files
   * (without inspecting anything: the evidence of a file the run does not lint). Files are recorded in the order of
   * the calls, which is the order those answers list them in.
   */
  record(fromFile: string, scan: LiteralScan): void {
    if (scan.allowlist) this.allowlistFiles.push(fromFile);
    for (const [key, n] of scan.keys ?? []) count(this.literalFiles, `@${key}`, fromFile, n);
    for (const ext of scan.pieces ?? []) {
      if (!this.pieceFiles.has(ext)) this.pieceFiles.set(ext, new Set());
      this.pieceFiles.get(ext)!.add(fromFile);
    }
    for (const [literal, n] of scan.literals ?? []) {
      this.quoting.add(fromFile);
      count(this.literalFiles, literal, fromFile, n);
      count(this.baseNameFiles, baseName(literal), fromFile, n);
    }
  }

  /** Inspects the checkpoint files that `literals` (quoted in `fromFile`) name, each file once. */
  async inspectLiterals(
    fromFile: string,
    literals: readonly string[],
    options: (file: string) => InspectOptions,
  ): Promise<void> {
    for (const literal of literals) {
      for (const file of this.resolve(fromFile, literal)) {
        if (this.inspections.has(file)) continue;
        let size: number;
        try {
          size = fs.statSync(file).size;
        } catch {
          continue;
        }
        // a zip costs its central directory and data.pkl whatever its size, a tar its headers; other formats are
        // read in full
        if (size > this.maxBytes && !isZipFile(file) && !isTarFile(file)) continue;
        this.inspections.set(file, await inspectCheckpoint(file, options(file)));
      }
    }
  }

  /** What every {@link prefetch} so far found (shared, not copied: for `postMessage`, which copies it). */
  prefetched(): PrefetchedReferences {
    const { inspections, quoting, allowlistFiles, literalFiles, baseNameFiles, pieceFiles } = this;
    return { inspections, quoting, allowlistFiles, literalFiles, baseNameFiles, pieceFiles };
  }

  /**
   * Takes over another instance's {@link prefetched} state (made with the same roots and extensions) in place of
   * prefetching; what this instance had prefetched is replaced.
   */
  adopt(state: PrefetchedReferences): void {
    refill(this.inspections, state.inspections);
    refill(this.quoting, state.quoting);
    refill(this.literalFiles, state.literalFiles);
    refill(this.baseNameFiles, state.baseNameFiles);
    refill(this.pieceFiles, state.pieceFiles);
    this.allowlistFiles.splice(0, this.allowlistFiles.length, ...state.allowlistFiles);
  }

  /**
   * Records the checkpoint files that the torch loads of a linted Python file name by a string literal (see
   * {@link torchLoadLiterals}); files that quote no checkpoint literal are skipped without a walk. Returns the
   * literals (empty for a skipped file).
   */
  recordTorchLoads(fromFile: string, scopes: FileScopes, resolveLoader?: LoaderResolver): string[] {
    if (!this.quoting.has(fromFile)) return [];
    // kept for the run (the result cache): copies, not slices of the file's text
    const literals = ownedCopy(torchLoadLiterals(scopes, resolveLoader));
    this.recordLoadLiterals(fromFile, literals);
    return literals;
  }

  /**
   * Records the checkpoint files that `literals` (the string-literal paths of `fromFile`'s torch loads, as
   * {@link recordTorchLoads} returned them in an earlier run: the result cache) name now.
   */
  recordLoadLiterals(fromFile: string, literals: readonly string[]): void {
    for (const literal of literals) for (const file of this.resolve(fromFile, literal)) this.torchLoaded.add(file);
  }

  /**
   * What {@link get} reads for `literal` from `fromFile`, as JSON: the files it names and their inspections (before
   * any vouchers), and the files with process-wide allowlists. Equal JSON, equal answers of `get` for equal vouchers.
   */
  describe(fromFile: string, literal: string): string {
    const files = this.resolve(fromFile, literal);
    return JSON.stringify([files, files.map((f) => this.inspections.get(f) ?? null), this.allowlistFiles]);
  }

  /** Whether a torch load of the linted files (as recorded by {@link recordTorchLoads}) names `file`. */
  loadedByTorch(file: string): boolean {
    return this.torchLoaded.has(path.resolve(file));
  }

  /** The linted Python files whose text quotes `literal` exactly (where its saves and loads are). */
  filesWith(literal: string): readonly string[] {
    return [...(this.literalFiles.get(literal)?.keys() ?? [])];
  }

  /**
   * How many times each linted Python file may name the file `literal` names: quoted strings with the same file name
   * (`"./model.pt"`, `f"{d}/model.pt"`), plus one for quoting its extension alone (a path built from pieces).
   */
  mentions(literal: string): ReadonlyMap<string, number> {
    const counts = new Map(this.baseNameFiles.get(baseName(literal)) ?? []);
    const ext = this.extensions.find((e) => literal.endsWith(e));
    for (const file of (ext && this.pieceFiles.get(ext)) || []) counts.set(file, (counts.get(file) ?? 0) + 1);
    return counts;
  }

  /**
   * What the inspector said of the file `literal` names from `fromFile` (the worst verdict when it may name several),
   * its needs judged with what the project vouches for at that load (`vouchers`: see {@link projectVouchers});
   * undefined when none was prefetched.
   */
  get(fromFile: string, literal: string, vouchers?: GlobalVouchers): CheckpointReference | undefined {
    // of several files the path may name, the worst one decides (it may be the one loaded)
    let worst: CheckpointReference | undefined;
    for (const file of this.resolve(fromFile, literal)) {
      const read = this.inspections.get(file);
      const inspection = read && judgeInspection(read, vouchers);
      if (inspection && (!worst || RANK[inspection.verdict] > RANK[worst.inspection.verdict]))
        worst = { file, inspection, allowlistFiles: this.allowlistFiles };
    }
    return worst;
  }
}

/**
 * The string-literal paths that a file's torch.load-family calls load: torch's own loaders, and the project wrappers
 * and known third-party loaders `resolveLoader` finds (the calls the rules check as loads).
 */
export function torchLoadLiterals(scopes: FileScopes, resolveLoader?: LoaderResolver): string[] {
  const literals: string[] = [];
  for (const call of scopes.module.node.descendantsOfType('call')) {
    const load = call && asLoadCall(call, scopes, resolveLoader);
    const argument = load && pathArgument(load);
    const literal = argument && stringValue(unparen(argument));
    if (literal) literals.push(literal);
  }
  return literals;
}

/** Whether a file starts with a zip local header (false when it cannot be read). */
export function isZipFile(file: string): boolean {
  try {
    return readBytes(file, 0, 4).toString('latin1') === 'PK\x03\x04';
  } catch {
    return false;
  }
}

const CONFIG_KEY = new RegExp(`\\b(?:${CONFIG_NAMES.join('|')})(?:\\.[A-Za-z_]\\w*)+`, 'g');

/** Verdicts from least to most alarming. */
const RANK: Record<Inspection['verdict'], number> = {
  'not-a-checkpoint': 0,
  safe: 1,
  'needs-allowlist': 2,
  'needs-review': 3,
  unloadable: 4,
  dangerous: 5,
};

/** Makes `target` hold exactly what `source` holds, in its order. */
function refill<K, V>(target: Map<K, V> | Set<K>, source: ReadonlyMap<K, V> | ReadonlySet<K>): void {
  target.clear();
  if (target instanceof Map) for (const [key, value] of source as ReadonlyMap<K, V>) target.set(key, value);
  else for (const key of source as ReadonlySet<K>) target.add(key);
}

function count(map: Map<string, Map<string, number>>, key: string, file: string, n = 1): void {
  let files = map.get(key);
  // a key matched in a file's text is a slice of it: a new key is copied, or the table would keep every text alive
  if (!files) map.set(ownedCopy(key), (files = new Map()));
  files.set(file, (files.get(file) ?? 0) + n);
}

/** Each distinct string of `items` with how many times it occurs, in order of first occurrence. */
function tally(items: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts];
}

/** The last part of a path as written (`/` or `\\` separated). */
function baseName(literal: string): string {
  return literal.slice(Math.max(literal.lastIndexOf('/'), literal.lastIndexOf('\\')) + 1);
}

/** How many project classes a chain of bases is followed through for {@link projectVouchers}. */
const MAX_BASES = 16;

/**
 * What the linted project vouches for in a checkpoint that `fromFile` loads (a Python file) or that lies at
 * `fromFile` (a checkpoint file of the linted paths), for classify.ts: `project-class` for a class defined in a
 * module of the project, as `fromFile` resolves `module.Name` (its folder, its package root, the project roots;
 * `index.classKnown`), unless it subclasses a code-running class through project classes (`class Runner(Popen)`: the
 * file would choose the command); with `main`, also `__main__.Name` when `fromFile` itself defines class `Name` (the
 * script that saved the checkpoint ran as `__main__`; only a loading script can say which script that was); and
 * `trusted` for the config's `trustedGlobals` (those naming a project module only when they are such a class).
 * Project code is the project's own: its classes are trusted as the rest of its code is, and a fix that allowlists
 * them is unsafe.
 */
export function projectVouchers(
  index: TorchIndex | undefined,
  fromFile: string,
  trusted: readonly string[] | undefined,
  main: boolean,
): GlobalVouchers {
  const codeRunning = (name: string) => isBlocked(name) || dangerReason(name) !== undefined;
  const runsCode = (file: string, qualified: string) => index?.moduleClass(file, qualified, codeRunning) !== undefined;
  const projectClass = (name: string): boolean => {
    if (!index) return false;
    if (!name.startsWith('__main__.')) return index.classKnown(fromFile, name) && !runsCode(fromFile, name);
    if (!main) return false;
    // a class of the loading script itself, and its bases (local ones through the same file)
    const classes = index.summary(fromFile)?.classes;
    const pending: string[] = [name.slice('__main__.'.length)];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const local = pending.pop()!;
      const cls = classes?.get(local);
      if (!cls) return false;
      if (seen.has(local) || seen.size > MAX_BASES) continue;
      seen.add(local);
      for (const base of cls.bases as BaseRef[]) {
        if ('local' in base) pending.push(base.local);
        else if (codeRunning(base.qualified) || runsCode(fromFile, base.qualified)) return false;
      }
    }
    return true;
  };
  // a trusted name of a project module must be a class defined there (not a def, not a name that does not exist)
  const vouched = trusted?.filter((name) => index?.moduleFileOf(fromFile, name) === undefined || projectClass(name));
  return { projectClass, trusted: vouched };
}
