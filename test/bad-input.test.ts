/**
 * Issue 13, item 6: bad input gets a clear answer. Coding cookies CPython accepts are decoded (or named as
 * unsupported), lone-CR files parse, config size limits are said, a single-value flag given twice is a usage error,
 * and `--` ends the options.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tempRepo } from './helpers/cli';

const LOAD = 'import torch\nsd = torch.load("w.pt")\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n';
const DECLARED = { 'requirements.txt': 'torch>=2.4\n' };
const NO_VERSION_RULE = ['--rule', 'torch-vulnerable-version:off'];
const USAGE = "\n\nRun 'pylint-torch --help' for usage.\n";

type JsonResult = { filePath: string; messages: { ruleId: string | null; message: string; line: number; column: number }[] };
const messagesOf = (stdout: string, name: string) =>
  (JSON.parse(stdout) as JsonResult[]).find((r) => path.basename(r.filePath) === name)!.messages.map((m) => [m.ruleId ?? m.message, m.line, m.column]);

describe('repeated single-value flags', () => {
  test.each([
    [['-c', 'a.json', '-c', 'b.json'], '--config was given 2 times ("a.json", "b.json"); give it once'],
    [['--config', 'a.json', '-c', 'b.json'], '--config was given 2 times ("a.json", "b.json"); give it once'],
    [['-o', 'a.txt', '-o', 'b.txt'], '--output-file was given 2 times ("a.txt", "b.txt"); give it once'],
    [['-f', 'json', '-f', 'stylish'], '--format was given 2 times ("json", "stylish"); give it once'],
    [['--max-warnings', '1', '--max-warnings', '2'], '--max-warnings was given 2 times ("1", "2"); give it once'],
    [['-f', 'sarif', '--sarif-root', '.', '--sarif-root', '..'], '--sarif-root was given 2 times (".", ".."); give it once'],
    [['-f', 'sarif', '--sarif-category', 'a', '--sarif-category', 'b'], '--sarif-category was given 2 times ("a", "b"); give it once'],
    [['--stdin', '--stdin-filename', 'a.py', '--stdin-filename', 'b.py'], '--stdin-filename was given 2 times ("a.py", "b.py"); give it once'],
    [
      ['--report-unused-disable-directives-severity', 'warn', '--report-unused-disable-directives-severity', 'off'],
      '--report-unused-disable-directives-severity was given 2 times ("warn", "off"); give it once',
    ],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    expect(await cli(tempRepo({ 'a.py': LOAD }), ...argv)).toEqual({ code: 2, stdout: '', stderr: `pylint-torch: ${message}${USAGE}` });
  });

  test('repeatable flags stay repeatable', async () => {
    const { code } = await cli(
      tempRepo({ 'a.py': 'x = 1\n' }),
      '--rule',
      'torch-vulnerable-version:off',
      '--rule',
      'torch-load-missing-weights-only:warn',
      '--select',
      'torch-load-missing-weights-only',
      '--select',
      'torch-vulnerable-version',
    );
    expect(code).toBe(0);
  });
});

describe('`--` ends the options', () => {
  test('a path after it that starts with a dash is a path', async () => {
    const dir = tempRepo({ ...DECLARED, '-x.py': LOAD, 'ok.py': 'x = 1\n' });
    const { code, stdout } = await cli(dir, '-f', 'json', ...NO_VERSION_RULE, '--', '-x.py');
    expect((JSON.parse(stdout) as JsonResult[]).map((r) => path.basename(r.filePath))).toEqual(['-x.py']);
    expect(code).toBe(1);
  });

  test('paths before and after it are all linted, and nothing else', async () => {
    const dir = tempRepo({ ...DECLARED, '-x.py': LOAD, 'ok.py': 'x = 1\n', 'other.py': LOAD });
    const { stdout } = await cli(dir, 'ok.py', '-f', 'json', '--', '-x.py');
    expect((JSON.parse(stdout) as JsonResult[]).map((r) => path.basename(r.filePath))).toEqual(['-x.py', 'ok.py']);
  });

  test("alone it lints '.', as with no paths at all", async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': LOAD });
    expect(await cli(dir, '-f', 'json', '--')).toEqual(await cli(dir, '-f', 'json'));
  });

  test("after it '-' is a file named '-', not stdin, and '' is still refused", async () => {
    const dir = tempRepo({ 'a.py': 'x = 1\n' });
    expect(await cli(dir, '--', '-')).toEqual({ code: 2, stdout: '', stderr: 'pylint-torch: no such file or directory: -\n' });
    expect((await cli(dir, '--', '')).stderr).toBe('pylint-torch: an empty path names no file; name the files to lint\n');
  });
});

describe('source files', () => {
  test('a file with lone-CR line ends parses, reports true lines, and is fixed with CR line ends', async () => {
    const text = LOAD.replace(/\n/g, '\r');
    const dir = tempRepo({ ...DECLARED, 'a.py': text });
    expect(messagesOf((await cli(dir, '-f', 'json', ...NO_VERSION_RULE)).stdout, 'a.py')).toEqual([['torch-load-missing-weights-only', 2, 6]]);
    const dry = JSON.parse((await cli(dir, '--fix-dry-run', '-f', 'json', ...NO_VERSION_RULE)).stdout) as { output?: string }[];
    const fixed = text.replace('"w.pt")', '"w.pt", weights_only=True)');
    expect(dry[0].output).toBe(fixed);
    expect((await cli(dir, '--fix', ...NO_VERSION_RULE)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe(fixed);
    expect((await cli(dir, '--fix', ...NO_VERSION_RULE)).stdout).toBe('');
  });

  test('a file mixing lone CR, LF and CRLF: lines as Python counts them, fixed byte for byte', async () => {
    // Python's tokenizer ends a line at each of \r, \n and \r\n: the loads are on lines 3 and 5 (ast agrees)
    const text =
      'import torch\r# one\r\nsd = torch.load("w.pt")\rtorch.nn.Linear(2, 2).load_state_dict(sd)\nsd2 = torch.load("x.pt")\r\ntorch.nn.Linear(2, 2).load_state_dict(sd2)\r';
    const dir = tempRepo({ ...DECLARED, 'a.py': text });
    expect(messagesOf((await cli(dir, '-f', 'json', ...NO_VERSION_RULE)).stdout, 'a.py')).toEqual([
      ['torch-load-missing-weights-only', 3, 6],
      ['torch-load-missing-weights-only', 5, 7],
    ]);
    expect((await cli(dir, '--fix', ...NO_VERSION_RULE)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'a.py'))).toEqual(Buffer.from(text.replace(/("[wx]\.pt")\)/g, '$1, weights_only=True)')));
    expect((await cli(dir, '--fix', ...NO_VERSION_RULE)).stdout).toBe('');
  });

  test('a cp437 file is linted and fixed in cp437', async () => {
    const bytes = Buffer.concat([Buffer.from('# -*- coding: cp437 -*-\n# caf'), Buffer.from([0x82]), Buffer.from(`\n${LOAD}`)]);
    const dir = tempRepo({ ...DECLARED, 'a.py': bytes });
    expect((await cli(dir, '--fix', ...NO_VERSION_RULE)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'a.py'))).toEqual(Buffer.from(bytes.toString('latin1').replace('"w.pt")', '"w.pt", weights_only=True)'), 'latin1'));
  });

  test('a codec pylint-torch cannot decode is a file-level error naming it (exit 1), not a silent pass', async () => {
    const dir = tempRepo({ 'a.py': '# coding: utf-7\nx = 1\n' });
    const { code, stdout } = await cli(dir, '-f', 'json');
    expect(messagesOf(stdout, 'a.py')).toEqual([
      [
        'The encoding "utf-7" declared in the coding comment (PEP 263) is unknown or not supported by pylint-torch (it decodes UTF-8, ASCII, Latin-1, ISO 8859, Windows code pages, cp437, cp850, cp866, KOI8, Mac Roman and the common CJK codecs); this file was not checked.',
        1,
        1,
      ],
    ]);
    expect(code).toBe(1);
  });
});

describe('config limits', () => {
  const configError = (dir: string, detail: string) => ({ code: 2, stdout: '', stderr: `pylint-torch: ${path.join(dir, '.pylintrc-ts.json')}: ${detail}\n` });

  test('an ignorePatterns entry over 4096 characters is a config error, quickly', async () => {
    const dir = tempRepo({ 'a.py': 'x = 1\n', '.pylintrc-ts.json': JSON.stringify({ ignorePatterns: ['build/', 'a'.repeat(300_000)] }) });
    const started = Date.now();
    expect(await cli(dir)).toEqual(configError(dir, `ignorePatterns: entry 2: "${'a'.repeat(40)}"… is 300000 characters long; the limit is 4096`));
    expect(Date.now() - started).toBeLessThan(5000);
    fs.writeFileSync(path.join(dir, '.pylintrc-ts.json'), JSON.stringify({ ignorePatterns: ['a'.repeat(4096)] }));
    expect((await cli(dir)).code).toBe(0);
  });

  test('a perFileIgnores glob over 4096 characters is a config error', async () => {
    const dir = tempRepo({ 'a.py': 'x = 1\n', '.pylintrc-ts.json': JSON.stringify({ perFileIgnores: { ['b'.repeat(5000)]: ['torch-vulnerable-version'] } }) });
    expect(await cli(dir)).toEqual(configError(dir, `perFileIgnores: glob "${'b'.repeat(40)}"… is 5000 characters long; the limit is 4096`));
  });

  test('a config file over 1 MiB is a config error', async () => {
    const dir = tempRepo({ 'a.py': 'x = 1\n', '.pylintrc-ts.json': `{${' '.repeat(1024 * 1024)}}` });
    expect(await cli(dir)).toEqual(configError(dir, 'cannot read config: larger than 1048576 bytes (1 MiB), the limit for a config file'));
  });

  test('deeply nested JSON and TOML are config errors, not internal errors', async () => {
    const dir = tempRepo({ 'a.py': 'x = 1\n', '.pylintrc-ts.json': `{"rules": ${'['.repeat(50_000)}${']'.repeat(50_000)}}` });
    expect(await cli(dir)).toEqual(configError(dir, 'rules: expected an object of rule id → severity'));
    const toml = tempRepo({ 'a.py': 'x = 1\n', 'pyproject.toml': `[tool.pylint-torch]\nrules = ${'['.repeat(50_000)}${']'.repeat(50_000)}\n` });
    const { code, stderr } = await cli(toml);
    expect(code).toBe(2);
    expect(stderr).toMatch(/pyproject\.toml: cannot read config: invalid TOML: .*nested.* at line 2 column \d+\n$/);
  });
});

describe('inspect', () => {
  test('a single-value flag given twice is a usage error, and files after `--` are inspected', async () => {
    const dir = tempRepo({ '-w.pt': Buffer.from('not a checkpoint') });
    expect(await cli(dir, 'inspect', '-f', 'json', '-f', 'sarif', 'x.pt')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pylint-torch: --format was given 2 times ("json", "sarif"); give it once\n',
    });
    const { stdout } = await cli(dir, 'inspect', '-f', 'json', '--', '-w.pt');
    expect((JSON.parse(stdout) as { filePath: string }[]).map((r) => path.basename(r.filePath))).toEqual(['-w.pt']);
    expect((await cli(dir, 'inspect')).stderr).toBe(
      "pylint-torch: name the checkpoint files or folders to inspect\n\nRun 'pylint-torch inspect --help' for usage.\n",
    );
  });
});
