#!/usr/bin/env node
'use strict';
// `npm run bench`: how long pylint-torch takes and how much memory it needs, beside tools that read the same files
// (Ruff's wasm build with S301, Bandit's B301, `rg -l torch`). A benchmark, not a test: it asserts nothing about
// speed; it prints tables to compare builds and machines. Every tool runs as a child process; wall time is measured
// here (process.hrtime), CPU time and peak RSS by GNU time (`/usr/bin/time -f`, Debian's `time` package) or, without
// it, by process.resourceUsage() inside a node wrapper (node tools only; the others get 'n/a').
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const root = path.join(__dirname, '..');
const CLI = path.join(root, 'bin', 'pylint-torch.js');
const DIST_CLI = path.join(root, 'dist', 'src', 'cli', 'cli.js');
const DIST_DISCOVER = path.join(root, 'dist', 'src', 'project', 'discover.js');
/** The corpus generator lives in the project's shared folder beside the repository (never a test dependency). */
const MAKE_CORPUS = path.join(root, '..', 'shared', 'bench', 'make_corpus.py');
const GNU_TIME = '/usr/bin/time';
const TOOLS = ['pylint-torch', 'pylint-torch-j1', 'ruff', 'bandit', 'rg'];
/** MB here is 10^6 bytes, for file sizes and RSS alike. */
const MB = 1e6;

const HELP = `Usage: npm run bench -- [options] [folders..]
       node scripts/bench.js [options] [folders..]

Measures pylint-torch (the built CLI in dist/: run 'npm run build' first; pylint-torch-j1 is the same with
--jobs 1, in one thread) beside other tools on the same files: Ruff's wasm build with S301 (a dev dependency),
Bandit with -t B301 and 'rg -l torch' when installed. Per tool: wall time, user+sys CPU time, peak RSS, files/s,
MB/s and wall time relative to pylint-torch's. Then pylint-torch alone on the corpus at each --copies size, a cold
and a warm --cache run of each target (the warm one with nothing changed: its CPU time relative to the cold one's,
and whether their reports are equal byte for byte), and a pre-commit-style run over a few named files (beside
node's startup, measured as 'pylint-torch --version'): without a cache, then as the hooks run, with --cache: a
cold run over other files (it reads every file's text facts once), then a warm one over the same files as the
first (linted, the rest's facts from the cache).

The corpus is built with ../shared/bench/make_corpus.py (CPython's standard library with torch code appended to
40% of the files) into <corpus-dir>/pylint-torch-bench-<copies>, and reused while the generator and the
interpreter are unchanged. Folders named as arguments (real repositories) are measured the same way.

Options:
  --copies <list>     corpus sizes for pylint-torch alone, comma-separated (default: 1,2,4)
  --only <tools>      run only these tools, comma-separated: ${TOOLS.join(', ')}
  --skip <tools>      do not run these tools, comma-separated
  --no-corpus         measure only the folders named as arguments
  --corpus-dir <dir>  where corpora are built (default: the system's temp folder)
  --rebuild           build corpora again even when a matching one exists
  --python <exe>      interpreter for make_corpus.py; its standard library is the corpus (default: python3)
  --precommit <n>     files in the pre-commit-style run, 0 for none (default: 5)
  --timeout <s>       stop a run after this many seconds and report it as failed (default: 900)
  --no-gnu-time       measure CPU and RSS with process.resourceUsage() in a node wrapper, not ${GNU_TIME}
  --json <file>       also write every measurement to this file as JSON
  -h, --help          show this help

Exit code: 0 when every run succeeded, 1 when one failed (it is reported with its exit code and last stderr line),
2 for a usage error.
`;

class UsageError extends Error {}
/** A benchmark that cannot start (no interpreter, the corpus generator failed): a message, no stack. */
class BenchError extends Error {}

/** Splits a comma-separated option value into its non-empty parts. */
function list(value) {
  return String(value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInteger(name, value, { zero = false } = {}) {
  if (!/^\d+$/.test(value) || (!zero && Number(value) === 0))
    throw new UsageError(`${name} takes a whole number${zero ? '' : ' above 0'}, got ${JSON.stringify(value)}`);
  return Number(value);
}

function toolList(name, value) {
  const tools = list(value);
  const unknown = tools.filter((t) => !TOOLS.includes(t));
  if (unknown.length) throw new UsageError(`${name}: unknown tool ${unknown.join(', ')} (known: ${TOOLS.join(', ')})`);
  return tools;
}

/** argv (without node and script) → options; throws UsageError. */
function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        copies: { type: 'string', default: '1,2,4' },
        only: { type: 'string' },
        skip: { type: 'string' },
        'no-corpus': { type: 'boolean', default: false },
        'corpus-dir': { type: 'string', default: os.tmpdir() },
        rebuild: { type: 'boolean', default: false },
        python: { type: 'string', default: 'python3' },
        precommit: { type: 'string', default: '5' },
        timeout: { type: 'string', default: '900' },
        'no-gnu-time': { type: 'boolean', default: false },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const v = parsed.values;
  const copies = [...new Set(list(v.copies).map((c) => positiveInteger('--copies', c)))].sort((a, b) => a - b);
  if (!copies.length) throw new UsageError('--copies needs at least one size, e.g. --copies 1,2,4');
  const only = v.only === undefined ? TOOLS : toolList('--only', v.only);
  const skip = v.skip === undefined ? [] : toolList('--skip', v.skip);
  const tools = TOOLS.filter((t) => only.includes(t) && !skip.includes(t));
  if (!tools.length) throw new UsageError('--only and --skip leave no tool to run');
  const folders = parsed.positionals.map((p) => path.resolve(p));
  for (const folder of folders)
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`not a folder: ${folder}`);
  return {
    help: v.help,
    copies,
    tools,
    corpus: !v['no-corpus'],
    corpusDir: path.resolve(v['corpus-dir']),
    rebuild: v.rebuild,
    python: v.python,
    precommit: positiveInteger('--precommit', v.precommit, { zero: true }),
    timeoutS: positiveInteger('--timeout', v.timeout),
    gnuTime: !v['no-gnu-time'] && fs.existsSync(GNU_TIME),
    json: v.json && path.resolve(v.json),
    folders,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring one child process

/** The last non-empty line of a (possibly large) text file, or ''. */
function lastLine(file) {
  let text = '';
  try {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 65536);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    fs.closeSync(fd);
    text = buffer.toString('utf8');
  } catch {
    return '';
  }
  const lines = text.split('\n').filter((l) => l.trim());
  return lines.length ? lines[lines.length - 1].trim() : '';
}

/**
 * Runs `command args` in `cwd` with stdout to `stdoutFile`, and measures it.
 * `node: true` says the command is a node script (`args[0]`), so that without GNU time a wrapper can measure it.
 * Resolves to {code, signal, timedOut, wallS, cpuS, rssMB, stderr (last line)}; cpuS and rssMB are null when
 * unmeasured. Never rejects: a command that cannot start resolves with code null and the error as stderr.
 */
function measure(command, args, { cwd, stdoutFile, work, opts, node = false, ok = [0] }) {
  const id = crypto.randomBytes(4).toString('hex');
  const usageFile = path.join(work, `usage-${id}`);
  const stderrFile = path.join(work, `stderr-${id}`);
  let argv;
  if (opts.gnuTime) argv = [GNU_TIME, '-f', '%e %U %S %M', '-o', usageFile, command, ...args];
  else if (node) argv = [process.execPath, __filename, '--usage-child', usageFile, ...args];
  else argv = [command, ...args];
  const out = fs.openSync(stdoutFile, 'w');
  const err = fs.openSync(stderrFile, 'w');
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    let timedOut = false;
    // detached: a process group of its own, so that a timeout stops GNU time's child too
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', out, err], detached: true });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, opts.timeoutS * 1000);
    let settled = false;
    // 'error' (could not start) and 'exit' may both come: the first one counts
    const done = (code, signal, startError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const wallS = Number(process.hrtime.bigint() - start) / 1e9;
      fs.closeSync(out);
      fs.closeSync(err);
      let cpuS = null;
      let rssMB = null;
      if (opts.gnuTime) {
        // GNU time writes "Command exited with non-zero status N" or "... terminated by signal N" first
        const fields = lastLine(usageFile).split(' ').map(Number);
        if (fields.length === 4 && fields.every(Number.isFinite)) {
          cpuS = fields[1] + fields[2];
          rssMB = (fields[3] * 1024) / MB;
        }
        // GNU time exits 128+N when its child died of signal N
        const usage = fs.existsSync(usageFile) ? fs.readFileSync(usageFile, 'utf8') : '';
        const killed = /terminated by signal (\d+)/.exec(usage);
        if (killed) signal = signalName(Number(killed[1]));
      } else if (node && fs.existsSync(usageFile)) {
        const usage = JSON.parse(fs.readFileSync(usageFile, 'utf8'));
        cpuS = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
        rssMB = (usage.maxRSS * 1024) / MB;
      }
      const stderr = startError ? startError.message : lastLine(stderrFile);
      const failed = timedOut || signal || !ok.includes(code);
      resolve({
        code,
        signal: signal || null,
        timedOut,
        limitS: opts.timeoutS,
        failed: Boolean(failed),
        wallS,
        cpuS,
        rssMB,
        stderr,
      });
    };
    child.on('error', (error) => done(null, null, error));
    child.on('exit', (code, signal) => done(code, signal));
  });
}

function signalName(number) {
  return Object.keys(os.constants.signals).find((name) => os.constants.signals[name] === number) ?? `signal ${number}`;
}

/** `--usage-child USAGE_FILE SCRIPT ARGS..`: runs SCRIPT in this process and writes its resource usage at exit. */
function usageChild(usageFile, script, args) {
  process.argv = [process.argv[0], path.resolve(script), ...args];
  process.on('exit', () => fs.writeFileSync(usageFile, JSON.stringify(process.resourceUsage())));
  require(path.resolve(script));
}

/** `--ruff-child MODULE LIST_FILE`: checks every file named in LIST_FILE with Ruff's wasm build, S301 only. */
function ruffChild(modulePath, listFile) {
  const ruff = require(modulePath);
  const workspace = new ruff.Workspace({ lint: { select: ['S301'] } }, ruff.PositionEncoding.Utf16);
  const files = fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  let findings = 0;
  let syntaxErrors = 0;
  for (const file of files) {
    for (const diagnostic of workspace.check(fs.readFileSync(file, 'utf8'))) {
      if (diagnostic.code === 'S301') findings++;
      else syntaxErrors++;
    }
  }
  process.stdout.write(JSON.stringify({ files: files.length, findings, syntaxErrors }));
}

// ---------------------------------------------------------------------------------------------------------------
// The tools

function which(command) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = path.join(dir || '.', command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

function ruffModule() {
  try {
    return require.resolve('@astral-sh/ruff-wasm-nodejs', { paths: [root] });
  } catch {
    return null;
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Each tool: `available()` → null or why it is skipped; `run(target, ctx)` → a measurement plus `files` (as the tool
 * reports them, else the target's count) and `findings` (what it reported: pylint-torch's messages, Ruff's S301
 * diagnostics, Bandit's B301 results, rg's matching files).
 */
const TOOL_RUNNERS = {
  'pylint-torch': pylintTorchRunner([]),
  // one thread: beside the default (worker threads on a large target), what the workers save
  'pylint-torch-j1': pylintTorchRunner(['--jobs', '1']),
  ruff: {
    available: () =>
      ruffModule() ? null : 'ruff: @astral-sh/ruff-wasm-nodejs is not installed (a dev dependency: run npm ci)',
    async run(target, ctx) {
      const listFile = path.join(ctx.work, 'ruff-files.txt');
      fs.writeFileSync(listFile, target.files.join('\n'));
      const m = await measure(process.execPath, [__filename, '--ruff-child', ruffModule(), listFile], {
        ...ctx,
        node: true,
      });
      const summary = m.failed ? undefined : readJson(ctx.stdoutFile);
      return { ...m, files: summary ? summary.files : null, findings: summary ? summary.findings : null };
    },
  },
  bandit: {
    available: () =>
      which('bandit') ? null : 'bandit: not installed (Debian: apt-get install bandit; pip install bandit)',
    async run(target, ctx) {
      const report = path.join(ctx.work, 'bandit.json');
      // exit 1: issues found
      const m = await measure(which('bandit'), ['-q', '-r', '-t', 'B301', '-f', 'json', '-o', report, target.dir], {
        ...ctx,
        ok: [0, 1],
      });
      const result = m.failed ? undefined : readJson(report);
      return {
        ...m,
        files: result ? Object.keys(result.metrics || {}).filter((k) => k !== '_totals').length : null,
        findings: result ? (result.results || []).length : null,
      };
    },
  },
  rg: {
    available: () => (which('rg') ? null : 'rg: ripgrep is not installed (Debian: apt-get install ripgrep)'),
    async run(target, ctx) {
      // exit 1: no file matched
      const m = await measure(which('rg'), ['-l', '-t', 'py', 'torch', target.dir], { ...ctx, ok: [0, 1] });
      const matched = m.failed ? null : fs.readFileSync(ctx.stdoutFile, 'utf8').split('\n').filter(Boolean).length;
      return { ...m, files: null, findings: matched };
    },
  },
};

/** pylint-torch's runner, with `extra` arguments. */
function pylintTorchRunner(extra) {
  return {
    available: () => null,
    async run(target, ctx) {
      const report = path.join(ctx.work, 'pylint-torch.json');
      const args = [CLI, ...extra, '--format', 'json', '--output-file', report, target.dir];
      const m = await measure(process.execPath, args, { ...ctx, cwd: target.dir, node: true, ok: [0, 1] });
      const results = m.failed ? undefined : readJson(report);
      return {
        ...m,
        files: results ? results.length : null,
        findings: results ? results.reduce((n, r) => n + r.messages.length, 0) : null,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Targets: the corpus and named folders

/** The .py files pylint-torch would lint in `dir` (its own discovery: default ignored folders and .gitignore). */
async function targetOf(name, dir) {
  const { discoverFiles } = require(DIST_DISCOVER);
  const { files } = await discoverFiles([dir], dir, () => ({ patterns: [], baseDir: dir }));
  const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  return { name, dir, files, bytes };
}

/** Builds (or reuses) the corpus with `copies` copies; returns its folder. Throws Error with a message. */
function corpusFor(copies, opts, log) {
  const dir = path.join(opts.corpusDir, `pylint-torch-bench-${copies}`);
  const marker = path.join(dir, '.bench-corpus.json');
  const version = spawnSync(
    opts.python,
    ['-c', 'import sys, sysconfig; print(sys.version, sysconfig.get_paths()["stdlib"])'],
    {
      encoding: 'utf8',
    },
  );
  if (version.status !== 0)
    throw new BenchError(
      `cannot run ${opts.python} (--python) for the corpus: ${(version.stderr || String(version.error)).trim()}`,
    );
  const key = crypto
    .createHash('sha256')
    .update(fs.readFileSync(MAKE_CORPUS))
    .update(version.stdout)
    .update(String(copies))
    .digest('hex');
  if (!opts.rebuild && readJson(marker)?.key === key) {
    log(`corpus ${copies}×: reusing ${dir}`);
    return dir;
  }
  log(`corpus ${copies}×: building ${dir} with ${path.relative(process.cwd(), MAKE_CORPUS) || MAKE_CORPUS} ...`);
  const made = spawnSync(opts.python, [MAKE_CORPUS, dir, '--copies', String(copies)], { encoding: 'utf8' });
  if (made.status !== 0)
    throw new BenchError(`make_corpus.py failed (exit ${made.status}): ${made.stderr.trim().split('\n').pop()}`);
  log(`  ${made.stdout.trim()}`);
  fs.writeFileSync(marker, JSON.stringify({ key, summary: made.stdout.trim() }));
  return dir;
}

// ---------------------------------------------------------------------------------------------------------------
// Output

function fixed(value, digits) {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A ratio with 2 decimals, or 2 significant digits below 0.1 (rg is thousands of times faster). */
function ratio(value) {
  return !Number.isFinite(value) ? 'n/a' : value < 0.1 && value > 0 ? value.toPrecision(2) : value.toFixed(2);
}

/** A Markdown table, columns padded so that it also reads in a terminal; `right` marks right-aligned columns. */
function table(header, rows, right) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (right[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const TOOL_HEADER = [
  'tool',
  'files',
  'MB',
  'wall s',
  'CPU s',
  'peak RSS MB',
  'files/s',
  'MB/s',
  'vs pylint-torch',
  'findings',
  'result',
];
const TOOL_RIGHT = [false, true, true, true, true, true, true, true, true, true, false];

function resultText(m) {
  if (m.timedOut) return `timed out after ${m.limitS} s`;
  if (m.signal) return `killed (${m.signal})`;
  if (m.code === null) return 'did not start';
  return m.failed ? `FAILED exit ${m.code}` : `ok (exit ${m.code})`;
}

/** One row of a tool table: `base` is the wall time the ratio column divides by (null: none). */
function toolRow(label, target, m, base) {
  const files = m.files ?? target.files.length;
  const mb = target.bytes / MB;
  return [
    label,
    files,
    mb.toFixed(mb < 10 ? 2 : 1),
    fixed(m.wallS, 2),
    fixed(m.cpuS, 2),
    fixed(m.rssMB, 0),
    m.failed ? 'n/a' : fixed(target.files.length / m.wallS, 0),
    m.failed ? 'n/a' : fixed(mb / m.wallS, 2),
    base && !m.failed ? ratio(m.wallS / base) : 'n/a',
    m.findings ?? 'n/a',
    resultText(m),
  ];
}

/** Notes under a table: each failed run's last stderr line. */
function failureNotes(entries) {
  return entries
    .filter(([, m]) => m.failed)
    .map(([label, m]) => `- ${label}: ${resultText(m)}${m.timedOut ? '' : `: ${m.stderr || '(no stderr)'}`}`);
}

/**
 * Up to `n` files of the target for a pre-commit-style run: spread over those that mention torch first; `offset`
 * picks the files that many places further on (other files, as long as there are enough).
 */
function precommitFiles(target, n, offset = 0) {
  const torch = target.files.filter((f) => fs.readFileSync(f, 'latin1').includes('torch'));
  const pool = torch.length >= n ? torch : [...torch, ...target.files.filter((f) => !torch.includes(f))];
  if (pool.length <= n) return pool;
  return Array.from({ length: n }, (_, i) => pool[(Math.floor((i * pool.length) / n) + offset) % pool.length]);
}

// ---------------------------------------------------------------------------------------------------------------

async function main(argv) {
  const out = (text) => process.stdout.write(`${text}\n`);
  const log = (text) => process.stderr.write(`${text}\n`);
  let opts;
  try {
    opts = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(`bench: ${error.message}\n\nRun 'node scripts/bench.js --help' for usage.`);
    return 2;
  }
  if (opts.help) {
    out(HELP.trimEnd());
    return 0;
  }
  if (!fs.existsSync(DIST_CLI)) {
    log("bench: dist/ is not built: run 'npm run build' first (the benchmark measures the built CLI)");
    return 2;
  }
  const notes = [];
  if (opts.corpus && !fs.existsSync(MAKE_CORPUS)) {
    const how =
      `the corpus generator ${MAKE_CORPUS} is not here (it belongs to the project's shared folder beside the ` +
      'repository: ../shared/bench/make_corpus.py); name folders to measure instead, e.g. npm run bench -- ~/src/diffusers';
    if (!opts.folders.length) {
      log(`bench: ${how}`);
      return 2;
    }
    notes.push(`no corpus: ${how}`);
    opts.corpus = false;
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-bench-run-'));
  const ctx = { work, opts, stdoutFile: path.join(work, 'stdout') };
  const report = { machine: {}, targets: [], scaling: [], cache: [], precommit: [] };
  let failed = false;
  try {
    const load = os.loadavg()[0];
    const cores = os.cpus().length;
    report.machine = { node: process.version, cpus: cores, cpuModel: os.cpus()[0]?.model, loadAverage: load };
    out(`# pylint-torch benchmark`);
    out('');
    out(
      `node ${process.version}, ${cores} CPU cores (${os.cpus()[0]?.model ?? 'unknown'}), load average ${load.toFixed(1)}` +
        `${load > cores ? ' (measured under load: numbers are noisy)' : ''}; CPU and RSS by ` +
        `${opts.gnuTime ? GNU_TIME : 'process.resourceUsage() (node tools only)'}; MB = 10^6 bytes.`,
    );
    out(
      "\nFiles: as each tool counts them (pylint-torch also reads the non-Python files its rules check; rg's are the " +
        "folder's); MB, files/s and MB/s are over the folder's .py files as pylint-torch discovers them. " +
        "'vs pylint-torch': the tool's wall time ÷ pylint-torch's. Findings: pylint-torch's messages, Ruff's S301, " +
        "Bandit's B301 results, rg's files naming torch.",
    );
    for (const note of notes) out(`\nNote: ${note}`);

    const tools = opts.tools.filter((t) => {
      const why = TOOL_RUNNERS[t].available();
      if (why) notes.push(`skipped ${why}`);
      return !why;
    });
    const skipped = opts.tools.length - tools.length;

    const targets = [];
    if (opts.corpus) targets.push(await targetOf(`corpus ${opts.copies[0]}×`, corpusFor(opts.copies[0], opts, log)));
    for (const folder of opts.folders) targets.push(await targetOf(path.basename(folder) || folder, folder));

    for (const target of targets) {
      log(`measuring ${target.name} (${plural(target.files.length, 'file')}) ...`);
      const runs = [];
      for (const tool of tools) {
        log(`  ${tool} ...`);
        runs.push([tool, await TOOL_RUNNERS[tool].run(target, ctx)]);
      }
      const base = runs.find(([t, m]) => t === 'pylint-torch' && !m.failed)?.[1].wallS ?? null;
      out(`\n## ${target.name}: ${target.dir}\n`);
      out(
        table(
          TOOL_HEADER,
          runs.map(([t, m]) => toolRow(t, target, m, base)),
          TOOL_RIGHT,
        ),
      );
      for (const line of failureNotes(runs)) out(line);
      if (skipped) for (const note of notes.filter((n) => n.startsWith('skipped '))) out(`- ${note}`);
      failed ||= runs.some(([, m]) => m.failed);
      report.targets.push({
        name: target.name,
        dir: target.dir,
        files: target.files.length,
        bytes: target.bytes,
        runs: Object.fromEntries(runs),
      });
      if (target === targets[0] && opts.corpus && tools.includes('pylint-torch'))
        report.scaling.push({ copies: opts.copies[0], target, run: runs.find(([t]) => t === 'pylint-torch')[1] });
    }

    if (opts.corpus && tools.includes('pylint-torch') && opts.copies.length > 1) {
      for (const copies of opts.copies.slice(1)) {
        const target = await targetOf(`corpus ${copies}×`, corpusFor(copies, opts, log));
        log(`measuring pylint-torch on ${target.name} (${target.files.length} files) ...`);
        report.scaling.push({ copies, target, run: await TOOL_RUNNERS['pylint-torch'].run(target, ctx) });
      }
      const first = report.scaling[0];
      const ok = (m) => !m.failed && !first.run.failed;
      out(`\n## pylint-torch by corpus size\n`);
      out(
        table(
          [
            'corpus',
            'files',
            'MB',
            'wall s',
            'CPU s',
            'peak RSS MB',
            'files/s',
            'MB/s',
            'wall vs 1st',
            'RSS vs 1st',
            'findings',
            'result',
          ],
          report.scaling.map(({ copies, target, run }) => {
            const row = toolRow(`${copies}×`, target, run, ok(run) ? first.run.wallS : null);
            row.splice(9, 0, ok(run) && run.rssMB && first.run.rssMB ? ratio(run.rssMB / first.run.rssMB) : 'n/a');
            return row;
          }),
          [false, true, true, true, true, true, true, true, true, true, true, false],
        ),
      );
      for (const line of failureNotes(report.scaling.map(({ copies, run }) => [`${copies}×`, run]))) out(line);
      failed ||= report.scaling.some(({ run }) => run.failed);
    }

    if (tools.includes('pylint-torch')) {
      out(`\n## pylint-torch --cache: a cold run writes the cache, a warm one (nothing changed) reads it\n`);
      const rows = [];
      for (const [i, target] of targets.entries()) {
        log(`measuring pylint-torch --cache on ${target.name} ...`);
        const cacheFile = path.join(work, `cache-${i}`);
        const runs = [];
        for (const label of ['cold', 'warm']) {
          const reportFile = path.join(work, `cache-${label}.json`);
          const m = await measure(
            process.execPath,
            [
              CLI,
              '--cache',
              '--cache-location',
              cacheFile,
              '--format',
              'json',
              '--output-file',
              reportFile,
              target.dir,
            ],
            { ...ctx, cwd: target.dir, node: true, ok: [0, 1] },
          );
          runs.push([m, m.failed ? undefined : fs.readFileSync(reportFile, 'utf8')]);
        }
        const [[c, coldText], [w, warmText]] = runs;
        const same = coldText !== undefined && coldText === warmText;
        rows.push([target.name, c, w, same]);
        report.cache.push({ target: target.name, cold: c, warm: w, sameReport: same });
        failed ||= c.failed || w.failed || !same;
      }
      out(
        table(
          [
            'target',
            'cold wall s',
            'cold CPU s',
            'warm wall s',
            'warm CPU s',
            'warm CPU vs cold',
            'same report',
            'result',
          ],
          rows.map(([name, c, w, same]) => [
            name,
            fixed(c.wallS, 2),
            fixed(c.cpuS, 2),
            fixed(w.wallS, 2),
            fixed(w.cpuS, 2),
            c.cpuS && w.cpuS !== null ? `${fixed((100 * w.cpuS) / c.cpuS, 1)}%` : 'n/a',
            same ? 'yes' : 'NO',
            c.failed ? resultText(c) : resultText(w),
          ]),
          [false, true, true, true, true, true, false, false],
        ),
      );
      for (const line of failureNotes(
        rows.flatMap(([name, c, w]) => [
          [`${name} cold`, c],
          [`${name} warm`, w],
        ]),
      ))
        out(line);
    }

    if (opts.precommit > 0 && tools.includes('pylint-torch')) {
      out(`\n## pre-commit-style runs (${plural(opts.precommit, 'named file')}; startup = pylint-torch --version)\n`);
      const startup = await measure(process.execPath, [CLI, '--version'], { ...ctx, cwd: root, node: true });
      const rows = [['startup', '-', startup]];
      for (const target of targets) {
        const files = precommitFiles(target, opts.precommit);
        if (!files.length) continue;
        const reportFile = path.join(work, 'precommit.json');
        const rel = files.map((f) => path.relative(target.dir, f));
        const m = await measure(process.execPath, [CLI, '--format', 'json', '--output-file', reportFile, ...rel], {
          ...ctx,
          cwd: target.dir,
          node: true,
          ok: [0, 1],
        });
        const results = m.failed ? undefined : readJson(reportFile);
        m.findings = results ? results.reduce((n, r) => n + r.messages.length, 0) : null;
        rows.push([target.name, rel.length, m]);
        report.precommit.push({ target: target.name, files: rel, run: m });
        // as the hooks run: with a cache of the repository's text facts, first made by a run over other files (it
        // reads every file once), then used by a run over these files (their results are not in it: linted)
        const cacheFile = path.join(work, `precommit-${report.precommit.length}.cache`);
        const withCache = async (label, names) => {
          const run = await measure(
            process.execPath,
            [CLI, '--cache', '--cache-location', cacheFile, '--format', 'json', '--output-file', reportFile, ...names],
            { ...ctx, cwd: target.dir, node: true, ok: [0, 1] },
          );
          const found = run.failed ? undefined : readJson(reportFile);
          run.findings = found ? found.reduce((n, r) => n + r.messages.length, 0) : null;
          rows.push([`${target.name} (cache: ${label})`, names.length, run]);
          report.precommit.push({ target: target.name, cache: label, files: names, run });
        };
        const others = precommitFiles(target, opts.precommit, 1).map((f) => path.relative(target.dir, f));
        await withCache('cold, other files', others);
        await withCache('warm', rel);
      }
      report.precommit.unshift({ target: 'startup', files: [], run: startup });
      out(
        table(
          ['run', 'files', 'wall s', 'CPU s', 'CPU s beyond startup', 'peak RSS MB', 'findings', 'result'],
          rows.map(([label, n, m]) => [
            label,
            n,
            fixed(m.wallS, 2),
            fixed(m.cpuS, 2),
            label === 'startup' || m.failed || m.cpuS === null || startup.cpuS === null
              ? '-'
              : fixed(m.cpuS - startup.cpuS, 2),
            fixed(m.rssMB, 0),
            m.findings ?? '-',
            resultText(m),
          ]),
          [false, true, true, true, true, true, true, false],
        ),
      );
      for (const line of failureNotes(rows.map(([label, , m]) => [label, m]))) out(line);
      for (const { target, cache, files } of report.precommit.slice(1))
        out(`- ${target}${cache ? ` (cache: ${cache})` : ''}: ${files.join(' ')}`);
      failed ||= rows.some(([, , m]) => m.failed);
    }

    if (opts.json) {
      const plain = {
        ...report,
        scaling: report.scaling.map(({ copies, target, run }) => ({
          copies,
          files: target.files.length,
          bytes: target.bytes,
          run,
        })),
        notes,
      };
      fs.writeFileSync(opts.json, `${JSON.stringify(plain, null, 2)}\n`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

if (process.argv[2] === '--usage-child') usageChild(process.argv[3], process.argv[4], process.argv.slice(5));
else if (process.argv[2] === '--ruff-child') ruffChild(process.argv[3], process.argv[4]);
else
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`bench: ${error instanceof BenchError ? error.message : error.stack || error}\n`);
      process.exitCode = 2;
    },
  );
