/**
 * Discovering the files to lint. Globbing is fast-glob's, gitignore matching is the `ignore` package's.
 */
import fg from 'fast-glob';
import ignore, { type Ignore } from 'ignore';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSpecialFile, NotRegularFileError, readRegularFile } from '../io/read';

/** Folders never entered when walking a directory (ESLint and Ruff skip the same kinds by default). */
export const DEFAULT_IGNORED_DIRS = [
  '.git',
  'node_modules',
  '.venv',
  'venv',
  'build',
  'dist',
  'site-packages',
  '__pycache__',
  '.tox',
  '.mypy_cache',
  '.ipynb_checkpoints', // Jupyter's autosaved copies of notebooks
];

export interface IgnoreRules {
  /** gitignore-style patterns relative to `baseDir` (config `ignorePatterns`). */
  patterns: string[];
  baseDir: string;
}

export interface Discovery {
  /** Absolute paths of the files to lint, sorted, without duplicates. */
  files: string[];
  /** Arguments that named nothing on disk. */
  missing: string[];
  /** Explicitly named files skipped because an ignore pattern matched, for a warning. */
  ignored: string[];
  /** Folders that could not be listed (permissions, I/O errors): their files were not linted. */
  unreadable: { path: string; reason: string }[];
  /** Symbolic links to folders found in a walk, not entered (name them to lint them). */
  skippedLinks: string[];
  /** Symbolic links named like files to lint (`*.py`…) found in a walk whose target does not exist. */
  danglingLinks: string[];
  /** `.gitignore` files (inside the walked folders or above them) that are FIFOs, sockets or devices: not read. */
  specialFiles: string[];
  /**
   * Paths left out of `files` because another path in it is the same real file (a symbolic link to a linted file, or
   * a file named again through a linked folder), each with the path kept: each real file is linted once.
   */
  aliases: { path: string; file: string }[];
}

/**
 * Expands path arguments: a file is taken as it is (whatever its extension), a directory is walked for `*.py`,
 * Jupyter notebooks (`*.ipynb`) and `extraPatterns`,
 * skipping {@link DEFAULT_IGNORED_DIRS}, what `.gitignore` files ignore, and `ignorePatterns`. Symbolic links are not
 * followed into directories. `ignoreFor(dir)` gives the ignore rules of the config that governs files in `dir`
 * (the same object for the same config, so that its matcher is built once).
 */
export async function discoverFiles(
  args: readonly string[],
  cwd: string,
  ignoreFor: (target: string) => IgnoreRules,
  options: {
    /** Globs of files to collect from folders besides `**\/*.py` (non-Python files rules check). */
    extraPatterns?: readonly string[];
    /** The directory lister (tests inject failures); defaults to fs.readdir. */
    listDir?: typeof fs.readdir;
  } = {},
): Promise<Discovery> {
  const files = new Set<string>();
  const missing: string[] = [];
  const ignored: string[] = [];
  const unreadable: Discovery['unreadable'] = [];
  const skippedLinks: string[] = [];
  const danglingLinks: string[] = [];
  const specialFiles: string[] = [];
  const listDir = options.listDir ?? fs.readdir;
  // fast-glob skips folders it cannot list when suppressErrors is on; this adapter records them so none is lost.
  const readdir = ((
    dir: string,
    options: unknown,
    callback?: (error: NodeJS.ErrnoException | null, entries: unknown) => void,
  ) => {
    const done = (callback ?? options) as (error: NodeJS.ErrnoException | null, entries: unknown) => void;
    const report = (error: NodeJS.ErrnoException | null, entries: unknown) => {
      if (error && error.code !== 'ENOENT') unreadable.push({ path: dir, reason: error.code ?? error.message });
      // links to folders are not walked (they can loop): note them so that nothing is skipped silently
      for (const entry of Array.isArray(entries) ? (entries as fs.Dirent[]) : []) {
        if (
          typeof entry === 'object' &&
          entry.isSymbolicLink() &&
          !DEFAULT_IGNORED_DIRS.includes(entry.name) &&
          statKind(path.join(dir, entry.name)) === 'dir'
        ) {
          skippedLinks.push(path.join(dir, entry.name));
        }
      }
      done(error, entries);
    };
    if (callback) listDir(dir, options as { withFileTypes: true }, report);
    else listDir(dir, report);
  }) as unknown as typeof fs.readdir;
  for (const arg of args) {
    const target = path.resolve(cwd, arg);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(target);
    } catch {
      missing.push(arg);
      continue;
    }
    if (!stat.isDirectory()) {
      if (isConfigIgnored(target, ignoreFor)) ignored.push(arg);
      else files.add(target);
      continue;
    }
    const gitignores = await loadGitignores(target, specialFiles);
    const found = await fg(['**/*.py', '**/*.ipynb', ...(options.extraPatterns ?? [])], {
      fs: { readdir },
      suppressErrors: true,
      cwd: target,
      absolute: true,
      dot: true,
      onlyFiles: false,
      objectMode: true,
      followSymbolicLinks: false,
      ignore: DEFAULT_IGNORED_DIRS.map((dir) => `**/${dir}/**`),
    });
    for (const entry of found) {
      const normal = path.normalize(entry.path);
      if (entry.dirent.isDirectory()) continue;
      // a symbolic link to a file is linted; one to a folder is not entered (loops), and is said so
      if (isConfigIgnored(normal, ignoreFor) || isGitignored(normal, gitignores)) continue;
      if (entry.dirent.isSymbolicLink()) {
        const kind = statKind(normal);
        if (kind === 'dangling') danglingLinks.push(normal);
        // a link to a FIFO or device (or one that cannot be followed) is kept: linting it says why it is not read
        if (kind !== 'file' && kind !== 'other') continue;
      }
      files.add(normal);
    }
  }
  const { kept, aliases } = oneRealFileEach([...files].sort());
  return {
    files: kept,
    aliases,
    missing,
    ignored,
    unreadable,
    skippedLinks: [...new Set(skippedLinks)].sort(),
    danglingLinks: [...new Set(danglingLinks)].sort(),
    specialFiles: [...new Set(specialFiles)].sort(),
  };
}

/**
 * Each real file once (issue 13: a file and a link to it were both fixed, the second write refused). Of the paths
 * that resolve to one real path, the one that is that real path is kept, else the first in order; the others are
 * aliases. Ruff and ESLint dedupe paths lexically only (a link and its target are both linted); a fix written twice
 * through two names is what this avoids, so the real path decides here.
 */
function oneRealFileEach(files: readonly string[]): { kept: string[]; aliases: Discovery['aliases'] } {
  const byReal = new Map<string, string[]>();
  for (const file of files) {
    // only regular files are merged: a link that cannot be followed, or one to a FIFO or device, is its own entry
    // (linting it says why it is not read)
    let real = file;
    try {
      const target = fs.realpathSync.native(file);
      if (fs.statSync(target).isFile()) real = target;
    } catch {
      // not followed: kept as it is
    }
    byReal.set(real, [...(byReal.get(real) ?? []), file]);
  }
  const kept: string[] = [];
  const aliases: Discovery['aliases'] = [];
  for (const [real, paths] of byReal) {
    const file = paths.includes(real) ? real : paths[0];
    kept.push(file);
    for (const other of paths) if (other !== file) aliases.push({ path: other, file });
  }
  return { kept: kept.sort(), aliases };
}

/**
 * Does the config that governs `file` (the nearest one) ignore it? The answer does not depend on the working folder.
 */
export function isConfigIgnored(file: string, ignoreFor: (dir: string) => IgnoreRules): boolean {
  const rules = ignoreFor(path.dirname(file));
  if (rules.patterns.length === 0) return false;
  const rel = path.relative(rules.baseDir, file);
  return (
    rel !== '' &&
    !rel.startsWith('..') &&
    !path.isAbsolute(rel) &&
    matcherFor(rules).ignores(rel.split(path.sep).join('/'))
  );
}

const matchers = new WeakMap<IgnoreRules, Ignore>();
function matcherFor(rules: IgnoreRules): Ignore {
  let matcher = matchers.get(rules);
  if (!matcher) matchers.set(rules, (matcher = ignore().add(rules.patterns)));
  return matcher;
}

function statKind(file: string): 'file' | 'dir' | 'other' | 'dangling' {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'dir' : 'other';
  } catch (error) {
    // ELOOP (a link to itself) is as unreadable as a missing target
    return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ELOOP'
      ? 'dangling'
      : 'other';
  }
}

interface Gitignore {
  dir: string;
  matcher: Ignore;
}

/**
 * `.gitignore` files inside `root`, and in its ancestors up to the enclosing git work tree's top. Those that are
 * FIFOs, sockets or devices (or links to one) are not read (one would block the run forever): they are pushed to
 * `special`.
 */
async function loadGitignores(root: string, special: string[]): Promise<Gitignore[]> {
  // FIFOs and devices are listed too, to be said not read; links are not followed (git refuses an in-tree
  // .gitignore that is a symbolic link)
  const inside = (
    await fg('**/.gitignore', {
      cwd: root,
      absolute: true,
      dot: true,
      onlyFiles: false,
      objectMode: true,
      followSymbolicLinks: false,
      suppressErrors: true,
      ignore: DEFAULT_IGNORED_DIRS.map((dir) => `**/${dir}/**`),
    })
  )
    .filter((entry) => !entry.dirent.isDirectory() && !entry.dirent.isSymbolicLink())
    .map((entry) => entry.path);
  // ancestors' .gitignore files count only inside a git work tree, up to its top
  const ancestors: string[] = [];
  for (let dir = root; !fs.existsSync(path.join(dir, '.git'));) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      ancestors.length = 0; // not in a work tree
      break;
    }
    dir = parent;
    if (fs.existsSync(path.join(dir, '.gitignore'))) ancestors.push(path.join(dir, '.gitignore'));
  }
  const all = [...ancestors, ...inside.map((f) => path.normalize(f))];
  return all.flatMap((file) => {
    try {
      return [{ dir: path.dirname(file), matcher: ignore().add(readRegularFile(file).toString('utf8')) }];
    } catch (error) {
      if (error instanceof NotRegularFileError && isSpecialFile(file)) special.push(file);
      return []; // an unreadable .gitignore ignores nothing, as in git
    }
  });
}

function isGitignored(file: string, gitignores: readonly Gitignore[]): boolean {
  return gitignores.some(({ dir, matcher }) => {
    const rel = path.relative(dir, file);
    return !rel.startsWith('..') && !path.isAbsolute(rel) && matcher.ignores(rel.split(path.sep).join('/'));
  });
}

/**
 * The nearest folder at or above `dir` (absolute) that holds `.git` (a folder, or the file of a worktree or
 * submodule): the top of the git work tree, if any.
 */
export function gitRoot(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}
