/**
 * scripts/bench.js (`npm run bench`): its options, its tables and how it reports a failed run. Only on small temporary
 * folders and without the corpus (`--no-corpus`): the benchmark is never a test dependency, and no timing is asserted.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDist } from './helpers/build';
import { tempRepo } from './helpers/cli';

const script = path.join(__dirname, '..', 'scripts', 'bench.js');

function bench(...args: string[]) {
  const child = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** The table under the `## ` heading that starts with `heading`: its header cells and its rows' cells. */
function tableUnder(stdout: string, heading: string): { header: string[]; rows: string[][] } {
  const sections = stdout.split(/^## /m);
  const section = sections.find((s) => s.startsWith(heading));
  if (!section) throw new Error(`no section ${heading} in:\n${stdout}`);
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  expect(lines[1]).toMatch(/^\|(:?-+:?\|)+$/);
  return { header: cells(lines[0]), rows: lines.slice(2).map(cells) };
}

const TOOL_HEADER = ['tool', 'files', 'MB', 'wall s', 'CPU s', 'peak RSS MB', 'files/s', 'MB/s', 'vs pylint-torch', 'findings', 'result'];
const number = /^\d+(\.\d+)?$/;

let repo: string;
beforeAll(() => {
  buildDist();
  repo = tempRepo({
    'train.py': 'import torch\n\n\ndef restore(path):\n    return torch.load(path)\n',
    'pkg/util.py': 'def add(a, b):\n    return a + b\n',
  });
}, 120_000);

test('--help describes the options and exits 0', () => {
  const { code, stdout } = bench('--help');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: npm run bench -- \[options\] \[folders\.\.\]/);
  for (const option of ['--copies <list>', '--only <tools>', '--skip <tools>', '--no-corpus', '--precommit <n>', '--no-gnu-time', '--json <file>'])
    expect(stdout).toContain(`  ${option}`);
});

test.each([
  [['--copies', '0'], 'bench: --copies takes a whole number above 0, got "0"'],
  [['--copies', '1,x'], 'bench: --copies takes a whole number above 0, got "x"'],
  [['--only', 'pylint-torch,flake8'], 'bench: --only: unknown tool flake8 (known: pylint-torch, pylint-torch-j1, ruff, bandit, rg)'],
  [['--only', 'rg', '--skip', 'rg'], 'bench: --only and --skip leave no tool to run'],
  [['--timeout', 'soon'], 'bench: --timeout takes a whole number above 0, got "soon"'],
  [['--precommit', '2.5'], 'bench: --precommit takes a whole number, got "2.5"'],
  [['--no-corpus', path.join(__dirname, 'no-such-folder')], `bench: not a folder: ${path.join(__dirname, 'no-such-folder')}`],
])('usage error %j exits 2 with a message', (args, message) => {
  const { code, stdout, stderr } = bench(...args);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.split('\n')[0]).toBe(message);
});

test('a folder with --only pylint-torch gives one row: its files, its findings, its exit code', () => {
  const json = path.join(repo, '..', `${path.basename(repo)}-bench.json`);
  try {
    const { code, stdout } = bench('--no-corpus', '--only', 'pylint-torch', '--precommit', '0', '--json', json, repo);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# pylint-torch benchmark\n/);
    const { header, rows } = tableUnder(stdout, `${path.basename(repo)}: ${repo}`);
    expect(header).toEqual(TOOL_HEADER);
    expect(rows).toHaveLength(1);
    const [tool, files, mb, wall, cpu, rss, , , vs, findings, result] = rows[0];
    expect([tool, files, mb, vs, findings, result]).toEqual(['pylint-torch', '2', '0.00', '1.00', '1', 'ok (exit 1)']);
    for (const value of [wall, cpu, rss]) expect(value).toMatch(number);
    expect(stdout).not.toContain('pre-commit-style');
    // a cold --cache run and a warm one (the cache in the benchmark's own temp folder, never in the target)
    const cache = tableUnder(stdout, 'pylint-torch --cache');
    expect(cache.header).toEqual(['target', 'cold wall s', 'cold CPU s', 'warm wall s', 'warm CPU s', 'warm CPU vs cold', 'same report', 'result']);
    expect(cache.rows.map((r) => [r[0], r[6], r[7]])).toEqual([[path.basename(repo), 'yes', 'ok (exit 1)']]);
    expect(fs.readdirSync(repo).sort()).toEqual(['pkg', 'train.py']);
    const report = JSON.parse(fs.readFileSync(json, 'utf8'));
    expect(report.cache).toMatchObject([{ target: path.basename(repo), sameReport: true, cold: { code: 1 }, warm: { code: 1 } }]);
    expect(report.targets).toHaveLength(1);
    expect(report.targets[0]).toMatchObject({ dir: repo, files: 2, runs: { 'pylint-torch': { code: 1, failed: false, files: 2, findings: 1 } } });
  } finally {
    fs.rmSync(json, { force: true });
  }
});

test('without GNU time, CPU and RSS of node tools come from process.resourceUsage()', () => {
  const { code, stdout } = bench('--no-corpus', '--only', 'pylint-torch', '--precommit', '0', '--no-gnu-time', repo);
  expect(code).toBe(0);
  expect(stdout).toContain('CPU and RSS by process.resourceUsage() (node tools only)');
  const [row] = tableUnder(stdout, path.basename(repo)).rows;
  expect(row[4]).toMatch(number);
  expect(row[5]).toMatch(number);
});

test('the pre-commit-style run names its files, those mentioning torch first, beside node startup', () => {
  const { code, stdout } = bench('--no-corpus', '--only', 'pylint-torch', '--precommit', '1', repo);
  expect(code).toBe(0);
  const { header, rows } = tableUnder(stdout, 'pre-commit-style runs (1 named file;');
  expect(header).toEqual(['run', 'files', 'wall s', 'CPU s', 'CPU s beyond startup', 'peak RSS MB', 'findings', 'result']);
  expect(rows.map((r) => [r[0], r[1], r[6], r[7]])).toEqual([
    ['startup', '-', '-', 'ok (exit 0)'],
    [path.basename(repo), '1', '1', 'ok (exit 1)'],
    [`${path.basename(repo)} (cache: cold, other files)`, '1', '1', 'ok (exit 1)'],
    [`${path.basename(repo)} (cache: warm)`, '1', '1', 'ok (exit 1)'],
  ]);
  expect(stdout).toContain(`\n- ${path.basename(repo)}: train.py\n`);
  expect(stdout).toContain(`\n- ${path.basename(repo)} (cache: warm): train.py\n`);
});

test('a run that fails is a row with its exit code and last stderr line, and the benchmark exits 1', () => {
  const broken = tempRepo({ 'a.py': 'import torch\n', '.pylintrc-ts.json': '{"rules": ' });
  const { code, stdout } = bench('--no-corpus', '--only', 'pylint-torch', '--precommit', '0', broken);
  expect(code).toBe(1);
  const { rows } = tableUnder(stdout, path.basename(broken));
  expect(rows).toHaveLength(1);
  expect(rows[0].slice(6)).toEqual(['n/a', 'n/a', 'n/a', 'n/a', 'FAILED exit 2']);
  expect(stdout).toContain(
    `\n- pylint-torch: FAILED exit 2: pylint-torch: ${path.join(broken, '.pylintrc-ts.json')}: cannot read config: invalid JSON: Unexpected end of JSON input\n`,
  );
});
