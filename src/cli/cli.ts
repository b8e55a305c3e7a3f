/**
 * Stage 7: the command line. `run(argv)` returns the exit code instead of exiting, so tests call it in-process.
 * Exit codes follow ESLint and Ruff: 0 no errors (and warnings within --max-warnings), 1 problems found,
 * 2 usage, config or internal error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import yargs from 'yargs';
import { rules } from '../../rules';
import { Config, ConfigError, findConfigFile, loadConfig, parseRuleFlag, ruleSettings } from '../project/config';
import { discoverFiles, type IgnoreRules } from '../project/discover';
import { FormatName, formatters } from '../report/formatters';
import { checkpointProblems, lintAndFix, lintNonPythonText, lintText, matchesTextCheck, Problem, RuleSetting } from '../engine/linter';
import { loadRuleDocs, VERSION } from '../version';
import { parsePython, pythonParser } from '../syntax/parse';
import { type ModuleSummary, ProjectIndex, summarizeModule } from '../analysis/project-index';
import { BUILTIN_LOADERS, type KnownLoader, knownLoadFunction, wrapperLoadFunction } from '../torch/loaders';
import { analyzeScopes, type FileScopes } from '../syntax/scope';
import { decodePython, type DecodedSource, readRegularFile } from '../project/source';
import { countResult, LintResult, toResult } from '../report/results';
import { interpolate, type ProjectContext, type SeveritySetting } from '../engine/rule';
import { inspectCheckpoint, type InspectOptions } from '../checkpoint/inspect';
import { CheckpointReferences, isZipFile } from '../torch/checkpoint-sites';
import { judgingVersion, torchRequirementFor, type TorchRequirement } from '../torch/version';
import { writeIfUnchanged, type WriteOutcome } from '../project/write';
import { runInspect } from './inspect';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Colour in stylish output (ESLint: only on a TTY). */
  color: boolean;
}

const processIO: CliIO = {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // FORCE_COLOR and NO_COLOR as in most Node CLIs (chalk, ESLint): FORCE_COLOR=0 turns colour off
  color: process.env.FORCE_COLOR !== undefined ? process.env.FORCE_COLOR !== '0' && process.env.FORCE_COLOR !== 'false' : Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};



interface Options {
  paths: string[];
  fix: boolean;
  unsafeFixes: boolean;
  fixDryRun: boolean;
  /** --diff: print a unified diff of what --fix would write; write nothing; exit 1 when there is one. */
  diff: boolean;
  /** --fix-only: apply fixes, report nothing else (file-level problems still are). */
  fixOnly: boolean;
  showFixes: boolean;
  exitNonZeroOnFix: boolean;
  sarifFixes: boolean;
  format: FormatName;
  outputFile?: string;
  config?: string;
  rule: string[];
  maxWarnings: number;
  quiet: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Promise<{ options?: Options; output: string }> {
  return new Promise((resolve, reject) => {
    yargs([...argv])
      .scriptName('pylint-torch')
      .usage('$0 [paths..]\n\nFind and fix unsafe torch.load / torch.save patterns in Python files.\n\nAlso: $0 inspect <files..>  read checkpoint files without executing them (see $0 inspect --help).')
      .command('$0 [paths..]', false)
      .positional('paths', { type: 'string', array: true, default: ['.'], describe: 'Files and directories to lint' })
      .option('fix', { type: 'boolean', default: false, describe: 'Apply safe fixes and write the files' })
      .option('unsafe-fixes', { type: 'boolean', default: false, describe: 'Also apply (or show as fixable) fixes that may change behaviour' })
      .option('fix-dry-run', { type: 'boolean', default: false, describe: 'Compute fixes and report them, write nothing' })
      .option('diff', { type: 'boolean', default: false, describe: 'Print a unified diff of what --fix would write; write nothing (exit 1 when non-empty)' })
      .option('fix-only', { type: 'boolean', default: false, describe: 'Apply fixes, report nothing else (implies --fix)' })
      .option('show-fixes', { type: 'boolean', default: false, describe: 'List the problems fixed (or, with --fix-dry-run/--diff, that would be) per file' })
      .option('exit-non-zero-on-fix', { type: 'boolean', default: false, describe: 'Exit 1 when any fix was applied (or would be), even if nothing is left' })
      .option('sarif-fixes', { type: 'boolean', default: false, describe: 'With --format sarif: add fixes and suggestions as SARIF `fixes`' })
      .option('format', { alias: 'f', choices: Object.keys(formatters), default: 'stylish', describe: 'Output format' })
      .option('output-file', { alias: 'o', type: 'string', describe: 'Write the report to this file' })
      .option('config', { alias: 'c', type: 'string', describe: 'Use this config file instead of looking for .pylintrc-ts.json' })
      .option('rule', { type: 'string', describe: "Set a rule's severity: 'id:off|warn|error' (repeatable)" })
      .option('max-warnings', { type: 'string', default: '-1', describe: 'Exit 1 when there are more warnings than this' })
      .option('quiet', { type: 'boolean', default: false, describe: 'Report errors only' })
      .check((args) => {
        const max = String(args['max-warnings']);
        if (!/^(-1|\d+)$/.test(max)) throw new Error(`--max-warnings must be a whole number (or -1 for no limit), got ${JSON.stringify(max)}`);
        if (args.fix && args['fix-dry-run']) throw new Error('--fix and --fix-dry-run cannot be used together');
        const writes = args.fix || args['fix-only'];
        if (args.diff && (writes || args['fix-dry-run'])) throw new Error('--diff shows what --fix would write without writing: use it without --fix, --fix-only and --fix-dry-run');
        if (args['fix-only'] && args['fix-dry-run']) throw new Error('--fix-only and --fix-dry-run cannot be used together (use --diff to see fixes without writing)');
        if (args['sarif-fixes'] && args.format !== 'sarif') throw new Error('--sarif-fixes needs --format sarif');
        return true;
      })
      .parserConfiguration({ 'camel-case-expansion': false })
      .strict()
      .version(VERSION)
      .help()
      .alias('h', 'help')
      .alias('v', 'version')
      .wrap(Math.min(110, process.stdout.columns || 110))
      .parse([...argv], {}, (error, args, output) => {
        if (error) return reject(new UsageError(`${error.message}\n\nRun 'pylint-torch --help' for usage.`));
        if (output) return resolve({ output }); // --help or --version
        resolve({
          output: '',
          options: {
            paths: (args.paths as string[] | undefined) ?? ['.'],
            fix: (args.fix as boolean) || (args['fix-only'] as boolean),
            unsafeFixes: args['unsafe-fixes'] as boolean,
            // --diff computes fixes like a dry run and prints them as a diff
            fixDryRun: (args['fix-dry-run'] as boolean) || (args.diff as boolean),
            diff: args.diff as boolean,
            fixOnly: args['fix-only'] as boolean,
            showFixes: args['show-fixes'] as boolean,
            exitNonZeroOnFix: args['exit-non-zero-on-fix'] as boolean,
            sarifFixes: args['sarif-fixes'] as boolean,
            format: args.format as FormatName,
            outputFile: args['output-file'] as string | undefined,
            config: args.config as string | undefined,
            rule: ([] as unknown[]).concat(args.rule ?? []).map(String),
            maxWarnings: Number(args['max-warnings']),
            quiet: args.quiet as boolean,
          },
        });
      });
  });
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws. */
export async function run(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  if (argv[0] === 'inspect') return runInspect(argv.slice(1), io);
  try {
    const { options, output } = await parseArgs(argv);
    if (!options) {
      io.stdout(output.endsWith('\n') ? output : `${output}\n`);
      return 0;
    }
    return await lint(options, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(`pylint-torch: ${error.message}\n`);
      return 2;
    }
    io.stderr(`pylint-torch: internal error (please report it): ${process.env.PYLINT_TORCH_DEBUG ? ((error as Error).stack ?? String(error)) : String(error)}\n`);
    return 2;
  }
}

async function lint(options: Options, io: CliIO): Promise<number> {
  const overrides = new Map<string, SeveritySetting>(options.rule.map((flag) => parseRuleFlag(flag, rules)));
  const configs = new Map<string, Config>();
  const forced = options.config === undefined ? undefined : loadConfig(path.resolve(io.cwd, options.config), rules);
  const configFor = (dir: string): Config | undefined => {
    if (forced) return forced;
    const file = findConfigFile(dir);
    if (!file) return undefined;
    let config = configs.get(file);
    if (!config) configs.set(file, (config = loadConfig(file, rules)));
    return config;
  };

  const noIgnores = { patterns: [], baseDir: io.cwd };
  const ignoreRules = new Map<Config, IgnoreRules>();
  const extraPatterns = [
    ...rules.flatMap((rule) => rule.text?.files ?? []),
    ...rules.flatMap((rule) => rule.checkpoint?.extensions(rule.defaultOptions).map((ext) => `**/*${ext}`) ?? []),
  ];
  const discovery = await discoverFiles(options.paths, io.cwd, (dir) => {
    const config = configFor(dir);
    if (!config) return noIgnores;
    let rules = ignoreRules.get(config);
    if (!rules) ignoreRules.set(config, (rules = { patterns: config.ignorePatterns, baseDir: config.baseDir }));
    return rules;
  }, { extraPatterns });
  if (discovery.missing.length) {
    for (const missing of discovery.missing) io.stderr(`pylint-torch: no such file or directory: ${missing}\n`);
    return 2;
  }
  for (const link of discovery.skippedLinks) io.stderr(`pylint-torch: warning: ${path.relative(io.cwd, link) || link} is a symbolic link to a folder; not entered (name it to lint it)\n`);
  for (const ignored of discovery.ignored) io.stderr(`pylint-torch: warning: ${ignored} is ignored by ignorePatterns in the config; not linted\n`);
  if (discovery.files.length === 0 && discovery.ignored.length === 0 && discovery.unreadable.length === 0) {
    io.stderr(`pylint-torch: warning: no Python files to lint under ${options.paths.join(', ')} (after skipping ignored files)\n`);
  }

  const parser = await pythonParser();
  const torchCache = new Map<string, TorchRequirement>();

  // The repository index is demand-driven: a rule asking about another module gets that module linted now (its one
  // parse registers its summary), or, for a file outside the linted paths, parsed once just for its summary.
  const summaries = new Map<string, ModuleSummary | null>();
  const lintSet = new Set(discovery.files);
  const resultsByFile = new Map<string, LintResult>();
  const inProgress = new Set<string>();
  const provide = (file: string): ModuleSummary | undefined => {
    if (!summaries.has(file) && lintSet.has(file) && !inProgress.has(file)) processFile(file);
    if (!summaries.has(file)) summaries.set(file, summarizeFile(file, parser) ?? null);
    return summaries.get(file) ?? undefined;
  };
  // absolute imports resolve from the working folder, the linted folders, and the git work trees they sit in
  const argDirs = options.paths.map((p) => path.resolve(io.cwd, p)).map((p) => (isDirectory(p) ? p : path.dirname(p)));
  const roots = [...new Set([io.cwd, ...argDirs, ...[io.cwd, ...argDirs].map(gitRoot).filter((r): r is string => r !== undefined)])];
  const index = new ProjectIndex(roots, provide);
  const onParsed = (file: string, scopes: FileScopes) => {
    if (!summaries.has(file)) summaries.set(file, summarizeModule(file, scopes));
  };
  // checkpoint files Python code names in string literals, inspected now so that rules can ask synchronously
  const checkpointSetting = ruleSettings(rules, undefined, new Map()).find((s) => s.rule.checkpoint);
  const references = new CheckpointReferences(
    roots,
    checkpointSetting ? checkpointSetting.rule.checkpoint!.extensions(checkpointSetting.options) : [],
    checkpointSetting ? checkpointSetting.rule.checkpoint!.maxBytes(checkpointSetting.options) : 0,
  );
  const judging = (file: string) => {
    const found = judgingVersion(projectFor(file, configFor(path.dirname(file))).torch);
    return { torchVersion: found?.version, torchVersionSource: found?.source };
  };
  const torchFor = (file: string, config: Config | undefined) =>
    torchRequirementFor(path.dirname(file), parser, torchCache, config?.torchVersion ? { spec: config.torchVersion, file: path.basename(config.file ?? '') } : undefined);
  const projectFor = (file: string, config: Config | undefined): ProjectContext => ({
    checkpoint: (from, literal) => references.get(from, literal),
    trustedGlobals: config?.trustedGlobals,
    savesOf: (literal) => references.filesWith(literal).flatMap((f) => index.summary(f)?.saves.filter((s) => s.literal === literal) ?? []),
    loadsOf: (literal) => references.filesWith(literal).flatMap((f) => index.summary(f)?.loads.filter((l) => l.literal === literal) ?? []),
    mentionsOf: (literal) => references.mentions(literal),
    ruleEnabled: (other, ruleId) => ruleSettings(rules, configFor(path.dirname(other)), overrides).some((s) => s.rule.meta.id === ruleId),
    torch: torchFor(file, config),
    torchOf: (other) => torchFor(other, configFor(path.dirname(other))),
    index,
    onParsed,
    resolveLoader: loaderResolver(index, config?.knownLoaders),
    importedConstant: (from, qualified) => index.findConstant(from, qualified),
  });
  // the bytes read here are the ones linted (each file is read once; a file that cannot be read is reported then)
  const contents = new Map<string, Buffer>();
  for (const file of discovery.files) {
    if (!file.endsWith('.py')) continue;
    let bytes: Buffer;
    try {
      bytes = readRegularFile(file);
    } catch {
      continue;
    }
    contents.set(file, bytes);
    await references.prefetch(file, bytes.toString('latin1'), judging);
  }
  const sources = new Map<string, string>();
  const processFile = (file: string): void => {
    if (resultsByFile.has(file) || inProgress.has(file) || !lintSet.has(file)) return;
    inProgress.add(file);
    const config = configFor(path.dirname(file));
    const settings = ruleSettings(rules, config, overrides);
    const bytes = contents.get(file);
    contents.delete(file);
    resultsByFile.set(file, lintFile(file, options, settings, projectFor(file, config), parser, sources, bytes));
    inProgress.delete(file);
  };
  const checkpointRule = (file: string) => {
    const setting = ruleSettings(rules, configFor(path.dirname(file)), overrides).find((s) => s.rule.checkpoint);
    return setting && setting.rule.checkpoint!.extensions(setting.options).some((ext) => file.endsWith(ext)) ? setting : undefined;
  };
  for (const file of discovery.files) {
    const setting = checkpointRule(file);
    if (setting) resultsByFile.set(file, await lintCheckpointFile(file, setting, judging(file)));
    // a checkpoint file found by the folder walk while the rule is off: nothing to check (it is not Python)
    else if (!file.endsWith('.py') && references.isCheckpointName(file)) resultsByFile.set(file, toResult(file, [], false));
  }
  for (const file of discovery.files) processFile(file);

  const unreadableDirs = discovery.unreadable.map(({ path: dir, reason }) =>
    toResult(dir, [fileProblem(`Cannot read this folder (${reason}): the Python files in it were not linted.`, true)], false),
  );
  const results: LintResult[] = [...unreadableDirs];
  let internalErrors = 0;
  for (const file of discovery.files) {
    const result = resultsByFile.get(file)!;
    if (result.messages.some((m) => m.ruleId === null && m.message.startsWith('Internal error'))) internalErrors++;
    // --fix-only reports nothing but what stopped a file from being read, parsed or written (problems without a rule)
    const shown = options.fixOnly ? result.messages.filter((m) => m.ruleId === null) : options.quiet ? result.messages.filter((m) => m.severity === 2) : undefined;
    results.push(shown ? countResult({ ...result, messages: shown }) : result);
  }
  const fixCount = results.reduce((n, r) => n + (r.fixCount ?? 0), 0);

  let report: string;
  if (options.diff) {
    // both sides with the BOM when the file has one, so that `git apply` finds the first line as it is on disk
    const diffs = results
      .filter((r) => r.output !== undefined)
      .map((r) => unifiedDiff(r.filePath, (r.output!.startsWith('\uFEFF') ? '\uFEFF' : '') + (sources.get(r.filePath) ?? ''), r.output!, io.cwd));
    report = diffs.join('');
    const files = diffs.length;
    io.stderr(`pylint-torch: --diff: ${fixCount === 1 ? '1 fix' : `${fixCount} fixes`} in ${files === 1 ? '1 file' : `${files} files`} would be applied; nothing was written.\n`);
  } else {
    report = formatters[options.format](results, {
      cwd: io.cwd,
      rules,
      sources,
      color: io.color && !options.outputFile,
      fixed: options.fix,
      dryRun: options.fixDryRun,
      toolVersion: VERSION,
      ruleDocs: options.format === 'sarif' ? loadRuleDocs() : undefined,
      sarifFixes: options.sarifFixes,
    });
  }
  if (options.showFixes) {
    const listing = fixListing(results, io.cwd, options.fixDryRun);
    // after a stylish report on stdout; to stderr when stdout carries JSON, SARIF or a diff
    if (options.format === 'stylish' && !options.diff) report += listing;
    else io.stderr(listing);
  }
  if (options.outputFile) {
    const target = path.resolve(io.cwd, options.outputFile);
    try {
      // like ESLint: the folder must exist (no recursive mkdir, which also hangs on some virtual file systems)
      fs.writeFileSync(target, report.endsWith('\n') || report === '' ? report : `${report}\n`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOTDIR' ? 'a folder on its path is a file' : code === 'ENOENT' ? 'its folder does not exist' : (error as Error).message;
      io.stderr(`pylint-torch: cannot write --output-file ${options.outputFile}: ${reason}\n`);
      return 2;
    }
  } else if (report) {
    io.stdout(report.endsWith('\n') ? report : `${report}\n`);
  }

  if (internalErrors > 0) return 2;
  if (options.exitNonZeroOnFix && fixCount > 0) return 1;
  if (options.diff) return report ? 1 : 0;
  const errors = results.reduce((n, r) => n + r.errorCount, 0);
  const warnings = results.reduce((n, r) => n + r.warningCount, 0);
  if (errors > 0) return 1;
  if (options.maxWarnings >= 0 && warnings > options.maxWarnings) {
    io.stderr(`pylint-torch found too many warnings (maximum: ${options.maxWarnings}).\n`);
    return 1;
  }
  return 0;
}

function fileProblem(message: string, fatal: boolean): Problem {
  return { ruleId: null, severity: 2, message, line: 1, column: 1, endLine: 1, endColumn: 1, ...(fatal && { fatal: true }) };
}

/**
 * Reads (unless `read` holds its bytes already), lints and (with --fix) writes one file. Per-file failures become
 * messages; the run goes on.
 */
function lintFile(
  file: string,
  options: Options,
  settings: RuleSetting[],
  project: ProjectContext,
  parser: Awaited<ReturnType<typeof pythonParser>>,
  sources: Map<string, string>,
  read?: Buffer,
): LintResult {
  let bytes: Buffer;
  let source: DecodedSource;
  try {
    // a FIFO or device named like a Python file would block the run or never end
    if (!read && !fs.statSync(file).isFile()) return toResult(file, [fileProblem('Not a regular file (a FIFO, socket or device): not read.', true)], false);
    bytes = read ?? fs.readFileSync(file);
  } catch (error) {
    return toResult(file, [fileProblem(`Cannot read file: ${(error as Error).message}`, true)], false);
  }
  try {
    source = decodePython(bytes);
  } catch (error) {
    return toResult(file, [fileProblem((error as Error).message, true)], false);
  }
  const body = source.text;
  sources.set(file, body);
  if (!source.writable) {
    // an encoding we cannot write back (gbk, shift_jis…): report, and offer the fixes as suggestions only
    const problems = lintText(parser, body, file, settings, project).map((p) =>
      p.fix ? { ...p, fix: undefined, fixSafety: undefined, suggestions: [{ desc: `Not applied: pylint-torch cannot write files in ${source.encoding}`, fix: p.fix }, ...(p.suggestions ?? [])] } : p,
    );
    return toResult(file, problems, options.unsafeFixes);
  }
  if (rules.some((rule) => rule.text && matchesTextCheck(rule.text, file))) return toResult(file, lintNonPythonText(body, file, settings), false);
  const unfixed = (why: string) =>
    countResult({ filePath: file, messages: [fileProblem(why, false), ...toResult(file, lintText(parser, body, file, settings, project), options.unsafeFixes).messages] });
  try {
    if (!options.fix && !options.fixDryRun) return toResult(file, lintText(parser, body, file, settings, project), options.unsafeFixes);
    const outcome = lintAndFix(parser, body, file, settings, options.unsafeFixes, project);
    const result = toResult(file, outcome.problems, options.unsafeFixes);
    if (outcome.output === body) return result;
    const fixed = toResult(file, outcome.applied, true).messages;
    if (options.fixDryRun) {
      return { ...result, output: source.bom + outcome.output, fixCount: outcome.fixCount, fixed };
    }
    const encoded = source.encode(outcome.output);
    if (!encoded) return unfixed(`The fixed text cannot be written in this file's encoding (${source.encoding}); no fix was written.`);
    let written: WriteOutcome;
    try {
      written = writeIfUnchanged(file, encoded, bytes);
    } catch (error) {
      return unfixed(`Cannot write fixes: ${(error as Error).message}`);
    }
    if (written !== 'written') return unfixed(NOT_WRITTEN[written]);
    sources.set(file, outcome.output);
    return { ...result, fixCount: outcome.fixCount, fixed };
  } catch (error) {
    const detail = process.env.PYLINT_TORCH_DEBUG ? ((error as Error).stack ?? String(error)) : String(error);
    return toResult(file, [fileProblem(`Internal error while linting this file (please report it; set PYLINT_TORCH_DEBUG=1 for a stack trace): ${detail}`, true)], false);
  }
}

const NOT_WRITTEN: Record<Exclude<WriteOutcome, 'written'>, string> = {
  changed: 'File changed on disk while pylint-torch was fixing it; no fix was written. Run again.',
  'read-only': 'File is read-only; no fix was written (make it writable to let --fix change it).',
  'hard-linked': 'File has several hard links; no fix was written (rewriting it would split the links).',
};

/**
 * Finds what a callee that is not torch's own loader stands for: a module-level wrapper of this file, a wrapper
 * imported from another project file, or a known third-party loader (config `knownLoaders` over the built-in table).
 */
function loaderResolver(index: ProjectIndex, config: Readonly<Record<string, KnownLoader>> | undefined): NonNullable<ProjectContext['resolveLoader']> {
  return (file, scopes, callee) => {
    if (callee.type === 'identifier') {
      const bindings = scopes.bindingsOf(callee);
      if (bindings?.length === 1 && bindings[0].kind === 'def') {
        const local = bindings[0].scope.kind === 'module' ? index.summary(file)?.loaders.get(callee.text) : undefined;
        return local && wrapperLoadFunction(local, `${index.displayPath(local.file)}:${local.line}`);
      }
    }
    const name = scopes.qualifiedName(callee);
    if (name === undefined) return undefined;
    if (config && Object.hasOwn(config, name)) return knownLoadFunction(name, config[name]); // the user said so
    const wrapper = index.findLoader(file, name);
    if (wrapper) return wrapperLoadFunction(wrapper, `${index.displayPath(wrapper.file)}:${wrapper.line}`);
    // the built-in table describes third-party code: inside the project that defines it, its source decides
    if (index.definesFunction(file, name)) return undefined;
    return Object.hasOwn(BUILTIN_LOADERS, name) ? knownLoadFunction(name, BUILTIN_LOADERS[name]) : undefined;
  };
}

/** Inspects a checkpoint file found in the linted paths with the rule that checks checkpoints, judged by the lowest torch the project allows. */
async function lintCheckpointFile(file: string, setting: RuleSetting, options: InspectOptions): Promise<LintResult> {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    return toResult(file, [fileProblem(`Cannot read file: ${(error as Error).message}`, true)], false);
  }
  // a zip checkpoint costs its central directory and data.pkl whatever its size; other formats are read in full
  const max = setting.rule.checkpoint!.maxBytes(setting.options);
  if (size > max && !isZipFile(file)) {
    const { id, messages } = setting.rule.meta;
    const message = interpolate(messages.notInspected, { size: String(size), max: String(max) });
    return toResult(file, [{ ruleId: id, messageId: 'notInspected', severity: 1, message, line: 1, column: 1, endLine: 1, endColumn: 1, fileLevel: true }], false);
  }
  return toResult(file, checkpointProblems(await inspectCheckpoint(file, options), setting), false);
}

/** A module outside the linted paths, parsed once for its summary; undefined when it cannot be read or decoded. */
function summarizeFile(file: string, parser: Awaited<ReturnType<typeof pythonParser>>): ModuleSummary | undefined {
  let text: string;
  try {
    text = decodePython(readRegularFile(file)).text;
  } catch {
    return undefined;
  }
  const tree = parsePython(parser, text);
  try {
    return summarizeModule(file, analyzeScopes(tree.rootNode));
  } finally {
    tree.delete();
  }
}

/** The nearest folder at or above `dir` that holds `.git`, if any. */
function gitRoot(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}


/** A git-style unified diff (`--- a/path`, `+++ b/path`, 3 lines of context) of one file's fixes, paths relative to `cwd`. */
function unifiedDiff(file: string, before: string, after: string, cwd: string): string {
  const rel = (path.relative(cwd, file) || path.basename(file)).split(path.sep).join('/');
  return createTwoFilesPatch(`a/${rel}`, `b/${rel}`, before, after, undefined, undefined, { context: 3, headerOptions: FILE_HEADERS_ONLY });
}

/** `--show-fixes`: each file's fixed (or, in a dry run, fixable) problems, like Ruff's listing. */
function fixListing(results: readonly LintResult[], cwd: string, dryRun: boolean): string {
  const changed = results.filter((r) => r.fixed?.length);
  const total = changed.reduce((n, r) => n + r.fixed!.length, 0);
  if (total === 0) return `\nNo problems ${dryRun ? 'would be fixed' : 'were fixed'}.\n`;
  let out = `\n${dryRun ? 'Would fix' : 'Fixed'} ${total === 1 ? '1 problem' : `${total} problems`}:\n`;
  for (const result of changed) {
    out += `- ${path.relative(cwd, result.filePath) || result.filePath}:\n`;
    for (const m of result.fixed!) out += `    ${m.line}:${m.column}  ${m.ruleId}  ${m.message.replace(/\.$/, '')}\n`;
  }
  return out;
}
