/**
 * `pylint-torch inspect FILE|DIR...`: reads checkpoints without executing them and says what torch's weights_only
 * unpickler would do. Exit 0 when every file is safe, 1 when any is not (dangerous, needs an allowlist or a review of
 * unknown code, unloadable, not a checkpoint), 2 for bad usage, a path that does not exist, or no checkpoint file
 * found.
 */
import * as path from 'node:path';
import yargs from 'yargs';
import { rules } from '../../rules';
import checkpointRule from '../../rules/checkpoint-unsafe-globals';
import { allowlistAdvice, type Inspection } from '../checkpoint/inspect';
import { binaryProblems } from '../engine/linter';
import { ConfigError } from '../project/config';
import { gitRoot } from '../project/discover';
import { formatters } from '../report/formatters';
import { toResult } from '../report/results';
import { CHECKPOINT_PATTERNS, inspectCheckpoints } from '../run/inspect-files';
import { VERSION } from '../io/package';
import { loadRuleDocs } from '../report/rule-docs';
import { type CliIO, writeReport } from './io';

export async function runInspect(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    return await inspectCommand(argv, io);
  } catch (error) {
    io.stderr(
      `pylint-torch: internal error (please report it): ${process.env.PYLINT_TORCH_DEBUG ? ((error as Error).stack ?? String(error)) : String(error)}\n`,
    );
    return 2;
  }
}

async function inspectCommand(argv: readonly string[], io: CliIO): Promise<number> {
  let options: {
    files: string[];
    format: 'stylish' | 'json' | 'sarif';
    torchVersion?: [number, number];
    outputFile?: string;
  };
  try {
    options = await new Promise((resolve, reject) => {
      yargs([...argv])
        .scriptName('pylint-torch inspect')
        .usage('$0 <files..>\n\nRead checkpoint files without executing them and say which globals torch would reject.')
        .command('$0 [files..]', false)
        .positional('files', { type: 'string', array: true, describe: 'Checkpoint files or folders' })
        .option('format', { alias: 'f', choices: ['stylish', 'json', 'sarif'], default: 'stylish' })
        .option('torch-version', {
          type: 'string',
          describe:
            'Judge by this torch version, e.g. 2.6 (default: the lowest the project declares, else the newest known)',
        })
        .option('output-file', { alias: 'o', type: 'string' })
        .parserConfiguration({ 'camel-case-expansion': false })
        .strict()
        .help()
        .alias('h', 'help')
        .parse([...argv], {}, (error, args, output) => {
          if (error) return reject(new Error(`${error.message}\n\nRun 'pylint-torch inspect --help' for usage.`));
          if (output) {
            io.stdout(`${output}\n`);
            return reject(Object.assign(new Error(''), { help: true }));
          }
          const version = args['torch-version'] as string | undefined;
          const match = version === undefined ? null : /^(\d+)\.(\d+)/.exec(version);
          if (version !== undefined && !match)
            return reject(new Error(`--torch-version must look like 2.6, got ${JSON.stringify(version)}`));
          for (const name of ['format', 'output-file', 'torch-version'])
            if (Array.isArray(args[name]))
              return reject(
                new Error(
                  `--${name} was given ${args[name].length} times (${(args[name] as unknown[]).map((v) => JSON.stringify(String(v))).join(', ')}); give it once`,
                ),
              );
          // `--` ends the options: yargs leaves the files after it in `_`
          const files = [...((args.files as string[] | undefined) ?? []), ...(args._ as unknown[])].map(String);
          // `-` (stdin) is not read and `''` names nothing: yargs would drop `-` and lint the cwd for `''`
          const valueOptions = ['-f', '--format', '-o', '--output-file', '--torch-version'];
          const end = argv.indexOf('--');
          const options = end === -1 ? argv : argv.slice(0, end);
          const stdin = options.some((a, i) => a === '-' && !valueOptions.includes(options[i - 1] ?? ''));
          if (stdin || files.includes('-'))
            return reject(new Error("reading a checkpoint from stdin ('-') is not supported; name the files"));
          if (files.includes('')) return reject(new Error('an empty path names no file; name the files'));
          if (files.length === 0)
            return reject(
              new Error(
                "name the checkpoint files or folders to inspect\n\nRun 'pylint-torch inspect --help' for usage.",
              ),
            );
          resolve({
            files,
            format: args.format as 'stylish' | 'json' | 'sarif',
            torchVersion: match ? [Number(match[1]), Number(match[2])] : undefined,
            outputFile: args['output-file'] as string | undefined,
          });
        });
    });
  } catch (error) {
    if ((error as { help?: boolean }).help) return 0;
    io.stderr(`pylint-torch: ${(error as Error).message}\n`);
    return 2;
  }

  let results: Inspection[];
  try {
    const run = await inspectCheckpoints(options.files, { cwd: io.cwd, torchVersion: options.torchVersion });
    for (const missing of run.missing) io.stderr(`pylint-torch: no such file or directory: ${missing}\n`);
    if (run.missing.length) return 2;
    const kinds = CHECKPOINT_PATTERNS.map((p) => p.replace('**/*', '')).join(', ');
    for (const folder of run.empty) io.stderr(`pylint-torch: warning: no checkpoint files (${kinds}) in ${folder}\n`);
    // nothing to judge is not a pass: a CI gate pointed at the wrong folder must fail (ESLint's "no files matching")
    if (run.inspections.length === 0) {
      io.stderr('pylint-torch: no checkpoint files to inspect\n');
      return 2;
    }
    results = run.inspections;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`pylint-torch: ${error.message}\n`);
    return 2;
  }
  const report =
    options.format === 'json'
      ? `${JSON.stringify(results)}\n`
      : options.format === 'sarif'
        ? `${sarifReport(results, io.cwd)}\n`
        : stylish(results, io.cwd);
  if (!writeReport(io, options.outputFile, report)) return 2;
  return results.every((r) => r.verdict === 'safe') ? 0 : 1;
}

/** SARIF through the lint formatter: each file's verdict as a checkpoint-unsafe-globals result without a region. */
function sarifReport(inspections: readonly Inspection[], cwd: string): string {
  const setting = { rule: checkpointRule, severity: 'warn' as const, options: checkpointRule.defaultOptions };
  const results = inspections.map((i) => toResult(i.filePath, binaryProblems(i.filePath, i, setting), false));
  return formatters.sarif(results, {
    cwd,
    root: gitRoot(cwd) ?? cwd,
    rules: [checkpointRule],
    sources: new Map(),
    color: false,
    fixed: false,
    dryRun: false,
    toolVersion: VERSION,
    ruleDocs: loadRuleDocs(rules),
  });
}

function stylish(results: readonly Inspection[], cwd: string): string {
  let out = '';
  for (const r of results) {
    out += `\n${path.relative(cwd, r.filePath) || r.filePath}  ${r.format}  ${r.verdict}  (torch ${r.torch.version}: ${r.torch.source}; allowlist of ${r.torch.table})\n`;
    const shown = r.globals.filter((g) => g.status !== 'allowed');
    for (const g of shown)
      out += `  ${g.status.padEnd(18)} ${g.name}  (${g.opcode} at byte ${g.offset} of ${g.member}${g.afterStop ? ', after STOP' : ''})\n`;
    for (const m of r.messages) out += `  note: ${m}\n`;
    if (r.allowlist.length) out += `  allowlist: ${allowlistAdvice(r).replace(/`/g, '')}\n`;
  }
  const count = (v: string) => results.filter((r) => r.verdict === v).length;
  out += `\n${results.length} file(s): ${count('safe')} safe, ${count('needs-allowlist')} need an allowlist, ${count('needs-review')} need review, ${count('dangerous')} dangerous, ${count('unloadable')} unloadable, ${count('not-a-checkpoint')} not checkpoints\n`;
  return out;
}
