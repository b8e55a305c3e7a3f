/**
 * The lint pipeline (ESLint's lib/eslint/eslint.js): discover files → read each once → index the project → lint (and
 * fix) each file → results. No output and no exit codes: the CLI and the public API shape those.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rules as builtinRules } from '../../rules';
import {
  type Config,
  CONFIG_FILE_NAME,
  ConfigError,
  findConfigFile,
  loadConfig,
  ruleIdList,
  type RuleSelection,
  ruleSettings,
} from '../project/config';
import { type Discovery, discoverFiles, gitRoot, type IgnoreRules, isConfigIgnored } from '../project/discover';
import {
  binaryProblems,
  lintAndFix,
  type LintOptions,
  lintNonPythonText,
  lintText,
  matchesTextCheck,
  type Problem,
  type RuleSetting,
} from '../engine/linter';
import { parsePython, pythonParser } from '../syntax/parse';
import { type ModuleSummary, ProjectIndex, summarizeModule } from '../analysis/project-index';
import { findLoader, findReexportedLoader, summarizeTorch, type TorchIndex, type TorchSummary } from '../torch/summary';
import { LOAD_FUNCTIONS, type LoadFunction } from '../torch/api';
import { BUILTIN_LOADERS, type KnownLoader, knownLoadFunction, wrapperLoadFunction } from '../torch/loaders';
import { analyzeScopes, type FileScopes } from '../syntax/scope';
import { decodePython, decodeText, type DecodedSource } from '../project/source';
import { readRegularFile } from '../io/read';
import { countResult, internalErrorResult, type LintResult, toResult } from '../report/results';
import { type AnyRule, interpolate, type SeveritySetting } from '../engine/rule';
import type { ProjectContext } from '../torch/services';
import { inspectCheckpoint, type InspectOptions } from '../checkpoint/inspect';
import { isTarFile } from '../checkpoint/tar';
import { type CheckpointFileData, CheckpointReferences, isZipFile, projectVouchers } from '../torch/checkpoint-sites';
import { judgingVersion, torchRequirementFor, type TorchRequirement } from '../torch/version';
import { NOT_WRITTEN, writeIfUnchanged, type WriteOutcome } from '../project/write';
import { type TextFacts, textFacts } from '../torch/prescan';
import { isNotebookPath, parseNotebook, virtualText } from '../project/notebook';
import { lintNotebook } from './lint-notebook';
import { callsProjectLoader, importsNothing, triggerTest } from '../torch/prefilter';
import { type FileOutcome, lintInWorkers, type Prepassed, WORKER_FILE, workerCount } from './pool';
import { DependencyLog, type Memo, question } from '../analysis/dependencies';
import { type CacheEntry, configDigest, digest, evidenceKey, LintCache, type RunFacts, runKey, statKey } from './cache';
import {
  coversCwd,
  factsText,
  guard,
  mergeSorted,
  notebookCode,
  scopeFacts,
  scopeFiles,
  WalkRecorder,
  walksExactlyCwd,
} from './evidence';

/** What a lint run does; everything is optional. */
export interface LintFilesOptions {
  /** Folder that relative paths, `config` and the project roots start from (default: `process.cwd()`). */
  cwd?: string;
  /** Write safe fixes (and unsafe ones with `unsafeFixes`) to the files. */
  fix?: boolean;
  /** Compute fixes without writing: results carry `output`. */
  fixDryRun?: boolean;
  /** Let unsafe fixes apply, and show them as `fix` rather than as a suggestion. */
  unsafeFixes?: boolean;
  /** A config file to use for every file instead of looking for `.pylintrc-ts.json`. */
  config?: string;
  /** Severity overrides by rule id (the CLI's `--rule id:severity`), over every config. */
  rules?: Readonly<Record<string, SeveritySetting>>;
  /** Only these rules run (the CLI's `--select`), over every config; `--rule` still sets a severity. */
  select?: readonly string[];
  /** These rules do not run (the CLI's `--ignore`), over every config and `select`. */
  ignore?: readonly string[];
  /**
   * The rules every file gets, in SARIF order (default: the built-in rules); a config's `plugins` add theirs for the
   * files it governs. RuleTester passes the rule under test here (an instrumented copy, in place of a built-in rule
   * with the same id), so that rule objects that are in no package run through the whole pipeline too.
   */
  registry?: readonly AnyRule[];
  /**
   * Severity of `# pylint-torch:` directives that suppressed nothing (the CLI's
   * `--report-unused-disable-directives[-severity]`), over every config's `reportUnusedDisableDirectives`; default
   * `warn`.
   */
  reportUnusedDisableDirectives?: SeveritySetting;
  /**
   * Lint this text instead of files on disk (the CLI's `-` / `--stdin`); `paths` is then ignored. `filePath`
   * (relative to `cwd`, need not exist) is where the text would live: the config that governs it, its ignorePatterns
   * and its project's torch requirement apply, and its results carry it. The text is Python source, or the text a
   * rule checks when `filePath` names such a file (a Dockerfile, requirements.txt); never a checkpoint. It is never
   * written: with `fix` or `fixDryRun` its result carries the fixed text as `output`.
   */
  stdin?: { text: Buffer; filePath: string };
  /**
   * Called (synchronously) each time a file's result is ready: `done` of `total` files (checkpoints included), `file`
   * the absolute path just finished. For a progress display; what it throws stops the run.
   */
  onProgress?: (done: number, total: number, file: string) => void;
  /**
   * Skip the rules in Python files none of them can report in (src/torch/prefilter.ts); default true. `false` (the
   * CLI's `--no-prefilter`) runs every rule on every file: the findings are the same, only slower.
   */
  prefilter?: boolean;
  /**
   * How many worker threads lint the Python files (the CLI's `--jobs`): 1 lints them in this thread; more start that
   * many workers (at most one per file), each with its own parser, and merge their results in discovery order: the
   * results are the same whatever the number. Default: one per core (`os.availableParallelism()`), but no more than
   * one per 100 Python files and per 1 MB read (`WORKER_FILES`, `WORKER_BYTES` in src/run/pool.ts), so 1 (this
   * thread) below 200 files or 2 MB, where starting workers costs more than they save. Runs with `stdin` or a
   * `registry` always lint in this thread, and so does a build without the worker script beside this module
   * (TypeScript sources, as under ts-jest), where a `jobs` above 1 throws instead.
   */
  jobs?: number;
  /**
   * Parse the files the prefilter skips too, to report their syntax errors (the CLI's `--check-syntax`); without it a
   * skipped file's result has no messages.
   */
  checkSyntax?: boolean;
  /**
   * The cache file (relative to `cwd`; the CLI's `--cache` / `--cache-location`, see src/run/cache.ts): results of
   * files whose bytes and dependencies did not change since it was written are reused, the rest are linted, and the
   * file is rewritten. Findings are the same as without it, but for one thing: a run whose `paths` do not hold `cwd`
   * (named files, subfolders) also takes the text facts of every file a walk of `cwd` finds (src/run/evidence.ts),
   * so that its findings are those of a run over `cwd`. Not used for stdin or with a custom `registry`; files
   * governed by a config with `plugins` are always linted.
   */
  cache?: string;
}

/** What a lint run found. */
export interface LintFilesReport {
  /** One result per file (and per folder that could not be read), in discovery order. */
  results: LintResult[];
  /**
   * The text of each linted file that has messages, an `output` or fixes (after fixes when they were written), by
   * absolute path: what SARIF and GitLab fingerprints and `--diff` read. Clean, unfixed files' texts are not kept.
   */
  sources: Map<string, string>;
  /** The rules the run knew (for formatters). */
  rules: readonly AnyRule[];
  /** Things worth telling (links not followed, ignored files named, nothing to lint), one sentence each. */
  warnings: string[];
  /** Paths given that do not exist; when any, nothing was linted. */
  missing: string[];
  /** Files where a rule or the pipeline itself failed (their results say so). */
  internalErrors: number;
  /** Python files the prefilter skipped for rules (see `LintFilesOptions.prefilter`). */
  skippedFiles?: number;
  /**
   * With `cache`: the cache file, and how many files' results came from it and how many were linted; for a run that
   * did not walk the working folder, `evidence`: how many other files of it gave their text facts (src/run/evidence.ts)
   * and how many of those were read rather than taken from the cache.
   */
  cache?: { file: string; reused: number; linted: number; evidence?: { files: number; read: number } };
}

/**
 * Lints `paths` (files and folders, relative to `options.cwd`). Never throws for a file's content or I/O: those
 * become messages of its result. Throws `ConfigError` for an invalid config file (the CLI's exit 2).
 */
export async function lintFiles(paths: readonly string[], options: LintFilesOptions = {}): Promise<LintFilesReport> {
  const run = await openRun(paths, options);
  if ('report' in run) return run.report;
  const { discovery, warnings, checkpointFiles } = run;
  const resultsByFile = new Map<string, LintResult>();
  const sources = new Map<string, string>();
  const setResult = (file: string, result: LintResult) => {
    resultsByFile.set(file, result);
    options.onProgress?.(resultsByFile.size, discovery.files.length, file);
  };
  let skippedFiles = 0;
  const take = (file: string, outcome: FileOutcome) => {
    setResult(file, outcome.result);
    if (outcome.source !== undefined) sources.set(file, outcome.source);
    if (outcome.skipped) skippedFiles++;
  };
  // the cache (src/run/cache.ts): results still valid are reused before the loop, the rest are linted with what they
  // ask recorded, and stored after it
  const cached = run.openCache();
  for (const [file, outcome] of cached?.reused ?? []) take(file, outcome);
  const pythonFiles = discovery.files.filter((file) => !checkpointFiles.has(file) && !cached?.reused.has(file));
  const outcomes = new Map<string, FileOutcome>();
  // workers that crashed with no file to blame: internal errors too (a rule threw, whichever file it was)
  let crashes = 0;
  const jobs = workerCount(options, pythonFiles.length, run.bytesRead, WORKER_FILE);
  if (jobs > 1) {
    const pooled = await lintInWorkers(
      WORKER_FILE,
      jobs,
      {
        paths,
        options: workerOptions(options),
        files: discovery.files,
        prepassed: run.prepassed(),
      } satisfies WorkerStart,
      pythonFiles,
      (file, outcome) => {
        take(file, outcome);
        if (cached) outcomes.set(file, outcome);
        // the checkpoint files its torch loads name, as the lint recorded them in the worker
        if (outcome.loads) run.references.recordLoadLiterals(file, outcome.loads);
      },
    );
    // in discovery order, each once, after those of the main thread (as the files' turns would have added them)
    for (const file of pythonFiles) warnings.push(...(pooled.warnings.get(file) ?? []));
    for (const crash of pooled.crashes)
      warnings.push(`a worker thread stopped between two files (${crash}); the files it had left went to the others`);
    crashes = pooled.crashes.length;
  } else {
    for (const file of pythonFiles) {
      const outcome = run.lintOne(file);
      take(file, outcome);
      if (cached) outcomes.set(file, outcome);
    }
  }
  if (cached) {
    for (const file of pythonFiles) {
      const outcome = outcomes.get(file);
      if (outcome) run.store(cached.cache, file, outcome);
    }
    run.completeFacts(cached.cache);
    cached.cache.save();
  }
  const cacheReport = cached && {
    file: cached.cache.file,
    reused: cached.cache.reused,
    linted: discovery.files.length - cached.cache.reused - checkpointFiles.size,
    ...(run.evidence && { evidence: run.evidence }),
  };
  // after the Python files: their torch loads tell which checkpoint files torch reads
  for (const [file, setting] of checkpointFiles) setResult(file, await run.lintCheckpoint(file, setting));

  const unreadableDirs = discovery.unreadable.map(({ path: dir, reason }) =>
    toResult(
      dir,
      [fileProblem(`Cannot read this folder (${reason}): the Python files in it were not linted.`, true)],
      false,
    ),
  );
  // every file found has a result: one the pipeline failed to produce says so instead of disappearing
  const results: LintResult[] = [
    ...unreadableDirs,
    ...discovery.files.map(
      (file) =>
        resultsByFile.get(file) ??
        toResult(
          file,
          [fileProblem('Internal error: this file was not linted (please report it); its findings are missing.', true)],
          false,
        ),
    ),
  ];
  const internalErrors =
    crashes +
    results.filter((r) => r.messages.some((m) => m.ruleId === null && m.message.startsWith('Internal error'))).length;
  return {
    results,
    sources,
    rules: run.allRules,
    warnings: [...new Set(warnings)],
    missing: [],
    internalErrors,
    skippedFiles,
    ...(cacheReport && { cache: cacheReport }),
  };
}

/** What a worker starts from: the run's paths and options, and the main thread's discovery and pre-pass. */
export interface WorkerStart {
  paths: readonly string[];
  options: LintFilesOptions;
  /** Every file the main thread found, in discovery order (also those a worker is never handed). */
  files: readonly string[];
  prepassed: Prepassed;
}

/** The options a worker gets: those that `postMessage` can copy (never a callback, a registry or stdin). */
export function workerOptions(options: LintFilesOptions): LintFilesOptions {
  const { onProgress: _onProgress, registry: _registry, stdin: _stdin, ...copied } = options;
  return { ...copied, jobs: 1 };
}

/** A run set up: its files found, read once and prefetched, ready to lint one file at a time. */
export interface OpenRun {
  discovery: Discovery;
  /** Warnings so far (the caller adds those of the files' turns). */
  warnings: string[];
  allRules: readonly AnyRule[];
  references: CheckpointReferences;
  /** The checkpoint files of the walk, with the setting of the rule that checks them (none: off there). */
  checkpointFiles: Map<string, RuleSetting | undefined>;
  /** Bytes read by the pre-pass (what a worker pool would share). */
  bytesRead: number;
  /**
   * What the pre-pass found, for workers to start from (see {@link openRun}'s `start`); from then on this run reads
   * the bytes from the shared buffer too. Call it before linting: a file linted has its bytes dropped.
   */
  prepassed(): Prepassed;
  /**
   * Lints one Python file (never a checkpoint): the seam between the pipeline and its per-file work, the same in the
   * main thread and in a worker. Never throws: a failure is the file's internal-error result.
   */
  lintOne(file: string): FileOutcome;
  lintCheckpoint(file: string, setting: RuleSetting | undefined): Promise<LintResult>;
  /**
   * With `options.cache`, in the main thread: the cache opened, and the outcomes of the files whose results it still
   * holds, in discovery order (their bytes are dropped); undefined otherwise.
   */
  openCache(): { cache: LintCache; reused: Map<string, FileOutcome> } | undefined;
  /** Stores a linted file's outcome (with what its lint asked, answered now) in the cache. */
  store(cache: LintCache, file: string, outcome: FileOutcome): void;
  /**
   * Adds to the text facts kept in the cache the save and load sites of the files this thread parsed (the outcomes
   * of files linted in workers bring theirs to {@link store}).
   */
  completeFacts(cache: LintCache): void;
  /**
   * With the cache, for a run that does not walk the working folder: how many other files of it gave text facts, and
   * how many of them were read (src/run/evidence.ts).
   */
  evidence?: { files: number; read: number };
}

/**
 * Sets up a run: configs, discovery (or, in a worker, the main thread's `start.files`), the project index, and the
 * pre-pass that reads every file once (or, in a worker, the main thread's `start.prepassed`). `report` when some
 * paths given do not exist (nothing is linted then). Throws `ConfigError` as {@link lintFiles} does.
 */
export async function openRun(
  paths: readonly string[],
  options: LintFilesOptions,
  start?: { files: readonly string[]; prepassed: Prepassed },
): Promise<OpenRun | { report: LintFilesReport }> {
  const cwd = options.cwd ?? process.cwd();
  const rules = options.registry ?? builtinRules;
  // the rules for the files a config governs: the registry's and that config's plugins'
  const rulesOf = (config: Config | undefined): readonly AnyRule[] =>
    config?.pluginRules.length ? [...rules, ...config.pluginRules] : rules;
  const overrides = new Map<string, SeveritySetting>(Object.entries(options.rules ?? {}));
  const selection: RuleSelection = {
    select: options.select && new Set(options.select),
    ignore: options.ignore && new Set(options.ignore),
  };
  const configs = new Map<string, Config>();
  const forced = options.config === undefined ? undefined : loadConfig(path.resolve(cwd, options.config), rules);
  const pyprojects = new Map<string, boolean>();
  // a pyproject.toml [tool.pylint-torch] that a .pylintrc-ts.json beside it overrules, said once each
  const shadowed = new Map<string, string>();
  const configFor = (dir: string): Config | undefined => {
    if (forced) return forced;
    const found = findConfigFile(dir, pyprojects);
    if (!found) return undefined;
    const { file } = found;
    if (found.shadowed) shadowed.set(found.shadowed, file);
    let config = configs.get(file);
    if (!config) configs.set(file, (config = loadConfig(file, rules)));
    return config;
  };

  const noIgnores = { patterns: [], baseDir: cwd };
  const ignoreRules = new Map<Config, IgnoreRules>();
  const extraPatterns = [
    ...rules.flatMap((rule) => rule.text?.files ?? []),
    ...rules.flatMap((rule) => rule.binary?.extensions(rule.defaultOptions).map((ext) => `**/*${ext}`) ?? []),
  ];
  const ignoreFor = (dir: string): IgnoreRules => {
    const config = configFor(dir);
    if (!config) return noIgnores;
    let rules = ignoreRules.get(config);
    if (!rules) ignoreRules.set(config, (rules = { patterns: config.ignorePatterns, baseDir: config.baseDir }));
    return rules;
  };
  const stdinFile = options.stdin && path.resolve(cwd, options.stdin.filePath);
  const cached = options.cache !== undefined && !options.stdin && !options.registry;
  // with the cache, the walk of a run over the working folder is kept (src/run/evidence.ts)
  const started = Date.now();
  const recorder =
    cached && !start && walksExactlyCwd(paths, cwd)
      ? new WalkRecorder(started, path.resolve(cwd, options.cache!))
      : undefined;
  const discovery: Discovery = start
    ? {
        files: [...start.files],
        missing: [],
        ignored: [],
        unreadable: [],
        skippedLinks: [],
        danglingLinks: [],
        specialFiles: [],
        aliases: [],
      }
    : stdinFile
      ? {
          // like a file named on the command line: ignorePatterns apply, .gitignore does not
          files: isConfigIgnored(stdinFile, ignoreFor) ? [] : [stdinFile],
          missing: [],
          ignored: isConfigIgnored(stdinFile, ignoreFor) ? [options.stdin!.filePath] : [],
          unreadable: [],
          skippedLinks: [],
          danglingLinks: [],
          specialFiles: [],
          aliases: [],
        }
      : await discoverFiles(paths, cwd, ignoreFor, { extraPatterns, listDir: recorder?.listDir });
  const warnings: string[] = [];
  const allRules = [...rules, ...new Set([forced, ...configs.values()].flatMap((c) => c?.pluginRules ?? []))];
  for (const [flag, ids] of [
    ['--rule', overrides.keys()],
    ['--select', options.select ?? []],
    ['--ignore', options.ignore ?? []],
  ] as const) {
    for (const id of ids)
      if (!allRules.some((r) => r.meta.id === id))
        throw new ConfigError(flag, id, `unknown rule id (known: ${ruleIdList(allRules)})`);
  }
  for (const [pyproject, json] of shadowed)
    // a .pylintrc-ts.json that extends the pyproject.toml beside it does read its table
    if (!configs.get(json)?.extended.includes(pyproject))
      warnings.push(
        `${path.relative(cwd, json) || json} and ${path.relative(cwd, pyproject) || pyproject} [tool.pylint-torch] are in the same folder: ${CONFIG_FILE_NAME} is used, the pyproject.toml table is ignored`,
      );
  if (discovery.missing.length)
    return {
      report: {
        results: [],
        sources: new Map(),
        rules: allRules,
        warnings,
        missing: discovery.missing,
        internalErrors: 0,
      },
    };
  for (const link of discovery.skippedLinks)
    warnings.push(
      `${path.relative(cwd, link) || link} is a symbolic link to a folder; not entered (name it to lint it)`,
    );
  for (const alias of discovery.aliases)
    warnings.push(
      `${path.relative(cwd, alias.path) || alias.path} is the same file as ${path.relative(cwd, alias.file) || alias.file} (a symbolic link); linted once, as ${path.relative(cwd, alias.file) || alias.file}`,
    );
  for (const link of discovery.danglingLinks)
    warnings.push(`${path.relative(cwd, link) || link} is a symbolic link to a file that does not exist; not linted`);
  for (const special of discovery.specialFiles)
    warnings.push(
      `${path.relative(cwd, special) || special} is not a regular file (a FIFO, socket or device); not read, its patterns ignore nothing`,
    );
  for (const ignored of discovery.ignored)
    warnings.push(`${ignored} is ignored by ignorePatterns in the config; not linted`);
  if (discovery.files.length === 0 && discovery.ignored.length === 0 && discovery.unreadable.length === 0) {
    warnings.push(`no Python files to lint under ${paths.join(', ')} (after skipping ignored files)`);
  }

  const parser = await pythonParser();
  const torchCache = new Map<string, TorchRequirement>();

  // The repository index is demand-driven and flat: a rule asking about another module gets that module's summary,
  // computed once from the bytes that will be linted (a file linted already registered it from its own parse), never
  // a nested lint, which would keep every tree of a chain of questions alive and can overflow the stack (issue 12).
  const summaries = new Map<string, ModuleSummary<TorchSummary> | null>();
  // a summary comes from the bytes the pre-pass read (never from a file a fix rewrote since: what a summary says
  // must not depend on which file was linted first, nor in which worker)
  // what each file's lint asks about the rest of the run, for the cache (src/analysis/dependencies.ts)
  const log = new DependencyLog(cached);
  const provide = (file: string): ModuleSummary<TorchSummary> | undefined => {
    log.ask(question.summary(file));
    if (!summaries.has(file)) {
      const judged = judgedBytes(file);
      // a file that changed since the pre-pass is reported as not linted at its turn; nothing is said of it here
      summaries.set(file, judged.problem ? null : (summarizeFile(file, parser, judged.bytes) ?? null));
    }
    return summaries.get(file) ?? undefined;
  };
  // absolute imports resolve from the working folder, the linted folders, and the git work trees they sit in; a run
  // that takes the working folder's evidence (below) resolves as a run over that folder does
  const scoped = cached && !coversCwd(paths, cwd);
  const argDirs = (stdinFile ? [stdinFile] : paths.map((p) => path.resolve(cwd, p)))
    .map((p) => (isDirectory(p) ? p : path.dirname(p)))
    .filter((dir) => !scoped || !isInside(dir, cwd));
  const roots = [
    ...new Set([cwd, ...argDirs, ...[cwd, ...argDirs].map(gitRoot).filter((r): r is string => r !== undefined)]),
  ];
  const index = new ProjectIndex(roots, provide, log);
  const loaderAnswers: LoaderAnswers = new Map();
  // --fix writes only inside the real paths of what was named (or the working folder): never through a link out
  const writeRoots = (paths.length ? paths : ['.']).flatMap((p) => {
    try {
      return [fs.realpathSync(path.resolve(cwd, p))];
    } catch {
      return [];
    }
  });
  const onParsed = (file: string, scopes: FileScopes) => {
    if (summaries.has(file) && torchLoadsRecorded.has(file)) return;
    if (!summaries.has(file)) summaries.set(file, summarizeModule(file, scopes, summarizeTorch));
    // which checkpoint files its torch loads name (the raw pickles torch reads are judged for torch, below)
    torchLoadsRecorded.add(file);
    const { resolveLoader } = projectFor(file, configFor(path.dirname(file)));
    const literals = references.recordTorchLoads(
      file,
      scopes,
      resolveLoader && ((callee) => resolveLoader(file, scopes, callee)),
    );
    if (literals.length) torchLoadLiterals.set(file, literals);
  };
  /** The literal paths each linted file's torch loads name (for the cache: a reused result records them again). */
  const torchLoadLiterals = new Map<string, string[]>();
  const torchLoadsRecorded = new Set<string>();
  // checkpoint files Python code names in string literals, inspected now so that rules can ask synchronously
  const checkpointSetting = ruleSettings(rules, undefined, new Map()).find((s) => s.rule.binary);
  const references = new CheckpointReferences(
    roots,
    checkpointSetting ? checkpointSetting.rule.binary!.extensions(checkpointSetting.options) : [],
    checkpointSetting ? checkpointSetting.rule.binary!.maxBytes(checkpointSetting.options) : 0,
  );
  const judging = (file: string) => {
    const found = judgingVersion(projectFor(file, configFor(path.dirname(file))).torch);
    return { torchVersion: found?.version, torchVersionSource: found?.source };
  };
  const torchFor = (file: string, config: Config | undefined) => (
    log.ask(question.torch(path.dirname(file))),
    torchRequirementFor(
      path.dirname(file),
      parser,
      torchCache,
      config?.torchVersion
        ? { spec: config.torchVersion, file: path.basename(config.torchVersionFile ?? '') }
        : undefined,
      (special) =>
        warnings.push(
          `${path.relative(cwd, special) || special} is not a regular file (a FIFO, socket or device); not read for the torch requirement`,
        ),
    )
  );
  const ruleEnabled = (other: string, ruleId: string) => {
    const c = configFor(path.dirname(other));
    return ruleSettings(rulesOf(c), c, overrides, other, selection).some((s) => s.rule.meta.id === ruleId);
  };
  // the torch save and load sites of a file: those the cache holds for a file of the working folder the run does
  // not lint (src/run/evidence.ts; from the same bytes as a summary would read), else its module summary's
  const sitesOf = (file: string): TextFacts['sites'] => {
    const stored = scopeSites.get(file);
    if (!stored) return index.summary(file)?.extra;
    log.ask(question.summary(file));
    return stored;
  };
  const projectFor = (file: string, config: Config | undefined): ProjectContext => ({
    // a checkpoint's needs are judged where it is loaded: the project classes that file resolves, its own classes
    // for `__main__.Name`, and its config's trustedGlobals
    checkpoint: (from, literal) => (
      log.ask(question.checkpoint(from, literal)),
      references.get(from, literal, projectVouchers(index, from, config?.trustedGlobals, true))
    ),
    trustedGlobals: config?.trustedGlobals,
    savesOf: (literal) => (
      log.ask(question.filesWith(literal)),
      references.filesWith(literal).flatMap((f) => sitesOf(f)?.saves.filter((s) => s.literal === literal) ?? [])
    ),
    loadsOf: (literal) => (
      log.ask(question.filesWith(literal)),
      references.filesWith(literal).flatMap((f) => sitesOf(f)?.loads.filter((l) => l.literal === literal) ?? [])
    ),
    mentionsOf: (literal) => (log.ask(question.mentions(literal)), references.mentions(literal)),
    ruleEnabled: (other, ruleId) => (log.ask(question.ruleEnabled(other, ruleId)), ruleEnabled(other, ruleId)),
    torch: torchFor(file, config),
    torchOf: (other) => torchFor(other, configFor(path.dirname(other))),
    index,
    resolveLoader: loaderResolver(index, config?.knownLoaders, loaderAnswers, log),
    importedConstant: (from, qualified) => index.findConstant(from, qualified),
    get weakened() {
      log.ask(question.weakened);
      return weakened;
    },
    get extraState() {
      log.ask(question.extraState);
      return extraState;
    },
  });
  // the pre-pass reads every file (Python files, and the non-Python files a rule's text check reads; one that cannot
  // be read is reported at its turn); a process-wide weakening of torch.load's default in any of them makes the
  // torch >= 2.6 "already the default" fixes unsafe everywhere
  // The bytes are not kept until each file's turn (35 MB on the benchmark corpus, all of them alive before the first
  // lint; issue 12): a file is read again when its turn comes (or when another module asks for its summary), and
  // linted only if those bytes hash as the pre-pass's did, since the pre-pass's facts (a weakening, extra state, the
  // literals it quotes) came from them; one changed in between is reported as not linted (`judgedBytes`). Kept are
  // stdin's text, and with --fix every file's bytes: a fix rewrites its file, and a summary asked of it later (in
  // another worker) must still come from the bytes the pre-pass read.
  const contents = new Map<string, Buffer>();
  const keepBytes = Boolean(options.fix);
  /** The hash of each file's bytes as the pre-pass read them (digest); absent: the pre-pass could not read it. */
  const hashes = new Map<string, string>();
  let weakened: string | undefined;
  let extraState: string | undefined;
  let bytesRead = 0;
  /** The save and load sites the cache holds for files of the working folder the run does not lint. */
  const scopeSites = new Map<string, NonNullable<TextFacts['sites']>>();
  if (start) {
    const { prepassed } = start;
    // views of the main thread's bytes (fixes write new files, never into these)
    for (const [file, [offset, length]] of prepassed.offsets ?? [])
      contents.set(file, Buffer.from(prepassed.bytes!, offset, length));
    for (const [file, hash] of prepassed.hashes) hashes.set(file, hash);
    ({ weakened, extraState } = prepassed);
    references.adopt(prepassed.references);
    for (const [file, sites] of prepassed.sites ?? []) scopeSites.set(file, sites);
  }
  const otherHashes = new Map<string, string | undefined>();
  const facts: RunFacts = {
    hashOf: (file) => {
      if (hashes.has(file)) return hashes.get(file);
      if (!otherHashes.has(file)) {
        let hash: string | undefined;
        try {
          hash = digest(readRegularFile(file));
        } catch {
          hash = undefined;
        }
        otherHashes.set(file, hash);
      }
      return otherHashes.get(file);
    },
    // the answer depends on the importing file's folder only
    resolveModule: (folder, dotted) => index.resolveModule(path.join(folder, '__init__.py'), dotted),
    torchOf: (folder) => torchFor(path.join(folder, '__init__.py'), configFor(folder)),
    filesWith: (literal) => references.filesWith(literal),
    mentions: (literal) => references.mentions(literal),
    checkpoint: (file, literal) => references.describe(file, literal),
    ruleEnabled,
    weakened: () => weakened,
    extraState: () => extraState,
  };
  // the cache, opened before the pre-pass: it holds the text facts of files that did not change
  const lintCache = log.enabled && !start ? newCache() : undefined;
  if (lintCache && recorder) lintCache.keepWalk(recorder.record(discovery.files, cwd));
  // with the cache, a run that does not walk the working folder also takes the text facts of the files a walk of it
  // finds, in that walk's order, so that what they say is what a run over the whole folder sees (src/run/evidence.ts)
  const scopeOnly = new Set<string>();
  /** How many files of `scopeOnly` gave text facts, and how many of them were read (not from the cache). */
  const scopeEvidence = { files: 0, read: 0 };
  /** The files of `scopeOnly` that quote a checkpoint path. */
  const scopeQuoting: string[] = [];
  let evidenceFiles: readonly string[] = start ? [] : discovery.files;
  if (lintCache && scoped) {
    const scope = await scopeFiles(lintCache, cwd, ignoreFor, extraPatterns, started);
    const named = new Set(discovery.files);
    for (const file of scope) if (!named.has(file)) scopeOnly.add(file);
    evidenceFiles = mergeSorted(scope, discovery.files);
  }
  for (const file of evidenceFiles) {
    const notebook = isNotebookPath(file);
    const textFile = rules.some((rule) => rule.text && matchesTextCheck(rule.text, file));
    const python = file === stdinFile ? !textFile : file.endsWith('.py') || notebook;
    if (!python && !textFile) continue;
    const scan = (text: string) => references.scan(text);
    let facts: TextFacts | undefined;
    if (scopeOnly.has(file)) {
      const found = scopeFacts(lintCache!, file, python, scan, started);
      if (!found) continue;
      facts = found.facts;
      if (facts.sites) scopeSites.set(file, facts.sites);
      if (facts.literals?.literals) scopeQuoting.push(file);
      scopeEvidence.files++;
      if (found.read) scopeEvidence.read++;
    } else {
      const stat = lintCache && statKey(file); // before the read: a change after it is seen next time
      let bytes: Buffer;
      try {
        bytes = file === stdinFile ? options.stdin!.text : readRegularFile(file);
      } catch {
        continue;
      }
      if (keepBytes || file === stdinFile) contents.set(file, bytes);
      bytesRead += bytes.length;
      hashes.set(file, digest(bytes));
      // a notebook's code is what its cells hold (the weakening it does is found in it, like a script's); the facts
      // the cache holds for these bytes when the file did not change before nor while it was read
      const known = lintCache?.factsOf(file, stat!);
      facts = known && statKey(file) === stat ? known : textFacts(factsText(file, bytes), python, scan);
      if (lintCache) lintCache.keepFacts(file, guard(stat!, started), facts);
      // the checkpoint files its literals name, inspected now so that rules can ask synchronously
      if (facts.literals?.literals)
        await references.inspectLiterals(
          file,
          facts.literals.literals.map(([literal]) => literal),
          judging,
        );
    }
    if (weakened === undefined && facts.weakening !== undefined)
      weakened = `${index.displayPath(file)}:${facts.weakening}`;
    if (extraState === undefined && facts.extraState !== undefined)
      extraState = `${index.displayPath(file)}:${facts.extraState}`;
    if (facts.literals) references.record(file, facts.literals);
  }
  /**
   * A file's bytes as the pre-pass judged them: those kept, else the file read again and hashed; `problem` when it
   * cannot be read now or its bytes changed since. `bytes` undefined: the pre-pass could not read it either (lintFile
   * reads it and reports why).
   */
  const judgedBytes = (file: string): { bytes?: Buffer; problem?: string } => {
    const kept = contents.get(file);
    const hash = hashes.get(file);
    if (kept || hash === undefined) return { bytes: kept };
    let bytes: Buffer;
    try {
      bytes = readRegularFile(file);
    } catch (error) {
      return { problem: `Cannot read file: ${(error as Error).message}` };
    }
    return digest(bytes) === hash
      ? { bytes }
      : { problem: 'This file changed while pylint-torch was running: not linted (run it again).' };
  };
  // the texts lintFile records, taken out as each file's outcome
  const texts = new Map<string, string>();
  // checkpoint files of the walk, with the setting of the rule that checks them (none: the rule is off there)
  const checkpointFiles = new Map<string, RuleSetting | undefined>();
  const processFile = (file: string): FileOutcome => {
    const config = configFor(path.dirname(file));
    const fileRules = rulesOf(config);
    const settings = ruleSettings(fileRules, config, overrides, file, selection);
    const knownRuleIds = new Set(fileRules.map((r) => r.meta.id));
    const judged = judgedBytes(file);
    if (judged.problem) return { result: toResult(file, [fileProblem(judged.problem, true)], false), skipped: false };
    const { bytes } = judged;
    const lintOptions: LintOptions = {
      services: projectFor(file, config),
      onParsed,
      knownRuleIds,
      reportUnusedDisableDirectives:
        options.reportUnusedDisableDirectives ?? config?.reportUnusedDisableDirectives ?? 'warn',
      externalDirectives: config?.externalDirectives ?? true,
    };
    const skipped = skipForRules(file, config, fileRules, bytes, lintOptions);
    if (skipped) return { result: skipped, skipped: true };
    return {
      result: lintFile(
        file,
        // the text from stdin is never written: its fixes come back as `output`
        file === stdinFile && options.fix ? { ...options, fix: false, fixDryRun: true } : { ...options, writeRoots },
        settings,
        lintOptions,
        fileRules,
        parser,
        texts,
        bytes,
      ),
      skipped: false,
    };
  };
  const lintOne = (file: string): FileOutcome => {
    const attempt = (): FileOutcome => {
      try {
        return processFile(file);
      } catch (error) {
        return { result: internalErrorResult(file, error), skipped: false };
      }
    };
    // with the cache, what it asks of the rest of the run (src/analysis/dependencies.ts)
    const { value, asked } = log.enabled ? log.capture(attempt) : { value: attempt(), asked: undefined };
    const loads = torchLoadLiterals.get(file);
    // with the cache, its save and load sites for the text facts (see sitesOf)
    const summary = log.enabled ? summaries.get(file) : undefined;
    const sites = summary && { saves: summary.extra.saves, loads: summary.extra.loads };
    const outcome: FileOutcome = {
      ...value,
      ...(asked && { asked: [...asked] }),
      ...(loads && { loads }),
      ...(sites && { sites }),
    };
    // its summary is known now (from this parse, or a question asked before): its bytes are not needed again
    if (summaries.has(file) && file !== stdinFile) contents.delete(file);
    const text = texts.get(file);
    texts.delete(file);
    // texts serve fingerprints and diffs of what is reported: a clean, unchanged file's is not kept (memory, issue 12)
    const { result } = outcome;
    if (text === undefined || (result.messages.length === 0 && result.output === undefined && !result.fixCount))
      return outcome;
    return { ...outcome, source: text };
  };
  // the prefilter (src/torch/prefilter.ts): a Python file only the built-in rules check, in which none of them can
  // report, gets an empty result (its syntax errors with checkSyntax) without running them; the question a rule
  // would ask of a project loader's call is asked once here, on the parse that the lint would make first
  const builtinSet = new Set<AnyRule>(builtinRules);
  const triggers = new Map<Config | undefined, (text: string) => boolean>();
  const skipForRules = (
    file: string,
    config: Config | undefined,
    fileRules: readonly AnyRule[],
    bytes: Buffer | undefined,
    lintOptions: LintOptions,
  ): LintResult | undefined => {
    if (options.prefilter === false || !bytes || file === stdinFile || isNotebookPath(file)) return undefined;
    // setup.py declares requirements (torch-vulnerable-version); plugin rules need what they need
    if (path.basename(file) === 'setup.py' || isTextCheckFile(fileRules, file)) return undefined;
    if (!fileRules.every((rule) => builtinSet.has(rule))) return undefined;
    let text: string;
    try {
      text = decodePython(bytes).text;
    } catch {
      return undefined; // lintFile reports it
    }
    let trigger = triggers.get(config);
    if (!trigger) triggers.set(config, (trigger = triggerTest(Object.keys(config?.knownLoaders ?? {}))));
    if (trigger(text)) return undefined;
    if (!importsNothing(text)) {
      const tree = parsePython(parser, text);
      try {
        const scopes = analyzeScopes(tree.rootNode);
        onParsed(file, scopes);
        const { resolveLoader } = lintOptions.services as ProjectContext;
        if (callsProjectLoader(scopes, resolveLoader && ((callee) => resolveLoader(file, scopes, callee))))
          return undefined;
      } finally {
        tree.delete();
      }
    }
    return toResult(file, options.checkSyntax ? lintText(parser, text, file, [], lintOptions) : [], false);
  };
  const checkpointRule = (file: string) => {
    const setting = ruleSettings(rules, configFor(path.dirname(file)), overrides, file, selection).find(
      (s) => s.rule.binary,
    );
    return setting && setting.rule.binary!.extensions(setting.options).some((ext) => file.endsWith(ext))
      ? setting
      : undefined;
  };
  for (const file of discovery.files) {
    if (file === stdinFile) continue; // text, never a checkpoint
    const setting = checkpointRule(file);
    // a checkpoint file found by the folder walk while the rule is off: nothing to check (it is not Python)
    if (setting || (!file.endsWith('.py') && references.isCheckpointName(file))) checkpointFiles.set(file, setting);
  }
  // a file named on the command line is linted as Python whatever its name (as Ruff and ESLint do); one whose
  // extension says otherwise (notes.txt, constraints.txt) is probably not what the user meant: say how it was read
  for (const file of discovery.files) {
    const ext = path.extname(file);
    if (
      ext &&
      file !== stdinFile &&
      !PYTHON_EXTENSIONS.has(ext) &&
      !isNotebookPath(file) &&
      !checkpointFiles.has(file) &&
      !isTextCheckFile(rulesOf(configFor(path.dirname(file))), file)
    )
      warnings.push(
        `${path.relative(cwd, file) || file} is not a Python (.py) file nor one a rule checks (requirements*.txt, pyproject.toml, Dockerfile…); linted as Python source`,
      );
  }
  const lintCheckpoint = async (file: string, setting: RuleSetting | undefined): Promise<LintResult> =>
    setting
      ? await lintCheckpointFile(
          file,
          setting,
          // the checkpoint's own folder resolves the project classes it names (no script says which is __main__)
          {
            ...judging(file),
            vouchers: projectVouchers(index, file, configFor(path.dirname(file))?.trustedGlobals, false),
          },
          references.loadedByTorch(file),
        )
      : toResult(file, [], false);
  const prepassed = (): Prepassed => {
    if (!keepBytes)
      return {
        hashes,
        weakened,
        extraState,
        references: references.prefetched(),
        ...(scopeSites.size && { sites: [...scopeSites] }),
      };
    const bytes = new SharedArrayBuffer([...contents.values()].reduce((n, read) => n + read.length, 0));
    const offsets = new Map<string, [number, number]>();
    let offset = 0;
    for (const [file, read] of contents) {
      const shared = Buffer.from(bytes, offset, read.length);
      shared.set(read);
      // one copy of the bytes: this thread's summaries (of checkpoint files' vouchers) read the shared one too
      contents.set(file, shared);
      offsets.set(file, [offset, read.length]);
      offset += read.length;
    }
    return {
      bytes,
      offsets,
      hashes,
      weakened,
      extraState,
      references: references.prefetched(),
      ...(scopeSites.size && { sites: [...scopeSites] }),
    };
  };
  // the cache (src/run/cache.ts): results still valid are reused before the loop (a question the cache asks again
  // gets the answer the lint would), the rest are linted with what they ask recorded, and stored after the loop
  function newCache(): LintCache {
    const key = runKey({
      cwd,
      config: options.config,
      fix: options.fix,
      fixDryRun: options.fixDryRun,
      unsafeFixes: options.unsafeFixes,
      rules: options.rules,
      select: options.select,
      ignore: options.ignore,
      reportUnusedDisableDirectives: options.reportUnusedDisableDirectives,
      prefilter: options.prefilter,
      checkSyntax: options.checkSyntax,
    });
    return new LintCache(
      path.resolve(cwd, options.cache!),
      key,
      facts,
      (warning) => warnings.push(warning),
      Boolean(options.fix),
      evidenceKey(cwd),
    );
  }
  const openCache = (): { cache: LintCache; reused: Map<string, FileOutcome> } | undefined => {
    if (!lintCache) return undefined;
    const opened = lintCache;
    // in discovery order: their outcomes as the lint would give them (their bytes are not needed again)
    const reused = new Map<string, FileOutcome>();
    for (const file of discovery.files) {
      const hash = hashes.get(file);
      const config = configFor(path.dirname(file));
      if (hash === undefined || checkpointFiles.has(file) || config?.pluginRules.length) continue;
      const entry = opened.reuse(file, hash, configDigest(config));
      if (!entry) continue;
      // the text fingerprints need, from the bytes the entry was judged by (a file changed since is linted: it says so)
      const judged = entry.source ? judgedBytes(file) : undefined;
      if (judged?.problem) continue;
      if (entry.loads) references.recordLoadLiterals(file, entry.loads);
      const source = judged ? sourceText(file, judged.bytes!, rulesOf(config)) : undefined;
      contents.delete(file);
      reused.set(file, {
        result: entry.result,
        skipped: Boolean(entry.skipped),
        ...(source !== undefined && { source }),
      });
    }
    // whether a torch load names a checkpoint file changes what is reported of it: the scope's files that quote a
    // checkpoint path are parsed for their torch loads, as a run over the whole folder parses them
    if (checkpointFiles.size)
      for (const file of scopeQuoting) {
        let text: string;
        try {
          const read = readRegularFile(file);
          text = isNotebookPath(file) ? notebookCode(read) : decodePython(read).text;
        } catch {
          continue;
        }
        const tree = parsePython(parser, text);
        try {
          onParsed(file, analyzeScopes(tree.rootNode));
        } finally {
          tree.delete();
        }
      }
    return { cache: opened, reused };
  };
  // a linted file's entry (with what its lint asked, answered now: after the lint loop, every answer is fixed)
  const store = (cache: LintCache, file: string, outcome: FileOutcome) => {
    const config = configFor(path.dirname(file));
    const hash = hashes.get(file);
    const entry: CacheEntry | undefined =
      hash !== undefined && !config?.pluginRules.length
        ? {
            hash,
            config: configDigest(config),
            result: outcome.result,
            ...(outcome.skipped && { skipped: true }),
            ...(outcome.loads && { loads: outcome.loads }),
            ...(outcome.source !== undefined && { source: true }),
          }
        : undefined;
    cache.store(file, entry, outcome.asked ?? []);
    if (outcome.sites) cache.addSites(file, outcome.sites);
  };
  // the save and load sites of the files that quote a path or key, as parsed in this thread (for later runs over
  // named files: see sitesOf)
  const completeFacts = (cache: LintCache) =>
    cache.completeFacts((file, facts) => {
      const summary = facts.literals?.literals || facts.literals?.keys ? summaries.get(file) : undefined;
      return summary ? { saves: summary.extra.saves, loads: summary.extra.loads } : undefined;
    });
  return {
    discovery,
    warnings,
    allRules,
    references,
    checkpointFiles,
    bytesRead,
    prepassed,
    lintOne,
    lintCheckpoint,
    openCache,
    store,
    completeFacts,
    ...(lintCache && scoped && { evidence: scopeEvidence }),
  };
}

/** File extensions of Python source (others named on the command line are linted as Python with a warning). */
const PYTHON_EXTENSIONS = new Set(['.py', '.pyi', '.pyw']);

function isTextCheckFile(rules: readonly AnyRule[], file: string): boolean {
  return rules.some((rule) => rule.text && matchesTextCheck(rule.text, file));
}

function fileProblem(message: string, fatal: boolean): Problem {
  return {
    ruleId: null,
    severity: 2,
    message,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    ...(fatal && { fatal: true }),
  };
}

/**
 * Reads (unless `read` holds its bytes already), lints and (with --fix) writes one file. Per-file failures become
 * messages; the run goes on.
 */
function lintFile(
  file: string,
  options: LintFilesOptions & { writeRoots?: readonly string[] },
  settings: RuleSetting[],
  lintOptions: LintOptions,
  rules: readonly AnyRule[],
  parser: Awaited<ReturnType<typeof pythonParser>>,
  sources: Map<string, string>,
  read?: Buffer,
): LintResult {
  let bytes: Buffer;
  let source: DecodedSource;
  try {
    // a FIFO or device named like a Python file would block the run or never end
    if (!read && !fs.statSync(file).isFile())
      return toResult(file, [fileProblem('Not a regular file (a FIFO, socket or device): not read.', true)], false);
    bytes = read ?? fs.readFileSync(file);
  } catch (error) {
    return toResult(file, [fileProblem(`Cannot read file: ${(error as Error).message}`, true)], false);
  }
  if (isNotebookPath(file)) return lintNotebook(file, bytes, options, settings, lintOptions, parser, sources);
  const textFile = rules.some((rule) => rule.text && matchesTextCheck(rule.text, file));
  try {
    source = textFile ? decodeText(bytes) : decodePython(bytes);
  } catch (error) {
    return toResult(file, [fileProblem((error as Error).message, true)], false);
  }
  const body = source.text;
  sources.set(file, body);
  // files that text checks read are never rewritten: their suggestions are only shown
  if (textFile) return toResult(file, lintNonPythonText(body, file, settings, lintOptions), false);
  if (!source.writable) {
    // an encoding we cannot write back (gbk, shift_jis…): report, and offer the fixes as suggestions only
    const problems = lintText(parser, body, file, settings, lintOptions).map((p) =>
      p.fix
        ? {
            ...p,
            fix: undefined,
            fixSafety: undefined,
            suggestions: [
              { desc: `Not applied: pylint-torch cannot write files in ${source.encoding}`, fix: p.fix },
              ...(p.suggestions ?? []),
            ],
          }
        : p,
    );
    return toResult(file, problems, Boolean(options.unsafeFixes));
  }
  const unfixed = (why: string) =>
    countResult({
      filePath: file,
      messages: [
        fileProblem(why, false),
        ...toResult(file, lintText(parser, body, file, settings, lintOptions), Boolean(options.unsafeFixes)).messages,
      ],
    });
  try {
    if (!options.fix && !options.fixDryRun)
      return toResult(file, lintText(parser, body, file, settings, lintOptions), Boolean(options.unsafeFixes));
    const outcome = lintAndFix(parser, body, file, settings, Boolean(options.unsafeFixes), lintOptions);
    const result = toResult(file, outcome.problems, Boolean(options.unsafeFixes));
    if (outcome.output === body) return result;
    const fixed = toResult(file, outcome.applied, true).messages;
    if (options.fixDryRun) {
      return { ...result, output: source.fileText(outcome.output), fixCount: outcome.fixCount, fixed };
    }
    const encoded = source.encode(outcome.output);
    if (!encoded)
      return unfixed(
        `The fixed text cannot be written in this file's encoding (${source.encoding}); no fix was written.`,
      );
    let written: WriteOutcome;
    try {
      written = writeIfUnchanged(file, encoded, bytes, options.writeRoots);
    } catch (error) {
      return unfixed(`Cannot write fixes: ${(error as Error).message}`);
    }
    if (written !== 'written') return unfixed(NOT_WRITTEN[written]);
    sources.set(file, outcome.output);
    return { ...result, fixCount: outcome.fixCount, fixed };
  } catch (error) {
    return internalErrorResult(file, error);
  }
}

/**
 * What a qualified name denotes as a loader, by the folder it is resolved from and the name: the
 * index's part of {@link loaderResolver}, which depends on those only. `reexport`: a torch loader shown under the
 * callee's own text. One table per lint run, served through DependencyLog.memo.
 */
type LoaderAnswers = Map<string, Memo<{ fn: LoadFunction; reexport: boolean } | undefined>>;

/**
 * Finds what a callee that is not torch's own loader stands for: a module-level wrapper of this file, a wrapper
 * imported from another project file, or a known third-party loader (config `knownLoaders` over the built-in table).
 */
function loaderResolver(
  index: TorchIndex,
  config: Readonly<Record<string, KnownLoader>> | undefined,
  answers: LoaderAnswers,
  log: DependencyLog,
): NonNullable<ProjectContext['resolveLoader']> {
  return (file, scopes, callee) => {
    if (callee.type === 'identifier') {
      const bindings = scopes.bindingsOf(callee);
      if (bindings?.length === 1 && bindings[0].kind === 'def') {
        const local =
          bindings[0].scope.kind === 'module' ? index.summary(file)?.extra.loaders.get(callee.text) : undefined;
        return local && wrapperLoadFunction(local, `${index.displayPath(local.file)}:${local.line}`);
      }
    }
    const name = scopes.qualifiedName(callee);
    if (name === undefined) return undefined;
    if (config && Object.hasOwn(config, name)) return knownLoadFunction(name, config[name]); // the user said so
    // the index resolves a name from the file's folder alone (ProjectIndex.resolveModule)
    const key = `${path.dirname(file)}\n${name}`;
    // what the index asked to find it is recorded again for each file it is served to (the result cache)
    const answer = log.memo(answers, key, () => projectLoader(index, file, name));
    if (!answer) return undefined;
    return answer.reexport ? { ...answer.fn, display: callee.text } : { ...answer.fn };
  };
}

/** What {@link loaderResolver} finds for a qualified name through the index and the built-in table. */
function projectLoader(
  index: TorchIndex,
  file: string,
  name: string,
): { fn: LoadFunction; reexport: boolean } | undefined {
  const wrapper = findLoader(index, file, name);
  if (wrapper)
    return { fn: wrapperLoadFunction(wrapper, `${index.displayPath(wrapper.file)}:${wrapper.line}`), reexport: false };
  // a torch loader imported into a project module and called from another (mmengine's `load_url`)
  const reexport = findReexportedLoader(index, file, name);
  const fn = reexport && LOAD_FUNCTIONS.get(reexport.loader);
  if (fn) return { fn: { ...fn, via: index.displayPath(reexport!.file), wraps: fn.display }, reexport: true };
  // the built-in table describes third-party code: inside the project that defines it, its source decides
  if (index.definesFunction(file, name)) return undefined;
  return Object.hasOwn(BUILTIN_LOADERS, name)
    ? { fn: knownLoadFunction(name, BUILTIN_LOADERS[name]), reexport: false }
    : undefined;
}

/**
 * Inspects a checkpoint file found in the linted paths with the rule that checks checkpoints, judged by the lowest
 * torch the project allows; `loadedByTorch`: whether a torch load of the linted files names it.
 */
async function lintCheckpointFile(
  file: string,
  setting: RuleSetting,
  options: InspectOptions,
  loadedByTorch: boolean,
): Promise<LintResult> {
  let size: number;
  try {
    const stat = fs.statSync(file);
    // a FIFO or device named like a checkpoint would block the run or never end
    if (!stat.isFile())
      return toResult(file, [fileProblem('Not a regular file (a FIFO, socket or device): not read.', true)], false);
    size = stat.size;
  } catch (error) {
    return toResult(file, [fileProblem(`Cannot read file: ${(error as Error).message}`, true)], false);
  }
  // a zip checkpoint costs its central directory and data.pkl whatever its size, a tar its headers (and the pickles
  // of torch's legacy layout); other formats are read in full
  const max = setting.rule.binary!.maxBytes(setting.options);
  if (size > max && !isZipFile(file) && !isTarFile(file)) {
    const { id, messages } = setting.rule.meta;
    const message = interpolate(messages.notInspected, { size: String(size), max: String(max) });
    return toResult(
      file,
      [
        {
          ruleId: id,
          messageId: 'notInspected',
          severity: 1,
          message,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 1,
          fileLevel: true,
        },
      ],
      false,
    );
  }
  const data: CheckpointFileData = { ...(await inspectCheckpoint(file, options)), loadedByTorch };
  return toResult(file, binaryProblems(file, data, setting), false);
}

/** Decodes UTF-8 as lintNotebook does: an invalid sequence throws, a BOM is kept. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/**
 * The text lintFile keeps of a file in `sources` (for SARIF and GitLab fingerprints), for a result reused from the
 * cache: a notebook's JSON text, a text-check file's or a Python file's decoded text; undefined if it does not decode.
 */
function sourceText(file: string, bytes: Buffer, rules: readonly AnyRule[]): string | undefined {
  try {
    if (isNotebookPath(file)) {
      const notebook = parseNotebook(bytes.toString('utf8').replace(/^\uFEFF/, ''));
      return 'kind' in notebook ? undefined : notebook.text;
    }
    return (isTextCheckFile(rules, file) ? decodeText(bytes) : decodePython(bytes)).text;
  } catch {
    return undefined;
  }
}

/**
 * A module's summary from one parse of its own (`bytes` when the run holds them already, else the file read now):
 * the summary its lint would register (a notebook's is that of its code cells, as lintNotebook parses them);
 * undefined when it cannot be read or decoded. The same summary as the file's own lint records (`onParsed`).
 */
function summarizeFile(
  file: string,
  parser: Awaited<ReturnType<typeof pythonParser>>,
  bytes?: Buffer,
): ModuleSummary<TorchSummary> | undefined {
  let text: string;
  try {
    const read = bytes ?? readRegularFile(file);
    if (isNotebookPath(file)) {
      const notebook = parseNotebook(UTF8.decode(read).replace(/^\uFEFF/, ''));
      if ('kind' in notebook) return undefined;
      text = virtualText(notebook).text;
    } else text = decodePython(read).text;
  } catch {
    return undefined;
  }
  const tree = parsePython(parser, text);
  try {
    return summarizeModule(file, analyzeScopes(tree.rootNode), summarizeTorch);
  } finally {
    tree.delete();
  }
}

/** Whether `file` is `dir` or lies inside it (both absolute). */
function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
