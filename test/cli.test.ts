import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run as runCli } from '../src/cli/cli';
import { cli, cliWithStdin, tempRepo } from './helpers/cli';
import { pythonCompileErrors } from './helpers/python';
import { sarifSchemaErrors } from './helpers/sarif';
import { fixture } from './helpers/fixtures';

/** A declared torch range whose lowest release has the keyword and every weights_only opcode: safe fixes may exist. */
const DECLARED = { 'requirements.txt': 'torch>=2.4\n' };
const STATE_DICT = 'import torch\nsd = torch.load("w.pt")\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n';
const WHOLE_MODEL = 'import torch\nmodel = torch.load("m.pt")\nmodel.eval()\n';
const SAVE_MODEL = 'import torch\nfrom torch import nn\nnet = nn.Linear(2, 2)\ntorch.save(net, "n.pt")\n';

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
/**
 * Puts a code-running checkpoint at `m.pt` in `dir`: evidence that makes WHOLE_MODEL's fix an unsafe one (torch then
 * refuses the file instead of running it). Runs pass NO_CHECKPOINT_RULE to keep the rule's own findings out of the way.
 */
const withDangerousCheckpoint = (dir: string) => {
  fs.copyFileSync(fixture('malicious_os_system.pt'), path.join(dir, 'm.pt'));
  return dir;
};
const NO_CHECKPOINT_RULE = ['--rule', 'checkpoint-unsafe-globals:off'];
// DECLARED's torch>=2.4 is itself a finding of torch-vulnerable-version (its own tests check it)
const NO_VERSION_RULE = ['--rule', 'torch-vulnerable-version:off'];

describe('exit codes', () => {
  test("an empty path ('') is a usage error, not a lint of '.'", async () => {
    const { code, stdout, stderr } = await cli(tempRepo({ 'a.py': STATE_DICT }), '');
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pylint-torch: an empty path names no file; name the files to lint\n',
    });
  });

  test('0 for a clean repository, with a warning when there is no Python file', async () => {
    expect(await cli(tempRepo({ 'a.py': 'import torch\ntorch.load(p, weights_only=True)\n' }))).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await cli(tempRepo({ 'README.md': '# hi\n' }))).toEqual({
      code: 0,
      stdout: '',
      stderr: 'pylint-torch: warning: no Python files to lint under . (after skipping ignored files)\n',
    });
  });

  test('1 when an error is found', async () => {
    expect((await cli(tempRepo({ ...DECLARED, 'a.py': STATE_DICT }))).code).toBe(1);
  });

  test('warnings alone exit 0, or 1 beyond --max-warnings', async () => {
    const dir = tempRepo({ 'a.py': SAVE_MODEL });
    expect((await cli(dir)).code).toBe(0);
    expect((await cli(dir, '--max-warnings', '1')).code).toBe(0);
    const over = await cli(dir, '--max-warnings', '0');
    expect(over.code).toBe(1);
    expect(over.stderr).toBe('pylint-torch found too many warnings (maximum: 0).\n');
  });

  test('--quiet reports errors only', async () => {
    const dir = tempRepo({ 'a.py': `${SAVE_MODEL}torch.load("x.pt")\n` });
    const { stdout } = await cli(dir, '--quiet', '-f', 'json');
    expect(JSON.parse(stdout)[0].messages.map((m: { ruleId: string }) => m.ruleId)).toEqual(['torch-load-missing-weights-only']);
    expect((await cli(tempRepo({ 'a.py': SAVE_MODEL }), '--quiet', '--max-warnings', '0')).code).toBe(0);
  });

  test.each([
    [['--bogus'], 'Unknown argument: bogus'],
    [['--bogus-flag'], 'Unknown argument: bogus-flag\n'],
    [['--format', 'xml'], 'Invalid values'],
    [['--max-warnings', 'many'], '--max-warnings must be a whole number (or -1 for no limit), got "many"'],
    [['--max-warnings', '1.5'], 'got "1.5"'],
    [['-o', 'a.py/report.json'], 'cannot write --output-file a.py/report.json: a folder on its path is a file'],
    [['--fix', '--fix-dry-run'], '--fix and --fix-dry-run cannot be used together'],
    [['--diff', '--fix'], '--diff shows what --fix would write without writing: use it without --fix, --fix-only and --fix-dry-run'],
    [['--fix-only', '--fix-dry-run'], '--fix-only and --fix-dry-run cannot be used together'],
    [['--sarif-fixes'], '--sarif-fixes needs --format sarif'],
    [['missing-dir'], 'no such file or directory: missing-dir'],
  ])('2 for bad usage: %j', async (argv, message) => {
    const { code, stdout, stderr } = await cli(tempRepo({ ...DECLARED, 'a.py': STATE_DICT }), ...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('    at ');
  });

  test('--rule is repeatable and does not swallow the paths after it', async () => {
    const dir = tempRepo({ 'a.py': `${SAVE_MODEL}torch.load(p, pickle_module=m)\n`, 'b.py': STATE_DICT });
    const { code, stdout } = await cli(dir, '-f', 'json', '--rule', 'torch-save-full-model:off', '--rule', 'torch-load-pickle-module:warn', 'a.py');
    expect(code).toBe(0);
    expect(
      JSON.parse(stdout).map((r: { filePath: string; messages: { ruleId: string; severity: number }[] }) => [
        path.basename(r.filePath),
        r.messages.map((m) => [m.ruleId, m.severity]),
      ]),
    ).toEqual([['a.py', [['torch-load-pickle-module', 1]]]]);
  });

  test('--help and --version exit 0', async () => {
    expect((await cli(tempRepo({}), '-h')).code).toBe(0);
    const help = await cli(tempRepo({}), '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--unsafe-fixes');
    const version = await cli(tempRepo({}), '--version');
    expect(version).toEqual({ code: 0, stdout: `${JSON.parse(read(path.resolve(__dirname, '..'), 'package.json')).version}\n`, stderr: '' });
  });
});

describe('stdin', () => {
  const LOAD = 'import torch\nm = torch.load("m.pt")\n';
  const FIXED = 'import torch\nm = torch.load("m.pt", weights_only=True)\n';
  const UNTRUSTED = 'import sys\nimport torch\nm = torch.load(sys.argv[1], weights_only=False)\n';
  const ids = (stdout: string) =>
    JSON.parse(stdout).map((r: { filePath: string; messages: { ruleId: string }[] }) => [r.filePath, r.messages.map((m) => m.ruleId)]);

  test("'-' and --stdin lint the text from stdin as <stdin> in the working folder, with its project's torch", async () => {
    const dir = tempRepo({ 'requirements.txt': 'torch>=2.10\n', 'a.py': WHOLE_MODEL });
    for (const flag of ['-', '--stdin']) {
      const { code, stdout, stderr } = await cliWithStdin(dir, LOAD, '-f', 'json', flag);
      expect({ code, files: ids(stdout), stderr }).toEqual({
        code: 0, // on torch >= 2.10 the missing keyword is a warning
        files: [[path.join(dir, '<stdin>'), ['torch-load-missing-weights-only']]],
        stderr: '',
      });
      expect(JSON.parse(stdout)[0].messages[0].message).toContain('requirements.txt: torch>=2.10');
    }
    // exit codes as for files: an error exits 1
    expect((await cliWithStdin(dir, UNTRUSTED, '-')).code).toBe(1);
  });

  test('--fix prints the fixed text on stdout and the report on stderr; the file named is not written', async () => {
    const dir = tempRepo({ 'requirements.txt': 'torch>=2.10\n', 'x.py': 'x = 1\n' });
    const fixed = await cliWithStdin(dir, LOAD, '--fix', '--stdin', '--stdin-filename', 'x.py');
    expect(fixed).toEqual({ code: 0, stdout: FIXED, stderr: '\nFixed 1 problem in 1 file.\n' });
    expect(read(dir, 'x.py')).toBe('x = 1\n');
    // nothing to fix: the text comes back byte for byte, with what is left reported on stderr
    const latin1 = Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nname = "'), Buffer.from([0xe9]), Buffer.from('"\n')]);
    let out: Buffer | undefined;
    const code = await runCli(['--fix', '-'], {
      cwd: dir,
      color: false,
      stdout: (t) => (out = Buffer.from(t)),
      stderr: () => undefined,
      readStdin: async () => latin1,
    });
    expect([code, out]).toEqual([0, latin1]);
    const left = await cliWithStdin(dir, UNTRUSTED, '--fix', '-f', 'json', '-');
    expect(left.code).toBe(1);
    expect(left.stdout).toBe(UNTRUSTED);
    expect(ids(left.stderr)).toEqual([[path.join(dir, '<stdin>'), ['torch-load-weights-only-false']]]);
  });

  test('--stdin-filename picks the config (rules, ignorePatterns) and names the result; --diff shows the fix', async () => {
    const dir = tempRepo({
      'requirements.txt': 'torch>=2.10\n',
      'sub/.pylintrc-ts.json': JSON.stringify({ rules: { 'torch-load-missing-weights-only': 'off' }, ignorePatterns: ['gen/'] }),
    });
    const off = await cliWithStdin(dir, LOAD, '-f', 'json', '--stdin', '--stdin-filename', 'sub/m.py');
    expect(ids(off.stdout)).toEqual([[path.join(dir, 'sub', 'm.py'), []]]);
    const ignored = await cliWithStdin(dir, LOAD, '--fix', '--stdin', '--stdin-filename', 'sub/gen/m.py');
    expect(ignored).toEqual({
      code: 0,
      stdout: LOAD, // an editor piping through --fix gets its text back
      stderr: 'pylint-torch: warning: sub/gen/m.py is ignored by ignorePatterns in the config; not linted\n',
    });
    const diff = await cliWithStdin(dir, LOAD, '--diff', '--stdin', '--stdin-filename', 'm.py');
    expect([diff.code, diff.stdout]).toEqual([
      1,
      '--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n import torch\n-m = torch.load("m.pt")\n+m = torch.load("m.pt", weights_only=True)\n',
    ]);
  });

  test('a Dockerfile named by --stdin-filename is checked as one', async () => {
    const dir = tempRepo({});
    const { code, stdout } = await cliWithStdin(
      dir,
      'FROM python\nENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n',
      '-f',
      'json',
      '--stdin',
      '--stdin-filename',
      'Dockerfile',
    );
    expect(ids(stdout)).toEqual([[path.join(dir, 'Dockerfile'), ['torch-weights-only-override']]]);
    expect(code).toBe(1);
  });

  test.each([
    [['-', 'a.py'], "stdin ('-' or --stdin) is linted alone: do not name paths too (got a.py); --stdin-filename says where the text lives"],
    [['--stdin', '.'], 'is linted alone: do not name paths too (got .)'],
    [['--stdin-filename', 'a.py'], "--stdin-filename names the text read from stdin: add --stdin (or '-')"],
    [['--stdin', '--stdin-filename', ''], '--stdin-filename is empty'],
  ])('usage errors: %j', async (argv, message) => {
    const { code, stdout, stderr } = await cliWithStdin(tempRepo({ 'a.py': 'x = 1\n' }), LOAD, ...argv);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain(message);
  });
});

describe('files that are not regular files', () => {
  test('a FIFO named like Python or a checkpoint does not block the run', async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT });
    execFileSync('mkfifo', [path.join(dir, 'pipe.py'), path.join(dir, 'pipe.pt')]);
    const { code, stdout } = await cli(dir, '-f', 'json');
    const byFile = Object.fromEntries(
      JSON.parse(stdout).map((r: { filePath: string; messages: { message: string }[] }) => [path.basename(r.filePath), r.messages.map((m) => m.message)]),
    );
    expect(byFile['pipe.py']).toEqual(['Not a regular file (a FIFO, socket or device): not read.']);
    expect(byFile['pipe.pt']).toEqual(['Not a regular file (a FIFO, socket or device): not read.']);
    expect(code).toBe(1);
    const inspected = await cli(dir, 'inspect', 'pipe.pt', '-f', 'json');
    expect(JSON.parse(inspected.stdout)[0].messages).toEqual(['not a regular file (a folder, FIFO, socket or device): not read']);
  });

  test('a FIFO named like the config file is a config error (exit 2), not a hang', async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT });
    execFileSync('mkfifo', [path.join(dir, '.pylintrc-ts.json')]);
    const { code, stderr } = await cli(dir);
    expect(code).toBe(2);
    expect(stderr).toContain('not a regular file');
    // no checkpoint files: nothing to judge, which is no pass (exit 2, as ESLint's "no files matching")
    expect(await cli(dir, 'inspect', '.')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'pylint-torch: warning: no checkpoint files (.pt, .pth, .ckpt, .bin, .pkl, .pickle, .tar, .safetensors) in .\n' +
        'pylint-torch: no checkpoint files to inspect\n',
    });
  });
});

describe('inspect: folders without checkpoint files', () => {
  test('a folder without any is named on stderr; the files found elsewhere are still judged (exit 0 when safe)', async () => {
    const dir = tempRepo({ 'docs/readme.md': '# hi\n', 'models/a.py': 'x = 1\n' });
    fs.copyFileSync(fixture('state_dict.pt'), path.join(dir, 'models', 'w.pt'));
    const { code, stdout, stderr } = await cli(dir, 'inspect', '-f', 'json', 'docs', 'models');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).map((i: { filePath: string; verdict: string }) => [path.relative(dir, i.filePath), i.verdict])).toEqual([
      ['models/w.pt', 'safe'],
    ]);
    expect(stderr).toBe('pylint-torch: warning: no checkpoint files (.pt, .pth, .ckpt, .bin, .pkl, .pickle, .tar, .safetensors) in docs\n');
  });
});

describe('formats', () => {
  test('stylish groups by file and summarises', async () => {
    const dir = withDangerousCheckpoint(tempRepo({ ...DECLARED, 'a.py': `${STATE_DICT}${WHOLE_MODEL.replace('import torch\n', '')}` }));
    const { stdout } = await cli(dir, ...NO_CHECKPOINT_RULE);
    expect(stdout).toBe(
      [
        '',
        `${dir}/a.py`,
        '  2:6  error  `torch.load()` without `weights_only`: torch before 2.6 unpickles arbitrary objects here (code execution on a malicious file), torch 2.6+ rejects them (requirements.txt: torch>=2.4). Pass `weights_only=True`  torch-load-missing-weights-only',
        '  4:9  error  `torch.load()` without `weights_only`: torch before 2.6 unpickles arbitrary objects here (code execution on a malicious file), torch 2.6+ rejects them (requirements.txt: torch>=2.4). Pass `weights_only=True`  torch-load-missing-weights-only',
        '',
        `${dir}/requirements.txt`,
        '  1:1  warning  `torch>=2.4` allows torch releases where `torch.load(..., weights_only=True)` of a malicious file can still run code: CVE-2025-32434 (GHSA-53q9-r3pm-6pq6, torch <=2.5.1) and CVE-2026-24747 (GHSA-63cw-57p8-fm3p, torch <=2.9.1). Require torch>=2.10  torch-vulnerable-version',
        '',
        '\u2716 3 problems (2 errors, 1 warning)',
        '  1 error and 0 warnings potentially fixable with the `--fix` option.',
        '  1 more fix available with `--fix --unsafe-fixes`.',
        '',
      ].join('\n'),
    );
  });

  test('stylish: a file-level problem (no rule id) ends its line without trailing spaces', async () => {
    const dir = tempRepo({ 'a.py': 'import torch\nif True\n' });
    const { stdout } = await cli(dir);
    expect(stdout).toBe(
      [
        '',
        `${dir}/a.py`,
        '  2:1  error  Syntax error: cannot parse "if True"; rules ran on the rest of the file',
        '',
        '\u2716 1 problem (1 error, 0 warnings)',
        '',
      ].join('\n'),
    );
  });

  test("json has ESLint's shape", async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT, 'b.py': WHOLE_MODEL });
    const results = JSON.parse((await cli(dir, '-f', 'json', ...NO_VERSION_RULE)).stdout);
    expect(results).toEqual([
      {
        filePath: `${dir}/a.py`,
        messages: [
          {
            ruleId: 'torch-load-missing-weights-only',
            messageId: 'missing',
            severity: 2,
            message: expect.stringContaining('without `weights_only`'),
            line: 2,
            column: 6,
            endLine: 2,
            endColumn: 24,
            fix: { range: [35, 35], text: ', weights_only=True', safety: 'safe' },
          },
        ],
        errorCount: 1,
        warningCount: 0,
        fixableErrorCount: 1,
        fixableWarningCount: 0,
        fatalErrorCount: 0,
      },
      {
        filePath: `${dir}/b.py`,
        messages: [
          expect.objectContaining({
            line: 2,
            column: 9,
            suggestions: [
              {
                messageId: 'addWeightsOnly',
                desc: 'Pass `weights_only=True` (a suggestion, never applied by --fix: nothing shows what the file holds — no checkpoint file at this path in the repository, and the result is not used as a state dict — and a file that pickles objects would stop loading).',
                fix: { range: [38, 38], text: ', weights_only=True', safety: 'unsafe' },
              },
            ],
          }),
        ],
        errorCount: 1,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
        fatalErrorCount: 0,
      },
      // a declaration file is linted (by torch-vulnerable-version, off here) like any other file
      {
        filePath: `${dir}/requirements.txt`,
        messages: [],
        errorCount: 0,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
        fatalErrorCount: 0,
      },
    ]);
    expect(results[1].messages[0].fix).toBeUndefined();
  });

  test('sarif validates against the SARIF 2.1.0 schema and carries rule metadata', async () => {
    const dir = tempRepo({ ...DECLARED, 'src/a b.py': STATE_DICT, 'c.py': SAVE_MODEL, 'bad.py': 'import torch\ndef f(:\n' });
    const { stdout, code } = await cli(dir, '-f', 'sarif', ...NO_VERSION_RULE);
    expect(code).toBe(1);
    const log = JSON.parse(stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);

    const run = log.runs[0];
    expect(run.columnKind).toBe('utf16CodeUnits');
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${dir}/`);
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([
      'torch-load-missing-weights-only',
      'torch-load-missing-weights-only/compatibility',
      'torch-load-weights-only-false',
      'torch-save-full-model',
      'torch-load-pickle-module',
      'torch-weights-only-override',
      'torch-unsafe-safe-globals',
      'pickle-load-untrusted',
      'torch-hub-load-untrusted',
      'checkpoint-unsafe-globals',
      'checkpoint-unsafe-globals/compatibility',
      'torch-vulnerable-version',
      'torch-vulnerable-version/compatibility',
    ]);
    const rule = run.tool.driver.rules[0];
    expect(rule.properties).toEqual({ tags: ['security', 'external/cwe/cwe-502'], precision: 'high', 'security-severity': '7.8' });
    expect(rule.help.markdown).toContain('## Fix safety');
    expect(
      run.results.map(
        (r: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: object } }[] }) => [
          r.ruleId,
          r.ruleIndex,
          r.level,
          r.locations[0].physicalLocation.artifactLocation.uri,
          r.locations[0].physicalLocation.region,
        ],
      ),
    ).toEqual([
      ['torch-save-full-model', 3, 'warning', 'c.py', { startLine: 4, startColumn: 12, endLine: 4, endColumn: 15 }],
      ['torch-load-missing-weights-only', 0, 'error', 'src/a%20b.py', { startLine: 2, startColumn: 6, endLine: 2, endColumn: 24 }],
    ]);
    expect(run.results[0].partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:1$/);
    expect(run.invocations[0].toolExecutionNotifications).toEqual([
      {
        level: 'error',
        message: { text: expect.stringContaining('Syntax error') },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'bad.py', uriBaseId: '%SRCROOT%' },
              region: { startLine: 2, startColumn: 7, endLine: 2, endColumn: 7 },
            },
          },
        ],
      },
    ]);
  });

  test('sarif and json point at the untrusted source of a finding as relatedLocations', async () => {
    const code = 'import sys\nimport torch\n\npath = sys.argv[1]\nmodel = torch.load(path, weights_only=False)\n';
    const dir = tempRepo({ 'load.py': code });
    const log = JSON.parse((await cli(dir, '-f', 'sarif')).stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const [result] = log.runs[0].results;
    expect([result.ruleId, result.level, result.locations[0].physicalLocation.region.startLine]).toEqual(['torch-load-weights-only-false', 'error', 5]);
    expect(result.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: 'load.py', uriBaseId: '%SRCROOT%' },
          region: { startLine: 4, startColumn: 8, endLine: 4, endColumn: 16 },
        },
        message: { text: 'untrusted source: the command line (sys.argv)' },
      },
    ]);
    const [json] = JSON.parse((await cli(dir, '-f', 'json')).stdout);
    expect(json.messages[0].relatedLocations).toEqual([
      { message: 'untrusted source: the command line (sys.argv)', line: 4, column: 8, endLine: 4, endColumn: 16 },
    ]);
    // a finding without a source has none
    const plain = JSON.parse((await cli(tempRepo({ 'a.py': 'import torch\ntorch.load("a.pt", weights_only=False)\n' }), '-f', 'sarif')).stdout);
    expect(plain.runs[0].results[0].relatedLocations).toBeUndefined();
  });

  test('--output-file writes the report instead of stdout', async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT });
    const { code, stdout } = await cli(dir, '-f', 'json', '-o', 'report.json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(JSON.parse(read(dir, 'report.json'))[0].errorCount).toBe(1);
    // missing folders are made, as ESLint does; a file where a folder should be is an error
    const nested = await cli(dir, '-f', 'json', '-o', 'reports/lint/report.json');
    expect([nested.code, nested.stdout, JSON.parse(read(dir, 'reports/lint/report.json'))[0].errorCount]).toEqual([1, '', 1]);
    const blocked = await cli(dir, '-o', 'report.json/inner/report.txt');
    expect(blocked).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pylint-torch: cannot write --output-file report.json/inner/report.txt: a folder on its path is a file\n',
    });
  });
});

describe('--format json fix safety', () => {
  test('an unsafe fix says so under --unsafe-fixes, and as a suggestion without it', async () => {
    const dir = tempRepo({ 'a.py': STATE_DICT }); // no torch bound declared: the fix is unsafe
    const shown = JSON.parse((await cli(dir, '-f', 'json', '--unsafe-fixes')).stdout)[0].messages[0];
    expect(shown.fix.safety).toBe('unsafe');
    const held = JSON.parse((await cli(dir, '-f', 'json')).stdout)[0].messages[0];
    expect([held.fix, held.suggestions.map((s: { fix: { safety: string } }) => s.fix.safety)]).toEqual([undefined, ['unsafe']]);
  });
});

describe('--fix', () => {
  test('applies safe fixes only, and a second run changes nothing', async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT, 'b.py': WHOLE_MODEL });
    const first = await cli(dir, '--fix');
    expect(read(dir, 'a.py')).toBe('import torch\nsd = torch.load("w.pt", weights_only=True)\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n');
    expect(read(dir, 'b.py')).toBe(WHOLE_MODEL);
    expect(first.code).toBe(1); // b.py still has an error
    expect(first.stdout).toContain('Fixed 1 problem in 1 file.');
    const second = await cli(dir, '--fix');
    expect(second.stdout).not.toContain('Fixed');
    expect(read(dir, 'a.py')).toBe('import torch\nsd = torch.load("w.pt", weights_only=True)\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n');
  });

  test('--unsafe-fixes applies unsafe fixes too', async () => {
    const dir = withDangerousCheckpoint(tempRepo({ 'b.py': WHOLE_MODEL }));
    expect((await cli(dir, '--fix', ...NO_CHECKPOINT_RULE)).code).toBe(1);
    expect(read(dir, 'b.py')).toBe(WHOLE_MODEL);
    expect((await cli(dir, '--fix', '--unsafe-fixes', ...NO_CHECKPOINT_RULE)).code).toBe(0);
    expect(read(dir, 'b.py')).toBe('import torch\nmodel = torch.load("m.pt", weights_only=True)\nmodel.eval()\n');
  });

  test('--fix-dry-run writes nothing and reports the output', async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT });
    const { stdout } = await cli(dir, '--fix-dry-run', '-f', 'json', ...NO_VERSION_RULE);
    expect(read(dir, 'a.py')).toBe(STATE_DICT);
    const [result] = JSON.parse(stdout);
    expect(result.output).toBe('import torch\nsd = torch.load("w.pt", weights_only=True)\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n');
    expect(result.messages).toEqual([]);
    expect((await cli(dir, '--fix-dry-run', ...NO_VERSION_RULE)).stdout).toBe(
      [
        '',
        `${dir}/a.py (--fix-dry-run: would fix)`,
        '  2:6  `torch.load()` without `weights_only`: torch before 2.6 unpickles arbitrary objects here (code execution on a malicious file), torch 2.6+ rejects them (requirements.txt: torch>=2.4). Pass `weights_only=True`  torch-load-missing-weights-only',
        '',
        '--fix-dry-run: 1 fix would be applied to 1 file; nothing was written.',
        '',
      ].join('\n'),
    );
  });

  test('--diff prints a git-style diff of the safe fixes, writes nothing, exits 1; 0 and no output when nothing to fix', async () => {
    const dir = withDangerousCheckpoint(tempRepo({ ...DECLARED, 'a.py': STATE_DICT, 'b.py': WHOLE_MODEL }));
    const { code, stdout, stderr } = await cli(dir, '--diff', ...NO_CHECKPOINT_RULE);
    expect(stdout).toBe(
      [
        '--- a/a.py',
        '+++ b/a.py',
        '@@ -1,3 +1,3 @@',
        ' import torch',
        '-sd = torch.load("w.pt")',
        '+sd = torch.load("w.pt", weights_only=True)',
        ' torch.nn.Linear(2, 2).load_state_dict(sd)',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('pylint-torch: --diff: 1 fix in 1 file would be applied; nothing was written.\n');
    expect(code).toBe(1);
    expect([read(dir, 'a.py'), read(dir, 'b.py')]).toEqual([STATE_DICT, WHOLE_MODEL]);
    // with --unsafe-fixes the unsafe one is in the diff too; the diff applies with `git apply`
    const both = await cli(dir, '--diff', '--unsafe-fixes', ...NO_CHECKPOINT_RULE);
    expect(both.stdout).toContain('+++ b/b.py\n@@ -1,3 +1,3 @@\n import torch\n-model = torch.load("m.pt")\n+model = torch.load("m.pt", weights_only=True)\n');
    execFileSync('git', ['apply', '-p1'], { cwd: dir, input: both.stdout });
    expect(await cli(dir, '--diff', '--unsafe-fixes', ...NO_CHECKPOINT_RULE)).toEqual({
      code: 0,
      stdout: '',
      stderr: 'pylint-torch: --diff: 0 fixes in 0 files would be applied; nothing was written.\n',
    });
  });

  test('--diff of a file with a BOM and CRLF applies with git apply', async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': `\uFEFF${STATE_DICT.replace(/\n/g, '\r\n')}` });
    const { stdout } = await cli(dir, '--diff');
    execFileSync('git', ['apply', '-p1'], { cwd: dir, input: stdout });
    expect(read(dir, 'a.py')).toBe('\uFEFFimport torch\r\nsd = torch.load("w.pt", weights_only=True)\r\ntorch.nn.Linear(2, 2).load_state_dict(sd)\r\n');
  });

  test('--fix-only applies fixes and reports nothing else; --exit-non-zero-on-fix makes applying them exit 1', async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT, 'b.py': WHOLE_MODEL });
    const { code, stdout } = await cli(dir, '--fix-only');
    expect(stdout).toBe('\nFixed 1 problem in 1 file.\n');
    expect(code).toBe(0); // b.py's error is not reported
    expect(read(dir, 'a.py')).toBe('import torch\nsd = torch.load("w.pt", weights_only=True)\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n');
    const again = tempRepo({ ...DECLARED, 'a.py': STATE_DICT });
    expect((await cli(again, '--fix-only', '--exit-non-zero-on-fix')).code).toBe(1);
    expect((await cli(again, '--fix-only', '--exit-non-zero-on-fix')).code).toBe(0); // nothing left to fix
    expect((await cli(tempRepo({ ...DECLARED, 'a.py': STATE_DICT }), '--diff', '--exit-non-zero-on-fix')).code).toBe(1);
  });

  test('--show-fixes lists what was fixed per file (after stylish; on stderr for json)', async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT });
    const listing = [
      '',
      'Would fix 1 problem:',
      '- a.py:',
      '    2:6  torch-load-missing-weights-only  `torch.load()` without `weights_only`: torch before 2.6 unpickles arbitrary objects here (code execution on a malicious file), torch 2.6+ rejects them (requirements.txt: torch>=2.4). Pass `weights_only=True`',
      '',
    ].join('\n');
    const json = await cli(dir, '--fix-dry-run', '--show-fixes', '-f', 'json', ...NO_VERSION_RULE);
    expect(json.stderr).toBe(listing);
    expect(JSON.parse(json.stdout)[0].output).toBeDefined();
    const fixed = await cli(dir, '--fix', '--show-fixes', ...NO_VERSION_RULE);
    expect(fixed.stdout.endsWith(listing.replace('Would fix', 'Fixed'))).toBe(true);
    expect((await cli(dir, '--fix', '--show-fixes', ...NO_VERSION_RULE)).stdout).toBe('\nNo problems were fixed.\n');
  });

  test('--sarif-fixes adds the fix and suggestions as SARIF fixes (valid against the schema)', async () => {
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT, 'b.py': WHOLE_MODEL });
    const unsafe = JSON.parse(
      (await cli(withDangerousCheckpoint(tempRepo({ 'b.py': WHOLE_MODEL })), '-f', 'sarif', '--sarif-fixes', '--unsafe-fixes', ...NO_CHECKPOINT_RULE)).stdout,
    );
    expect(unsafe.runs[0].results[0].fixes[0].description.text).toBe('Fix applied by --fix --unsafe-fixes');
    const plain = JSON.parse((await cli(dir, '-f', 'sarif')).stdout);
    expect(plain.runs[0].results.every((r: { fixes?: unknown }) => r.fixes === undefined)).toBe(true);
    const log = JSON.parse((await cli(dir, '-f', 'sarif', '--sarif-fixes', ...NO_VERSION_RULE)).stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const offset = STATE_DICT.indexOf('")') + 1;
    expect(
      log.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; fixes: unknown[] }) => [
        r.locations[0].physicalLocation.artifactLocation.uri,
        r.fixes,
      ]),
    ).toEqual([
      [
        'a.py',
        [
          {
            description: { text: 'Fix applied by --fix' },
            artifactChanges: [
              {
                artifactLocation: { uri: 'a.py', uriBaseId: '%SRCROOT%' },
                replacements: [{ deletedRegion: { charOffset: offset, charLength: 0 }, insertedContent: { text: ', weights_only=True' } }],
              },
            ],
          },
        ],
      ],
      [
        'b.py',
        [
          {
            description: { text: expect.stringMatching(/^Pass `weights_only=True` \(a suggestion, never applied by --fix: /) },
            artifactChanges: [expect.objectContaining({ replacements: [expect.objectContaining({ insertedContent: { text: ', weights_only=True' } })] })],
          },
        ],
      ],
    ]);
  });

  test('a CRLF file with a BOM keeps both, and a non-ASCII line keeps columns right', async () => {
    const code = '\uFEFFimport torch\r\nname = "\u00fcber\u{1F525}"; sd = torch.load(\r\n    "w.pt",\r\n)\r\ntorch.nn.Linear(2, 2).load_state_dict(sd)\r\n';
    const dir = tempRepo({ ...DECLARED, 'a.py': code });
    const before = JSON.parse((await cli(dir, '-f', 'json')).stdout)[0].messages[0];
    expect([before.line, before.column]).toEqual([2, 23]);
    await cli(dir, '--fix');
    expect(read(dir, 'a.py')).toBe(
      '\uFEFFimport torch\r\nname = "\u00fcber\u{1F525}"; sd = torch.load(\r\n    "w.pt",\r\n    weights_only=True,\r\n)\r\ntorch.nn.Linear(2, 2).load_state_dict(sd)\r\n',
    );
  });

  test('keeps the file mode and writes through a symbolic link', async () => {
    const dir = tempRepo({ ...DECLARED, 'real.py': STATE_DICT });
    fs.chmodSync(path.join(dir, 'real.py'), 0o755);
    fs.symlinkSync(path.join(dir, 'real.py'), path.join(dir, 'link.py'));
    await cli(dir, '--fix', 'link.py');
    expect(fs.lstatSync(path.join(dir, 'link.py')).isSymbolicLink()).toBe(true);
    expect(read(dir, 'real.py')).toContain('weights_only=True');
    expect(fs.statSync(path.join(dir, 'real.py')).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(dir).sort()).toEqual(['link.py', 'real.py', 'requirements.txt']);
  });

  test('a latin-1 file is linted and fixed in its own encoding', async () => {
    const bytes = Buffer.concat([
      Buffer.from('# -*- coding: latin-1 -*-\nimport torch\n# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nsd = torch.load("w.pt")\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n'),
    ]);
    const dir = tempRepo({ ...DECLARED, 'l.py': bytes });
    await cli(dir, '--fix');
    expect(fs.readFileSync(path.join(dir, 'l.py'))).toEqual(Buffer.from(bytes.toString('latin1').replace('"w.pt")', '"w.pt", weights_only=True)'), 'latin1'));
  });

  test('a file in an encoding pylint-torch cannot write gets its fixes as suggestions only', async () => {
    const bytes = Buffer.concat([
      Buffer.from('# coding: gbk\nimport torch\n# '),
      Buffer.from([0xd6, 0xd0, 0xce, 0xc4]),
      Buffer.from('\nsd = torch.load("w.pt")\ntorch.nn.Linear(2, 2).load_state_dict(sd)\n'),
    ]);
    const dir = tempRepo({ 'g.py': bytes });
    const [message] = JSON.parse((await cli(dir, '-f', 'json', '--fix')).stdout)[0].messages;
    expect(message.fix).toBeUndefined();
    expect(message.suggestions[0].desc).toBe('Not applied: pylint-torch cannot write files in gbk');
    expect(fs.readFileSync(path.join(dir, 'g.py'))).toEqual(bytes);
  });

  test('read-only and hard-linked files are not rewritten, and say so', async () => {
    const dir = tempRepo({ ...DECLARED, 'ro.py': STATE_DICT, 'linked.py': STATE_DICT });
    fs.chmodSync(path.join(dir, 'ro.py'), 0o444);
    fs.linkSync(path.join(dir, 'linked.py'), path.join(dir, 'other-name.txt'));
    const { stdout } = await cli(dir, '--fix', '-f', 'json', ...NO_VERSION_RULE);
    const results = JSON.parse(stdout);
    expect(
      results.map((r: { filePath: string; messages: { ruleId: string | null; message: string }[] }) => [
        path.basename(r.filePath),
        r.messages.map((m) => m.ruleId ?? m.message),
      ]),
    ).toEqual([
      ['linked.py', ['File has several hard links; no fix was written (rewriting it would split the links).', 'torch-load-missing-weights-only']],
      ['requirements.txt', []],
      ['ro.py', ['File is read-only; no fix was written (make it writable to let --fix change it).', 'torch-load-missing-weights-only']],
    ]);
    expect(read(dir, 'ro.py')).toBe(STATE_DICT);
    expect(read(dir, 'linked.py')).toBe(STATE_DICT);
  });

  test('every file of a fixed repository still compiles', async () => {
    const files = {
      'a.py': STATE_DICT,
      'b.py': WHOLE_MODEL,
      'c.py': 'import torch\nx = torch.load(\n    "a.pt",\n    map_location="cpu",  # note\n)\ny = torch.load()\nz = torch.hub.load_state_dict_from_url(u,)\n',
    };
    const dir = tempRepo(files);
    await cli(dir, '--fix', '--unsafe-fixes');
    expect(pythonCompileErrors(new Map(Object.keys(files).map((f) => [f, read(dir, f)])))).toEqual([]);
    expect((await cli(dir, '--fix-dry-run', '--unsafe-fixes', '-f', 'json')).stdout).not.toContain('"output"');
  });
});

describe('files', () => {
  test("skips .gitignore'd files and default folders, lints explicit files", async () => {
    const dir = tempRepo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'generated/\n*_pb2.py\n',
      'keep.py': STATE_DICT,
      'generated/x.py': STATE_DICT,
      'proto_pb2.py': STATE_DICT,
      'node_modules/m/x.py': STATE_DICT,
      '.venv/lib/x.py': STATE_DICT,
      'venv/lib/x.py': STATE_DICT,
      'build/lib/x.py': STATE_DICT,
      'pkg/site-packages/x.py': STATE_DICT,
      'pkg/.gitignore': 'local.py\n',
      'pkg/local.py': STATE_DICT,
      'pkg/mod.py': STATE_DICT,
      'notes.txt': STATE_DICT,
    });
    const files = JSON.parse((await cli(dir, '-f', 'json')).stdout).map((r: { filePath: string }) => path.relative(dir, r.filePath));
    expect(files).toEqual(['keep.py', 'pkg/mod.py']);
    const explicit = JSON.parse((await cli(dir, '-f', 'json', 'notes.txt')).stdout);
    expect(explicit[0].errorCount).toBe(1);
  });

  test('non-Python files that set TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD are found in a folder walk', async () => {
    const dir = tempRepo({
      'docker/Dockerfile': 'FROM python:3.11\nENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n',
      '.github/workflows/ci.yml': 'env:\n  TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: "1"\n',
      'scripts/run.sh': 'echo hi\n',
      'notes.md': 'export TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1\n',
    });
    const { code, stdout } = await cli(dir, '-f', 'sarif');
    const results = JSON.parse(stdout).runs[0].results;
    expect(
      results.map(
        (r: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
        }) => [
          r.ruleId,
          r.locations[0].physicalLocation.artifactLocation.uri,
          r.locations[0].physicalLocation.region.startLine,
          r.locations[0].physicalLocation.region.startColumn,
        ],
      ),
    ).toEqual([
      ['torch-weights-only-override', '.github/workflows/ci.yml', 2, 3],
      ['torch-weights-only-override', 'docker/Dockerfile', 2, 5],
    ]);
    expect(code).toBe(1);
  });

  test('a dangling symbolic link named like a Python file is a warning, not a silent skip', async () => {
    const dir = tempRepo({ 'a.py': 'x = 1\n' });
    fs.symlinkSync(path.join(dir, 'gone.py'), path.join(dir, 'link.py'));
    fs.symlinkSync(path.join(dir, 'a.py'), path.join(dir, 'alias.py'));
    const { code, stdout, stderr } = await cli(dir, '-f', 'json');
    expect(JSON.parse(stdout).map((r: { filePath: string }) => path.relative(dir, r.filePath))).toEqual(['a.py']);
    expect(stderr).toBe(
      'pylint-torch: warning: alias.py is the same file as a.py (a symbolic link); linted once, as a.py\n' +
        'pylint-torch: warning: link.py is a symbolic link to a file that does not exist; not linted\n',
    );
    expect(code).toBe(0);
  });

  test('a file and a symbolic link to it are fixed once, the link named in a warning, no write refused', async () => {
    const dir = tempRepo({ ...DECLARED, 'pkg/real.py': STATE_DICT });
    fs.symlinkSync(path.join(dir, 'pkg', 'real.py'), path.join(dir, 'link.py'));
    const { code, stdout, stderr } = await cli(dir, '--fix', '-f', 'json', 'link.py', 'pkg');
    expect(JSON.parse(stdout).map((r: { filePath: string }) => path.relative(dir, r.filePath))).toEqual([path.join('pkg', 'real.py')]);
    expect(stderr).toBe(
      `pylint-torch: warning: link.py is the same file as ${path.join('pkg', 'real.py')} (a symbolic link); linted once, as ${path.join('pkg', 'real.py')}\n`,
    );
    expect(read(dir, 'pkg/real.py')).toBe(STATE_DICT.replace('"w.pt")', '"w.pt", weights_only=True)'));
    expect(fs.lstatSync(path.join(dir, 'link.py')).isSymbolicLink()).toBe(true);
    expect(code).toBe(0);
  });

  test('a named file whose extension is not Python is linted as Python, with a warning saying so', async () => {
    const dir = tempRepo({ 'constraints.txt': 'torch==2.0\n', 'requirements.txt': 'torch>=2.10\n', train: 'x = 1\n' });
    const { code, stdout, stderr } = await cli(dir, '-f', 'json', 'constraints.txt', 'requirements.txt', 'train');
    expect(JSON.parse(stdout).map((r: { filePath: string; messages: unknown[] }) => [path.relative(dir, r.filePath), r.messages])).toEqual([
      ['constraints.txt', []],
      ['requirements.txt', []],
      ['train', []],
    ]);
    expect(stderr).toBe(
      'pylint-torch: warning: constraints.txt is not a Python (.py) file nor one a rule checks (requirements*.txt, pyproject.toml, Dockerfile…); linted as Python source\n',
    );
    expect(code).toBe(0);
  });

  test('an undecodable file gets a fatal message and the run goes on', async () => {
    const dir = tempRepo({ 'a.py': Buffer.from([0x69, 0x6d, 0xff, 0xfe, 0x0a]), 'b.py': STATE_DICT });
    const { code, stdout } = await cli(dir, '-f', 'json');
    const [a, b] = JSON.parse(stdout);
    expect(a.messages).toEqual([
      { ruleId: null, severity: 2, fatal: true, message: expect.stringContaining('UTF-8'), line: 1, column: 1, endLine: 1, endColumn: 1 },
    ]);
    expect(a.fatalErrorCount).toBe(1);
    expect(b.errorCount).toBe(1);
    expect(code).toBe(1);
  });

  test('a file with a syntax error gets one syntax-error message and is still checked', async () => {
    const dir = tempRepo({ 'a.py': 'import torch\nx = torch.load("a.pt")\nif True\n    pass\n' });
    const messages = JSON.parse((await cli(dir, '-f', 'json')).stdout)[0].messages;
    expect(messages.map((m: { ruleId: string | null; line: number }) => [m.ruleId, m.line])).toEqual([
      ['torch-load-missing-weights-only', 2],
      [null, 3],
    ]);
  });
});

describe('installed binary', () => {
  test('bin/pylint-torch.js runs the built CLI', () => {
    const root = path.resolve(__dirname, '..');
    const dir = tempRepo({ ...DECLARED, 'a.py': STATE_DICT });
    let status = 0;
    let out: string;
    try {
      out = execFileSync(process.execPath, [path.join(root, 'bin/pylint-torch.js'), '-f', 'json', dir], { encoding: 'utf8' });
    } catch (error) {
      status = (error as { status: number }).status;
      out = (error as { stdout: string }).stdout;
    }
    expect(status).toBe(1);
    expect(JSON.parse(out)[0].errorCount).toBe(1);
  });
});
