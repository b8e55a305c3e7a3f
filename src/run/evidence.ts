/**
 * Repository-wide evidence for a run over a few named files, with `--cache` (issue 12: a pre-commit hook names only
 * the staged files). Some facts come from the text of every file of a run before any is linted (src/torch/prescan.ts
 * `TextFacts`): a process-wide weakening of torch.load's default (a Dockerfile setting
 * TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD), a `set_extra_state`, the files that quote a checkpoint path or configuration
 * key, `add_safe_globals`. Read from the named files only, they can make a fix look safe that a run over the whole
 * repository calls unsafe.
 *
 * So a run with the cache that does not walk its working folder itself takes the text facts of every file that
 * `pylint-torch .` would find there (the scope), in that run's order: for a file whose stat key (size, mtime, ctime,
 * inode) is the one stored, the facts stored; any other file is read for them, and they are stored. The list of files
 * is stored too, with the stat keys of every folder the walk listed and of every `.gitignore` and config that decides
 * it (a folder's times change when an entry is added, removed or renamed); when one differs, the folder is walked
 * again. Stat keys taken within cache.ts `RACY_MS` of a change are not stored (a write in the same clock tick could
 * leave them unchanged): such a file is read again next time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, PYPROJECT_FILE_NAME } from '../project/config';
import { discoverFiles, type IgnoreRules } from '../project/discover';
import { isNotebookPath, parseNotebook, virtualText } from '../project/notebook';
import { readRegularFile } from '../io/read';
import { textFacts, type TextFacts } from '../torch/prescan';
import type { LiteralScan } from '../torch/checkpoint-sites';
import { digest, type LintCache, racy, statKey, type WalkRecord } from './cache';

/** Files in a listed folder that can change which files a walk finds (their absence is covered by the folder's key). */
const WALK_INPUTS = ['.gitignore', CONFIG_FILE_NAME, PYPROJECT_FILE_NAME];

/** Whether `paths` (relative to `cwd`) name exactly the working folder: the walk of the run is the scope walk. */
export function walksExactlyCwd(paths: readonly string[], cwd: string): boolean {
  return paths.length > 0 && paths.every((p) => path.resolve(cwd, p) === path.resolve(cwd));
}

/** Whether one of `paths` is a folder at or above `cwd`: the run's own walk holds the whole scope. */
export function coversCwd(paths: readonly string[], cwd: string): boolean {
  return paths.some((p) => {
    const rel = path.relative(path.resolve(cwd, p), path.resolve(cwd));
    if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
    try {
      return fs.statSync(path.resolve(cwd, p)).isDirectory();
    } catch {
      return false;
    }
  });
}

/**
 * Records a walk (discoverFiles' `listDir`): the stat key of each folder, taken before it is listed, then with
 * {@link WalkRecorder.record} those of the files that decide what the walk finds.
 */
export class WalkRecorder {
  private readonly stats: Record<string, string> = {};

  /**
   * @param now when the run started (ms since the epoch): keys of what changed since shortly before are `?`.
   * @param cacheFile the cache file (absolute): its folder, whose times change each time the cache is saved, is
   *   recorded by {@link namesKey}.
   */
  constructor(
    private readonly now: number,
    private readonly cacheFile: string,
  ) {}

  /** A `fs.readdir` that records the folder first. */
  readonly listDir = ((dir: string, ...rest: unknown[]) => {
    const full = path.resolve(dir);
    this.stats[full] =
      full === path.dirname(this.cacheFile) ? namesKey(full, this.cacheFile) : guard(statKey(full), this.now);
    return (fs.readdir as (...args: unknown[]) => void)(dir, ...rest);
  }) as unknown as typeof fs.readdir;

  /**
   * The record of a walk of `cwd` that found `files`: the folders listed, the `.gitignore` files and configs in them
   * (by stat key), and those in the folders above `cwd` (by stat key, `-` when absent; a `.git` by its presence).
   */
  record(files: readonly string[], cwd: string): WalkRecord {
    for (const dir of Object.keys(this.stats))
      for (const name of WALK_INPUTS) {
        const file = path.join(dir, name);
        const key = statKey(file);
        if (key !== '-') this.stats[file] = guard(key, this.now);
      }
    for (let dir = path.resolve(cwd); path.dirname(dir) !== dir;) {
      dir = path.dirname(dir);
      for (const name of WALK_INPUTS) this.stats[path.join(dir, name)] = guard(statKey(path.join(dir, name)), this.now);
      this.stats[path.join(dir, '.git')] = fs.existsSync(path.join(dir, '.git')) ? '+' : '-';
    }
    return { files: [...files], stats: this.stats, cacheFile: this.cacheFile };
  }
}

/**
 * The key of the folder that holds the cache file, whose times change at each save: `ls:` and a digest of its
 * entries' names and kinds, those of the cache file and its temporary files left out.
 */
export function namesKey(dir: string, cacheFile: string): string {
  const base = path.basename(cacheFile);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return '-';
  }
  const names = entries
    .filter((e) => e.name !== base && !(e.name.startsWith(`${base}.`) && e.name.endsWith('.tmp')))
    .map((e) => `${e.name}\0${e.isFile() ? 'f' : e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : 'o'}`)
    .sort();
  return `ls:${digest(names.join('\0'))}`;
}

/**
 * Whether nothing a stored walk depends on has changed since: every stat key is the same (presence for `+`, the
 * entries for an `ls:` key), and the cache file is where it was.
 */
export function walkStillValid(walk: WalkRecord, cacheFile: string): boolean {
  if (walk.cacheFile !== cacheFile) return false;
  return Object.entries(walk.stats).every(([file, key]) =>
    key === '+'
      ? fs.existsSync(file)
      : key.startsWith('ls:')
        ? namesKey(file, cacheFile) === key
        : key !== '?' && statKey(file) === key,
  );
}

/**
 * The files `pylint-torch .` would find in `cwd`: the cache's stored walk while it is still valid, else a new walk
 * (stored in the cache). `ignoreFor` and `extraPatterns` as the run's own discovery uses them; the walk's warnings
 * (links, unreadable folders) are about files the run does not lint and are not said.
 */
export async function scopeFiles(
  cache: LintCache,
  cwd: string,
  ignoreFor: (dir: string) => IgnoreRules,
  extraPatterns: readonly string[],
  now: number,
): Promise<readonly string[]> {
  const stored = cache.walk();
  if (stored && walkStillValid(stored, cache.file)) return stored.files;
  const recorder = new WalkRecorder(now, cache.file);
  const found = await discoverFiles(['.'], cwd, ignoreFor, { extraPatterns, listDir: recorder.listDir });
  cache.keepWalk(recorder.record(found.files, cwd));
  return found.files;
}

/** The files of `scope` and `linted` (each sorted, as discovery sorts), merged in that order, each once. */
export function mergeSorted(scope: readonly string[], linted: readonly string[]): string[] {
  return [...new Set([...scope, ...linted])].sort();
}

/** `key` (a stat key taken at or after `now`), or `?` when what it describes changed too recently to vouch for. */
export function guard(key: string, now: number): string {
  return racy(key, now) ? '?' : key;
}

/** The text the pre-pass reads facts from: a notebook's code cells ({@link notebookCode}), else Latin-1. */
export function factsText(file: string, bytes: Buffer): string {
  return isNotebookPath(file) ? notebookCode(bytes) : bytes.toString('latin1');
}

/** The Python text of a notebook's code cells, for the prescans; empty when it is not a readable notebook. */
export function notebookCode(bytes: Buffer): string {
  const notebook = parseNotebook(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  return 'kind' in notebook ? '' : virtualText(notebook).text;
}

/**
 * The text facts of `file`, a file of the scope the run does not lint: those the cache holds for its current stat
 * key, else read from it now (and kept in the cache under the key taken before the read); undefined when it cannot
 * be read (as the pre-pass passes over a file it cannot read). `read`: whether it was read.
 */
export function scopeFacts(
  cache: LintCache,
  file: string,
  python: boolean,
  scan: (text: string) => LiteralScan,
  now: number,
): { facts: TextFacts; read: boolean } | undefined {
  const stat = statKey(file);
  let facts = cache.factsOf(file, stat);
  const read = !facts;
  if (!facts) {
    try {
      facts = textFacts(factsText(file, readRegularFile(file)), python, scan);
    } catch {
      return undefined;
    }
  }
  cache.keepFacts(file, guard(stat, now), facts);
  return { facts, read };
}
