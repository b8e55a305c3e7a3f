/**
 * The command line. `run(argv)` returns the exit code instead of exiting, so tests call it in-process.
 * Exit codes follow ESLint and Ruff: 0 no errors (and warnings within --max-warnings), 1 problems found,
 * 2 usage, config or internal error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Diff from 'diff';
import yargs from 'yargs';
import { rules } from '../../rules';
import { ConfigError, parseRuleFlag, ruleIdList } from '../project/config';
import { writeStarterConfig } from '../project/init';
import type { SeveritySetting } from '../engine/rule';
import { FormatName, formatters } from '../report/formatters';
import { sarifLimits } from '../report/formatters/sarif';
import { placeOf } from '../report/formatters/stylish';
import { countResult, type LintResult } from '../report/results';
import { lintFiles } from '../run/lint-files';
import { CACHE_FILE_NAME, cacheFilePath } from '../run/cache';
import { VERSION } from '../io/package';
import { loadRuleDocs, RULE_DOCS_URL, ruleDoc } from '../report/rule-docs';
import { statistics } from '../report/statistics';
import { gitRoot } from '../project/discover';
import { runInspect } from './inspect';
import { type CliIO, processIO, writeReport } from './io';
import { progressCounter } from './progress';

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
  /** --sarif-root: the repository root that sarif, github, gitlab and junit paths are relative to. */
  sarifRoot?: string;
  /** --sarif-category: the analysis category GitHub keeps apart (SARIF `run.automationDetails.id`). */
  sarifCategory?: string;
  /** --statistics: print how many problems each rule found. */
  statistics: boolean;
  format: FormatName;
  outputFile?: string;
  config?: string;
  rule: string[];
  /** --select / --ignore: rule ids, each flag's comma-separated lists joined; undefined when not given. */
  select?: string[];
  ignore?: string[];
  /** --init: write a starter .pylintrc-ts.json in the working folder, lint nothing. */
  init: boolean;
  maxWarnings: number;
  quiet: boolean;
  /** --report-unused-disable-directives (error) or --report-unused-disable-directives-severity; else the config's. */
  reportUnusedDisableDirectives?: SeveritySetting;
  /** `-` or --stdin: lint Python source read from stdin, as if it lived at `stdinFilename` (default `<stdin>`). */
  stdin: boolean;
  stdinFilename?: string;
  /** --color / --no-color: colour stylish output or not, whatever the terminal (default: by {@link useColor}). */
  color?: boolean;
  /** --no-prefilter: run every rule on every Python file (src/torch/prefilter.ts); same findings, slower. */
  prefilter: boolean;
  /** --check-syntax: report syntax errors of the files the prefilter skips too. */
  checkSyntax: boolean;
  /** --jobs N: worker threads (1: none); undefined: one per core when the run is large enough (LintFilesOptions). */
  jobs?: number;
  /** --cache: reuse the results of unchanged files (src/run/cache.ts). */
  cache: boolean;
  /** --cache-location: the cache file, or a folder (trailing `/`, or one that exists) to keep it in. */
  cacheLocation?: string;
}

class UsageError extends Error {}

/** Options that take a value: the token after them is that value, not a path. */
const VALUE_OPTIONS = new Set([
  '-f',
  '--format',
  '-o',
  '--output-file',
  '-c',
  '--config',
  '--rule',
  '--select',
  '--ignore',
  '--max-warnings',
  '--report-unused-disable-directives-severity',
  '--sarif-root',
  '--sarif-category',
  '--stdin-filename',
  '--jobs',
  '--cache-location',
]);

/** Options that take one value: given twice, yargs makes an array of them, which is a usage error. */
const SINGLE_VALUE_OPTIONS = [
  'format',
  'output-file',
  'config',
  'max-warnings',
  'report-unused-disable-directives-severity',
  'sarif-root',
  'sarif-category',
  'stdin-filename',
  'jobs',
  'cache-location',
];

/**
 * The rule ids of repeatable, comma-separated `flag` values (`--select a,b --select c`), or undefined when the flag
 * was not given. Throws UsageError for an empty list or an unknown built-in id (a plugin's `plugin/rule` id is known
 * only once the configs are read: lintFiles checks it then).
 */
function ruleIdsOf(flag: string, values: unknown): string[] | undefined {
  if (values === undefined) return undefined;
  const ids = ([] as unknown[])
    .concat(values)
    .flatMap((v) => String(v).split(','))
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new UsageError(`${flag} expects rule ids (comma-separated): ${ruleIdList(rules)}`);
  const unknown = ids.filter((id) => !id.includes('/') && !rules.some((r) => r.meta.id === id));
  if (unknown.length)
    throw new UsageError(
      `${flag}: unknown rule id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => JSON.stringify(id)).join(', ')} (known: ${ruleIdList(rules)})`,
    );
  return ids;
}

/** Formats whose file paths are relative to the repository root (`--sarif-root`). */
const ROOTED_FORMATS: readonly string[] = ['sarif', 'github', 'gitlab', 'junit'];

/** The first of `-` or an empty string standing among the paths of `argv` (not as the value of an option). */
function oddPath(argv: readonly string[]): '-' | '' | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') break; // what follows is paths, taken as they are
    if (VALUE_OPTIONS.has(argv[i])) i++;
    else if (argv[i] === '-' || argv[i] === '') return argv[i] as '-' | '';
  }
  return undefined;
}

function parseArgs(argv: readonly string[]): Promise<{ options?: Options; output: string }> {
  return new Promise((resolve, reject) => {
    yargs([...argv])
      .scriptName('pylint-torch')
      .usage(
        '$0 [paths..]\n\nFind and fix unsafe torch.load / torch.save patterns in Python files.\n\nAlso: $0 inspect ' +
          '<files..>  read checkpoint files without executing them (see $0 inspect --help).\n' +
          "And:  $0 rule <id>  print a rule's documentation.",
      )
      .command('$0 [paths..]', false)
      .positional('paths', {
        type: 'string',
        array: true,
        describe: "Files and directories to lint (default: .; '-': stdin)",
      })
      .option('fix', { type: 'boolean', default: false, describe: 'Apply safe fixes and write the files' })
      .option('unsafe-fixes', {
        type: 'boolean',
        default: false,
        describe: 'Also apply (or show as fixable) fixes that may change behaviour',
      })
      .option('fix-dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Compute fixes and report them, write nothing',
      })
      .option('diff', {
        type: 'boolean',
        default: false,
        describe: 'Print a unified diff of what --fix would write; write nothing (exit 1 when non-empty)',
      })
      .option('fix-only', {
        type: 'boolean',
        default: false,
        describe: 'Apply fixes, report nothing else (implies --fix)',
      })
      .option('show-fixes', {
        type: 'boolean',
        default: false,
        describe: 'List the problems fixed (or, with --fix-dry-run/--diff, that would be) per file',
      })
      .option('exit-non-zero-on-fix', {
        type: 'boolean',
        default: false,
        describe: 'Exit 1 when any fix was applied (or would be), even if nothing is left',
      })
      .option('sarif-fixes', {
        type: 'boolean',
        default: false,
        describe: 'With --format sarif: add fixes and suggestions as SARIF `fixes`',
      })
      .option('sarif-category', {
        type: 'string',
        describe:
          "With -f sarif: the analysis category (run.automationDetails.id), as upload-sarif's `category` and " +
          "CodeQL's --sarif-category: code scanning keeps each category's alerts apart",
      })
      .option('sarif-root', {
        type: 'string',
        describe:
          'With -f sarif, github, gitlab or junit: the repository root file paths are relative to (default: the ' +
          'nearest folder with .git at or above the working directory)',
      })
      .option('statistics', {
        type: 'boolean',
        default: false,
        describe: 'Also print how many problems each rule found',
      })
      .option('format', { alias: 'f', choices: Object.keys(formatters), default: 'stylish', describe: 'Output format' })
      .option('output-file', { alias: 'o', type: 'string', describe: 'Write the report to this file' })
      .option('config', {
        alias: 'c',
        type: 'string',
        describe: 'Use this config file instead of looking for .pylintrc-ts.json',
      })
      .option('rule', { type: 'string', describe: "Set a rule's severity: 'id:off|warn|error' (repeatable)" })
      .option('select', {
        type: 'string',
        describe: 'Run only these rules (comma-separated ids, repeatable); off ones run at their default severity',
      })
      .option('ignore', { type: 'string', describe: 'Do not run these rules (comma-separated ids, repeatable)' })
      .option('init', {
        type: 'boolean',
        default: false,
        describe: 'Write a starter .pylintrc-ts.json in the working folder (never overwrites one)',
      })
      .option('max-warnings', {
        type: 'string',
        default: '-1',
        describe: 'Exit 1 when there are more warnings than this',
      })
      .option('quiet', { type: 'boolean', default: false, describe: 'Report errors only' })
      .option('report-unused-disable-directives', {
        type: 'boolean',
        describe: 'Report # pylint-torch directives that suppress nothing as errors',
      })
      .option('report-unused-disable-directives-severity', {
        choices: ['off', 'warn', 'error'],
        describe: 'Severity of # pylint-torch directives that suppress nothing (default: config, else warn)',
      })
      .option('stdin', {
        type: 'boolean',
        default: false,
        describe: "Lint Python source from stdin (as the path '-' does); with --fix, print the fixed text to stdout",
      })
      .option('color', {
        type: 'boolean',
        describe: 'Colour the stylish report (--no-color: never); default: on a terminal, by FORCE_COLOR/NO_COLOR',
      })
      .option('prefilter', {
        type: 'boolean',
        default: true,
        describe: 'Skip the rules in files none can report in (--no-prefilter: run them on every file)',
      })
      .option('check-syntax', {
        type: 'boolean',
        default: false,
        describe: 'Also report syntax errors of the files the prefilter skips',
      })
      .option('jobs', {
        type: 'string',
        describe:
          'Lint in N worker threads (1: in this thread); default: one per core, at most one per 100 Python files and 1 MB',
      })
      .option('cache', {
        type: 'boolean',
        default: false,
        describe:
          `Reuse the results of files that did not change, nor anything they depend on, since the last --cache run ` +
          `(kept in ${CACHE_FILE_NAME} in the working folder); the findings are the same as without it`,
      })
      .option('cache-location', {
        type: 'string',
        describe: `With --cache: the cache file, or a folder to keep it in (a trailing /, or an existing folder)`,
      })
      .option('stdin-filename', {
        type: 'string',
        describe: 'With --stdin: the path the text would have (for config, ignorePatterns and messages)',
      })
      .check((args) => {
        for (const name of SINGLE_VALUE_OPTIONS)
          if (Array.isArray(args[name]))
            throw new Error(
              `--${name} was given ${args[name].length} times (${(args[name] as unknown[]).map((v) => JSON.stringify(String(v))).join(', ')}); give it once`,
            );
        if (
          args['report-unused-disable-directives'] !== undefined &&
          args['report-unused-disable-directives-severity'] !== undefined
        )
          throw new Error(
            '--report-unused-disable-directives and --report-unused-disable-directives-severity cannot be used together',
          );
        const max = String(args['max-warnings']);
        if (!/^(-1|\d+)$/.test(max))
          throw new Error(`--max-warnings must be a whole number (or -1 for no limit), got ${JSON.stringify(max)}`);
        if (args.jobs !== undefined && !/^[1-9]\d{0,3}$/.test(String(args.jobs)))
          throw new Error(`--jobs must be a whole number from 1, got ${JSON.stringify(String(args.jobs))}`);
        if (args.fix && args['fix-dry-run']) throw new Error('--fix and --fix-dry-run cannot be used together');
        const writes = args.fix || args['fix-only'];
        if (args.diff && (writes || args['fix-dry-run']))
          throw new Error(
            '--diff shows what --fix would write without writing: use it without --fix, --fix-only and --fix-dry-run',
          );
        if (args['fix-only'] && args['fix-dry-run'])
          throw new Error(
            '--fix-only and --fix-dry-run cannot be used together (use --diff to see fixes without writing)',
          );
        if (args['sarif-fixes'] && args.format !== 'sarif') throw new Error('--sarif-fixes needs --format sarif');
        if (args['sarif-category'] !== undefined && args.format !== 'sarif')
          throw new Error('--sarif-category needs --format sarif');
        if (args['sarif-category'] !== undefined && !/^[^\s/][^\s]*$/.test(String(args['sarif-category'])))
          throw new Error(
            `--sarif-category must be a non-empty name without spaces or a leading '/', got ${JSON.stringify(args['sarif-category'])}`,
          );
        if (args['cache-location'] !== undefined && !args.cache) throw new Error('--cache-location needs --cache');
        if (args['cache-location'] === '') throw new Error('--cache-location is empty; give a file or folder');
        if (args['sarif-root'] !== undefined && !ROOTED_FORMATS.includes(String(args.format)))
          throw new Error(`--sarif-root needs --format ${ROOTED_FORMATS.join(', ')}`);
        return true;
      })
      .epilog(
        `Rules: ${ruleIdList(rules)}.\n'pylint-torch rule <id>' prints a rule's documentation; all of them: ${RULE_DOCS_URL}`,
      )
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
        // yargs drops `-` and `''` from the paths (which would lint `.`): `-` means stdin, as in ESLint and Ruff;
        // `''` names nothing, which is said
        const odd = oddPath(argv);
        if (odd === '') return reject(new UsageError('an empty path names no file; name the files to lint'));
        const stdin = odd === '-' || (args.stdin as boolean);
        // `--` ends the options: yargs leaves the paths after it (`-x.py`) in `_`
        const rest = (args._ as unknown[]).map(String);
        const named = [...((args.paths as string[] | undefined) ?? []), ...rest];
        if (rest.includes('')) return reject(new UsageError('an empty path names no file; name the files to lint'));
        const paths = named.length ? named : undefined;
        if (stdin && paths?.length)
          return reject(
            new UsageError(
              `stdin ('-' or --stdin) is linted alone: do not name paths too (got ${paths.join(', ')}); --stdin-filename says where the text lives`,
            ),
          );
        if (args['stdin-filename'] !== undefined && !stdin)
          return reject(new UsageError("--stdin-filename names the text read from stdin: add --stdin (or '-')"));
        if (args['stdin-filename'] === '')
          return reject(new UsageError('--stdin-filename is empty; give the path the text would have'));
        if (args.init && (paths?.length || stdin))
          return reject(new UsageError('--init writes .pylintrc-ts.json in the working folder and takes no paths'));
        let select: string[] | undefined, ignore: string[] | undefined;
        try {
          select = ruleIdsOf('--select', args.select);
          ignore = ruleIdsOf('--ignore', args.ignore);
        } catch (error) {
          return reject(error);
        }
        resolve({
          output: '',
          options: {
            paths: paths ?? ['.'],
            fix: (args.fix as boolean) || (args['fix-only'] as boolean),
            unsafeFixes: args['unsafe-fixes'] as boolean,
            // --diff computes fixes like a dry run and prints them as a diff
            fixDryRun: (args['fix-dry-run'] as boolean) || (args.diff as boolean),
            diff: args.diff as boolean,
            fixOnly: args['fix-only'] as boolean,
            showFixes: args['show-fixes'] as boolean,
            exitNonZeroOnFix: args['exit-non-zero-on-fix'] as boolean,
            sarifFixes: args['sarif-fixes'] as boolean,
            sarifRoot: args['sarif-root'] as string | undefined,
            sarifCategory: args['sarif-category'] as string | undefined,
            statistics: args.statistics as boolean,
            format: args.format as FormatName,
            outputFile: args['output-file'] as string | undefined,
            config: args.config as string | undefined,
            rule: ([] as unknown[]).concat(args.rule ?? []).map(String),
            select,
            ignore,
            init: args.init as boolean,
            maxWarnings: Number(args['max-warnings']),
            quiet: args.quiet as boolean,
            reportUnusedDisableDirectives:
              args['report-unused-disable-directives'] === true
                ? 'error'
                : args['report-unused-disable-directives'] === false
                  ? 'off'
                  : (args['report-unused-disable-directives-severity'] as SeveritySetting | undefined),
            stdin,
            stdinFilename: args['stdin-filename'] as string | undefined,
            color: args.color as boolean | undefined,
            prefilter: args.prefilter as boolean,
            checkSyntax: args['check-syntax'] as boolean,
            jobs: args.jobs === undefined ? undefined : Number(args.jobs),
            cache: args.cache as boolean,
            cacheLocation: args['cache-location'] as string | undefined,
          },
        });
      });
  });
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws. */
export async function run(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  if (argv[0] === 'inspect') return runInspect(argv.slice(1), io);
  if (argv[0] === 'rule') return showRuleDoc(argv.slice(1), io);
  try {
    const { options, output } = await parseArgs(argv);
    if (!options) {
      io.stdout(output.endsWith('\n') ? output : `${output}\n`);
      return 0;
    }
    if (options.init) {
      io.stdout(`Wrote ${writeStarterConfig(io.cwd, rules)}\n`);
      return 0;
    }
    return await lint(options, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(`pylint-torch: ${error.message}\n`);
      return 2;
    }
    io.stderr(
      `pylint-torch: internal error (please report it): ${process.env.PYLINT_TORCH_DEBUG ? ((error as Error).stack ?? String(error)) : String(error)}\n`,
    );
    return 2;
  }
}

/** The path of text read from stdin when --stdin-filename gives none (relative to the working folder). */
const STDIN_NAME = '<stdin>';

async function lint(options: Options, io: CliIO): Promise<number> {
  const root = reportRoot(options, io.cwd);
  const overrides = Object.fromEntries(options.rule.map((flag) => parseRuleFlag(flag, rules)));
  const stdinText = options.stdin ? await (io.readStdin?.() ?? Buffer.alloc(0)) : undefined;
  // with --fix, stdin's fixed text goes to stdout (as Ruff does), so the report goes to stderr
  const fixedToStdout = stdinText !== undefined && options.fix;
  // a file counter for long runs, on a terminal's stderr, never beside a machine format or with --quiet
  const progress =
    io.progress && options.format === 'stylish' && !options.quiet && !options.stdin
      ? progressCounter({ write: (text) => io.stderr(text), ...io.progress })
      : undefined;
  const run = await lintFiles(options.paths, {
    stdin: stdinText && { text: stdinText, filePath: options.stdinFilename ?? STDIN_NAME },
    onProgress: progress && ((done, total) => progress.update(done, total)),
    cwd: io.cwd,
    fix: options.fix,
    fixDryRun: options.fixDryRun,
    unsafeFixes: options.unsafeFixes,
    config: options.config,
    rules: overrides,
    select: options.select,
    ignore: options.ignore,
    reportUnusedDisableDirectives: options.reportUnusedDisableDirectives,
    prefilter: options.prefilter,
    checkSyntax: options.checkSyntax,
    jobs: options.jobs,
    cache: options.cache && !options.stdin ? cacheFilePath(options.cacheLocation, io.cwd) : undefined,
  }).finally(() => progress?.finish());
  if (run.missing.length) {
    for (const missing of run.missing) io.stderr(`pylint-torch: no such file or directory: ${missing}\n`);
    return 2;
  }
  for (const warning of run.warnings) io.stderr(`pylint-torch: warning: ${warning}\n`);
  const { sources, internalErrors } = run;
  // --fix-only reports nothing but what stopped a file from being read, parsed or written (problems without a rule)
  const results = run.results.map((result) => {
    const shown = options.fixOnly
      ? result.messages.filter((m) => m.ruleId === null)
      : options.quiet
        ? result.messages.filter((m) => m.severity === 2)
        : undefined;
    return shown ? countResult({ ...result, messages: shown }) : result;
  });
  const fixCount = results.reduce((n, r) => n + (r.fixCount ?? 0), 0);

  let report: string;
  if (options.diff) {
    // both sides with the BOM when the file has one, so that `git apply` finds the first line as it is on disk
    const diffs = results
      .filter((r) => r.output !== undefined)
      .map((r) =>
        unifiedDiff(
          r.filePath,
          (r.output!.startsWith('\uFEFF') ? '\uFEFF' : '') + (sources.get(r.filePath) ?? ''),
          r.output!,
          io.cwd,
        ),
      );
    report = diffs.join('');
    const files = diffs.length;
    io.stderr(
      `pylint-torch: --diff: ${fixCount === 1 ? '1 fix' : `${fixCount} fixes`} in ${files === 1 ? '1 file' : `${files} files`} would be applied; nothing was written.\n`,
    );
  } else {
    report = formatters[options.format](results, {
      cwd: io.cwd,
      root,
      rules: run.rules,
      sources,
      color: options.color ?? (io.color && !options.outputFile),
      fixed: options.fix,
      dryRun: options.fixDryRun,
      toolVersion: VERSION,
      ruleDocs: options.format === 'sarif' ? loadRuleDocs(rules) : undefined,
      sarifFixes: options.sarifFixes,
      sarifCategory: options.sarifCategory,
    });
    if (options.format === 'sarif')
      for (const warning of sarifLimits(results)) io.stderr(`pylint-torch: warning: ${warning}\n`);
  }
  if (options.showFixes) {
    const listing = fixListing(results, io.cwd, options.fixDryRun);
    // after a stylish report on stdout; to stderr when stdout carries JSON, SARIF or a diff
    if (options.format === 'stylish' && !options.diff) report += listing;
    else io.stderr(listing);
  }
  if (options.statistics) {
    // like --show-fixes: after a stylish report, else on stderr
    if (options.format === 'stylish' && !options.diff) report += statistics(results);
    else io.stderr(statistics(results));
    // on stderr whatever the format: the report is the same with and without the cache
    if (run.cache) {
      const { evidence } = run.cache;
      // a run over named files: the evidence of the rest of the working folder (README "Cache")
      const others =
        evidence &&
        `; text facts of ${evidence.files} other ${evidence.files === 1 ? 'file' : 'files'} of the working folder, ${evidence.read} read`;
      io.stderr(
        `pylint-torch: cache: ${run.cache.linted} ${run.cache.linted === 1 ? 'file' : 'files'} linted, ${run.cache.reused} from ${path.relative(io.cwd, run.cache.file) || run.cache.file}${others ?? ''}\n`,
      );
    }
  }
  if (!writeReport(fixedToStdout ? { ...io, stdout: io.stderr } : io, options.outputFile, report)) return 2;
  if (fixedToStdout) {
    // the text as it came when nothing was fixed (or it was ignored), byte for byte
    const output = run.results.find((r) => r.output !== undefined)?.output;
    io.stdout(output ?? stdinText);
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

/** `pylint-torch rule <id>`: prints the rule's documentation (markdown); exit 2 for a missing or unknown id. */
function showRuleDoc(argv: readonly string[], io: CliIO): number {
  const usage = `Usage: pylint-torch rule <id>\n\nPrints a rule's documentation. Rules: ${ruleIdList(rules)}.\n`;
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    io.stdout(usage);
    return 0;
  }
  if (argv.length !== 1) {
    io.stderr(`pylint-torch: rule: expected one rule id\n\n${usage}`);
    return 2;
  }
  const doc = rules.some((r) => r.meta.id === argv[0]) ? ruleDoc(argv[0]) : undefined;
  if (doc === undefined) {
    io.stderr(`pylint-torch: rule: unknown rule id ${JSON.stringify(argv[0])} (known: ${ruleIdList(rules)})\n`);
    return 2;
  }
  io.stdout(doc.endsWith('\n') ? doc : `${doc}\n`);
  return 0;
}

/**
 * The folder report paths are relative to: `--sarif-root` (relative to `cwd`; a usage error when it is not a
 * folder), else the top of the git work tree holding `cwd`, else `cwd`.
 */
function reportRoot(options: Options, cwd: string): string {
  if (options.sarifRoot === undefined) return gitRoot(cwd) ?? cwd;
  const root = path.resolve(cwd, options.sarifRoot);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory())
    throw new UsageError(`--sarif-root ${options.sarifRoot} is not a folder`);
  return root;
}

/**
 * A git-style unified diff (`--- a/path`, `+++ b/path`, 3 lines of context) of one file's fixes, paths relative to
 * `cwd`.
 */
function unifiedDiff(file: string, before: string, after: string, cwd: string): string {
  const rel = (path.relative(cwd, file) || path.basename(file)).split(path.sep).join('/');
  // loaded when a diff is asked for: most runs never need it (startup, issue 12)
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = require('diff') as typeof Diff; // eslint-disable-line @typescript-eslint/no-require-imports
  return createTwoFilesPatch(`a/${rel}`, `b/${rel}`, before, after, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/** `--show-fixes`: each file's fixed (or, in a dry run, fixable) problems, like Ruff's listing. */
function fixListing(results: readonly LintResult[], cwd: string, dryRun: boolean): string {
  const changed = results.filter((r) => r.fixed?.length);
  const total = changed.reduce((n, r) => n + r.fixed!.length, 0);
  if (total === 0) return `\nNo problems ${dryRun ? 'would be fixed' : 'were fixed'}.\n`;
  let out = `\n${dryRun ? 'Would fix' : 'Fixed'} ${total === 1 ? '1 problem' : `${total} problems`}:\n`;
  for (const result of changed) {
    out += `- ${path.relative(cwd, result.filePath) || result.filePath}:\n`;
    for (const m of result.fixed!) out += `    ${placeOf(m)}  ${m.ruleId}  ${m.message.replace(/\.$/, '')}\n`;
  }
  return out;
}
