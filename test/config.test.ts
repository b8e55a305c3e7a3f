import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tempRepo } from './helpers/cli';

const CODE = { 'a.py': 'import torch\ntorch.load(p)\ntorch.load(q, weights_only=False)\n' };

describe('config file', () => {
  test('severities from the nearest .pylintrc-ts.json', async () => {
    const dir = tempRepo({
      ...CODE,
      '.pylintrc-ts.json': JSON.stringify({ rules: { 'torch-load-missing-weights-only': 'warn', 'torch-load-weights-only-false': 'off' } }),
    });
    const { code, stdout } = await cli(dir, '-f', 'json');
    const messages = JSON.parse(stdout)[0].messages;
    expect(messages.map((m: { ruleId: string; severity: number }) => [m.ruleId, m.severity])).toEqual([['torch-load-missing-weights-only', 1]]);
    expect(code).toBe(0);
  });

  test('a config in a parent folder applies to a subfolder', async () => {
    const dir = tempRepo({ 'pkg/sub/a.py': CODE['a.py'], '.pylintrc-ts.json': JSON.stringify({ rules: { 'torch-load-missing-weights-only': 'off' } }) });
    const { stdout } = await cli(`${dir}/pkg/sub`, '-f', 'json');
    expect(JSON.parse(stdout)[0].messages.map((m: { ruleId: string }) => m.ruleId)).toEqual(['torch-load-weights-only-false']);
  });

  test('--rule overrides the config', async () => {
    const dir = tempRepo({ ...CODE, '.pylintrc-ts.json': JSON.stringify({ rules: { 'torch-load-weights-only-false': 'off' } }) });
    const { stdout } = await cli(dir, '-f', 'json', '--rule', 'torch-load-weights-only-false:error', '--rule', 'torch-load-missing-weights-only:off');
    expect(JSON.parse(stdout)[0].messages.map((m: { ruleId: string; severity: number }) => [m.ruleId, m.severity])).toEqual([
      ['torch-load-weights-only-false', 2],
    ]);
  });

  test('ignorePatterns skip files, relative to the config', async () => {
    const dir = tempRepo({ 'src/a.py': CODE['a.py'], 'legacy/b.py': CODE['a.py'], '.pylintrc-ts.json': JSON.stringify({ ignorePatterns: ['legacy/'] }) });
    const { stdout } = await cli(dir, '-f', 'json');
    expect(JSON.parse(stdout).map((r: { filePath: string }) => r.filePath)).toEqual([`${dir}/src/a.py`]);
  });

  test.each([
    [['argparse'], 'trustedGlobals: expected an array of dotted names like "myapp.models.Config"'],
    ['argparse.Namespace', 'trustedGlobals: expected an array of dotted names'],
    [['posix.system'], 'trustedGlobals: posix.system must never be allowlisted: its module is blocked by torch (sys, os, posix, nt)'],
    [['builtins.eval'], 'trustedGlobals: builtins.eval must never be allowlisted: '],
    [['myapp.models.make_config'], 'trustedGlobals: myapp.models.make_config does not look like a class (CapWords)'],
  ])('trustedGlobals %j is refused with exit 2', async (value, message) => {
    const dir = tempRepo({ ...CODE, '.pylintrc-ts.json': JSON.stringify({ trustedGlobals: value }) });
    const { code, stderr } = await cli(dir);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  test('rule options are validated and used', async () => {
    const dir = tempRepo({
      'a.py': 'import torch\nfrom lib import Base\n\nclass Net(Base):\n    pass\n\ntorch.save(Net(), "n.pt")\n',
      '.pylintrc-ts.json': JSON.stringify({ rules: { 'torch-save-full-model': ['error', { extraModuleBases: ['lib.Base'] }] } }),
    });
    const { code, stdout } = await cli(dir, '-f', 'json');
    expect(JSON.parse(stdout)[0].messages.map((m: { ruleId: string; severity: number }) => [m.ruleId, m.severity])).toEqual([['torch-save-full-model', 2]]);
    expect(code).toBe(1);
  });

  test.each([
    ['unknown top-level key', { rule: {} }, 'rule: unknown key'],
    ['unknown rule id', { rules: { 'torch-load-missing': 'warn' } }, 'rules.torch-load-missing: unknown rule id'],
    ['invalid severity', { rules: { 'torch-save-full-model': 'warning' } }, 'rules.torch-save-full-model: invalid severity "warning"'],
    [
      'options for a rule without options',
      { rules: { 'torch-load-pickle-module': ['warn', { x: 1 }] } },
      'rules.torch-load-pickle-module: this rule takes no options',
    ],
    [
      'invalid options',
      { rules: { 'torch-save-full-model': ['warn', { extraModuleBases: 'lib.Base' }] } },
      'rules.torch-save-full-model: invalid options: /extraModuleBases must be array',
    ],
    ['unknown option', { rules: { 'torch-save-full-model': ['warn', { bases: [] }] } }, "must NOT have additional properties 'bases'"],
    ['ignorePatterns not a list', { ignorePatterns: 'build/' }, 'ignorePatterns: expected an array'],
    [
      'an empty rule entry',
      { rules: { 'torch-save-full-model': [] } },
      'rules.torch-save-full-model: expected a severity, [severity] or [severity, {options}], got []',
    ],
  ])('%s is a clear error with exit 2', async (_name, config, expected) => {
    const dir = tempRepo({ ...CODE, '.pylintrc-ts.json': JSON.stringify(config) });
    const { code, stdout, stderr } = await cli(dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${dir}/.pylintrc-ts.json`);
    expect(stderr).toContain(expected);
  });

  test('invalid JSON names the file, line and column', async () => {
    const dir = tempRepo({ ...CODE, '.pylintrc-ts.json': '{\n  "rules": {\n    "torch-save-full-model": "warn",\n  }\n}\n' });
    const { code, stderr } = await cli(dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(/\.pylintrc-ts\.json: cannot read config: invalid JSON: .* at line 4 column 3\n$/);
  });

  test('a config saved with a BOM is read', async () => {
    const dir = tempRepo({
      ...CODE,
      '.pylintrc-ts.json': `\uFEFF${JSON.stringify({ rules: { 'torch-load-missing-weights-only': 'off', 'torch-load-weights-only-false': 'off' } })}`,
    });
    expect(await cli(dir)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('the nearest config governs a file, whatever folder the run starts from', async () => {
    const dir = tempRepo({
      '.pylintrc-ts.json': JSON.stringify({ ignorePatterns: ['pkg/sub/'] }),
      'pkg/.pylintrc-ts.json': JSON.stringify({ ignorePatterns: ['gen/'] }),
      'pkg/sub/a.py': CODE['a.py'],
      'pkg/gen/b.py': CODE['a.py'],
      'pkg/c.py': CODE['a.py'],
    });
    const files = async (cwd: string, ...args: string[]) =>
      JSON.parse((await cli(cwd, '-f', 'json', ...args)).stdout).map((r: { filePath: string }) => r.filePath.slice(dir.length + 1));
    expect(await files(dir)).toEqual(['pkg/c.py', 'pkg/sub/a.py']);
    expect(await files(`${dir}/pkg`)).toEqual(['pkg/c.py', 'pkg/sub/a.py']);
    expect(await files(dir, 'pkg/gen/b.py')).toEqual([]);
  });

  test('--config with a missing file', async () => {
    const dir = tempRepo(CODE);
    const { code, stderr } = await cli(dir, '--config', 'nope.json');
    expect(code).toBe(2);
    expect(stderr).toContain('nope.json: cannot read config: file not found');
  });

  test('--rule with an unknown id', async () => {
    const dir = tempRepo(CODE);
    const { code, stderr } = await cli(dir, '--rule', 'nope:error');
    expect(code).toBe(2);
    expect(stderr).toContain('rules.nope: unknown rule id');
  });
});

describe('plugins', () => {
  // a plugin as plain data (createRule only adds docs.url), so that it loads without the built package
  const PLUGIN = [
    'module.exports = { rules: [{',
    "  meta: { id: 'local/no-print', type: 'suggestion', docs: { description: 'No print.', url: 'https://example.com/no-print' }, fixable: 'code', messages: { print: 'print() call' }, schema: false, defaultSeverity: 'warn', security: { severity: 1, precision: 'high', cwe: [] } },",
    '  defaultOptions: {},',
    "  create(context) { return { call(node) { if (node.childForFieldName('function')?.text === 'print') context.report({ node, messageId: 'print', fix: [{ range: [node.startIndex, node.endIndex], text: 'None' }], fixSafety: 'safe' }); } }; },",
    '}] };',
  ].join('\n');

  test('a plugin by path: its rule is configured, run, fixed and overridable with --rule', async () => {
    const dir = tempRepo({
      'tools/plugin.js': PLUGIN,
      'a.py': 'print(1)\n',
      '.pylintrc-ts.json': JSON.stringify({ plugins: ['./tools/plugin.js'], rules: { 'local/no-print': 'error' } }),
    });
    const first = await cli(dir, '-f', 'json');
    expect([first.code, JSON.parse(first.stdout)[0].messages.map((m: { ruleId: string; severity: number }) => [m.ruleId, m.severity])]).toEqual([
      1,
      [['local/no-print', 2]],
    ]);
    expect((await cli(dir, '--rule', 'local/no-print:off')).code).toBe(0);
    await cli(dir, '--fix');
    expect(require('node:fs').readFileSync(`${dir}/a.py`, 'utf8')).toBe('None\n');
  });

  test.each([
    ['a plugin that cannot be found', { plugins: ['./missing.js'] }, {}, 'plugins: cannot load plugin "./missing.js"'],
    [
      'a plugin without rules',
      { plugins: ['./p.js'] },
      { 'p.js': 'module.exports = {};\n' },
      'plugins: plugin "./p.js" exports no `rules` (an array of rules)',
    ],
    [
      'a rule id that is taken',
      { plugins: ['./p.js', './q.js'] },
      { 'p.js': PLUGIN, 'q.js': PLUGIN },
      'plugin "./q.js": rule id "local/no-print" is already taken',
    ],
    [
      'a rule id without its plugin/ prefix',
      { plugins: ['./p.js'] },
      { 'p.js': PLUGIN.replace("'local/no-print'", "'no-print'") },
      'invalid rule id "no-print" (use "plugin/rule-name")',
    ],
    ['an empty rules list', { plugins: ['./p.js'] }, { 'p.js': 'module.exports = { rules: [] };\n' }, 'exports no `rules`'],
    ['a missing path without ./', { plugins: ['tools/p.js'] }, {}, '(a path relative to the config starts with ./)'],
    ['plugins not an array', { plugins: 'p.js' }, {}, 'plugins: expected an array of package names or paths'],
    ['a rule of a plugin not configured', { rules: { 'local/no-print': 'error' } }, {}, 'rules.local/no-print: unknown rule id'],
  ])('%s is a config error (exit 2)', async (_name, config, files, message) => {
    const dir = tempRepo({ 'a.py': 'print(1)\n', ...files, '.pylintrc-ts.json': JSON.stringify(config) });
    const { code, stderr } = await cli(dir);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  test('a plugin rule that breaks the rule API or throws is reported as its crash; the built-in rules still run', async () => {
    const broken = PLUGIN.replace("messageId: 'print'", "messageId: 'typo'").replace("'local/no-print'", "'local/typo'");
    const throwing = PLUGIN.replace('create(context) {', "create() { throw new Error('create failed');").replace("'local/no-print'", "'local/throws'");
    const dir = tempRepo({
      'a.py': 'import torch\nprint(torch.load(p))\n',
      'typo.js': broken,
      'throws.js': throwing,
      '.pylintrc-ts.json': JSON.stringify({ plugins: ['./typo.js', './throws.js'], rules: { 'local/typo': 'error', 'local/throws': 'error' } }),
    });
    const { code, stdout } = await cli(dir, '-f', 'json');
    const messages = JSON.parse(stdout)[0].messages.map((m: { ruleId: string | null; message: string }) => m.ruleId ?? m.message.replace(/:.*/s, ''));
    expect([code, messages.sort()]).toEqual([
      2,
      [
        'Internal error in rule local/throws (please report it to its authors)',
        'Internal error in rule local/typo (please report it to its authors)',
        'torch-load-missing-weights-only',
      ],
    ]);
  });

  test('SARIF for a plugin rule without security metadata or docs url: no security tags, no helpUri', async () => {
    const plain = PLUGIN.replace(", url: 'https://example.com/no-print'", '').replace(", security: { severity: 1, precision: 'high', cwe: [] }", '');
    const dir = tempRepo({ 'a.py': 'print(1)\n', 'p.js': plain, '.pylintrc-ts.json': JSON.stringify({ plugins: ['./p.js'] }) });
    const sarif = JSON.parse((await cli(dir, '-f', 'sarif')).stdout);
    const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'local/no-print');
    expect([rule.helpUri, rule.properties, sarif.runs[0].results.length]).toEqual([undefined, undefined, 1]);
  });

  test('--rule naming an unknown plugin rule is an error (exit 2)', async () => {
    const { code, stderr } = await cli(tempRepo({ 'a.py': 'print(1)\n' }), '--rule', 'nope/rule:error');
    expect([code, stderr]).toEqual([2, expect.stringContaining('--rule: nope/rule: unknown rule id')]);
  });
});

const ids = (stdout: string) =>
  JSON.parse(stdout).map((r: { filePath: string; messages: { ruleId: string; severity: number }[] }) => [
    r.filePath.replace(/^.*?pylint-torch-[^/]+\//, ''),
    r.messages.map((m) => `${m.ruleId}:${m.severity}`),
  ]);

describe('pyproject.toml [tool.pylint-torch]', () => {
  const TABLE = [
    '[project]',
    'name = "demo"',
    '',
    '[tool.pylint-torch]',
    'ignorePatterns = ["legacy/"]',
    '',
    '[tool.pylint-torch.rules]',
    '"torch-load-weights-only-false" = "off"',
    'torch-load-missing-weights-only = ["warn"]',
    '',
  ].join('\n');

  test('the table configures rules and ignorePatterns, relative to the pyproject.toml', async () => {
    const dir = tempRepo({ 'pyproject.toml': TABLE, 'src/a.py': CODE['a.py'], 'legacy/b.py': CODE['a.py'] });
    const { code, stdout, stderr } = await cli(dir, '-f', 'json', 'src', 'legacy/b.py');
    expect([code, ids(stdout), stderr]).toEqual([
      0,
      [['src/a.py', ['torch-load-missing-weights-only:1']]],
      'pylint-torch: warning: legacy/b.py is ignored by ignorePatterns in the config; not linted\n',
    ]);
  });

  test('a pyproject.toml without the table is no config: the search goes on upward', async () => {
    const dir = tempRepo({
      '.pylintrc-ts.json': JSON.stringify({ rules: { 'torch-load-missing-weights-only': 'off' } }),
      'pkg/pyproject.toml': '[project]\nname = "pkg"\n[tool.black]\nline-length = 100\n',
      'pkg/a.py': CODE['a.py'],
    });
    const { stdout } = await cli(dir, '-f', 'json', 'pkg/a.py');
    expect(ids(stdout)).toEqual([['pkg/a.py', ['torch-load-weights-only-false:1']]]);
  });

  test('beside a .pylintrc-ts.json the JSON file wins, with a warning naming both', async () => {
    const dir = tempRepo({
      'pyproject.toml': TABLE,
      '.pylintrc-ts.json': JSON.stringify({ rules: { 'torch-load-missing-weights-only': 'off' } }),
      'a.py': CODE['a.py'],
    });
    const { stdout, stderr } = await cli(dir, '-f', 'json', 'a.py');
    expect([ids(stdout), stderr]).toEqual([
      [['a.py', ['torch-load-weights-only-false:1']]],
      'pylint-torch: warning: .pylintrc-ts.json and pyproject.toml [tool.pylint-torch] are in the same folder: .pylintrc-ts.json is used, the pyproject.toml table is ignored\n',
    ]);
  });

  test('invalid TOML in a pyproject.toml on the way up is a config error naming the file, line and column', async () => {
    const dir = tempRepo({ 'pyproject.toml': '[project]\nname = "x"\n[tool.pylint-torch\n', 'a.py': CODE['a.py'] });
    expect(await cli(dir, 'a.py')).toEqual({
      code: 2,
      stdout: '',
      stderr: `pylint-torch: ${dir}/pyproject.toml: cannot read config: invalid TOML: illegal character in key at line 3 column 19\n`,
    });
  });

  test('an invalid pyproject.toml beside a .pylintrc-ts.json is not read', async () => {
    const dir = tempRepo({ 'pyproject.toml': '[tool.pylint-torch\n', '.pylintrc-ts.json': '{}', 'a.py': 'x = 1\n' });
    expect(await cli(dir, 'a.py')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test.each([
    ['a kebab-case key', 'ignore-patterns = []', 'tool.pylint-torch.ignore-patterns: unknown key (did you mean ignorePatterns?) (allowed: '],
    ['a number for torchVersion', 'torchVersion = 2.6', 'tool.pylint-torch.torchVersion: expected a version like "2.6" or a PEP 440 range'],
    ['an unknown rule id', 'rules = { nope = "warn" }', 'tool.pylint-torch.rules.nope: unknown rule id (known: torch-load-missing-weights-only, '],
    ['a date where a list belongs', 'trustedGlobals = 1979-05-27', 'tool.pylint-torch.trustedGlobals: expected an array of dotted names'],
  ])('%s is named with its table (exit 2)', async (_name, line, message) => {
    const dir = tempRepo({ 'pyproject.toml': `[tool.pylint-torch]\n${line}\n`, 'a.py': 'x = 1\n' });
    const { code, stdout, stderr } = await cli(dir, 'a.py');
    expect([code, stdout, stderr]).toEqual([2, '', expect.stringContaining(`pylint-torch: ${dir}/pyproject.toml: ${message}`)]);
  });

  test('--config takes any .toml file with the table', async () => {
    const dir = tempRepo({ 'lint.toml': '[tool.pylint-torch]\nrules = { torch-load-weights-only-false = "off" }\n', 'a.py': CODE['a.py'] });
    expect(ids((await cli(dir, '-f', 'json', '-c', 'lint.toml', 'a.py')).stdout)).toEqual([['a.py', ['torch-load-missing-weights-only:2']]]);
  });

  test('--config takes a pyproject.toml, and refuses one without the table', async () => {
    const dir = tempRepo({ 'conf/pyproject.toml': TABLE, 'other/pyproject.toml': '[project]\nname = "x"\n', 'a.py': CODE['a.py'] });
    expect(ids((await cli(dir, '-f', 'json', '-c', 'conf/pyproject.toml', 'a.py')).stdout)).toEqual([['a.py', ['torch-load-missing-weights-only:1']]]);
    expect(await cli(dir, '-c', 'other/pyproject.toml', 'a.py')).toEqual({
      code: 2,
      stdout: '',
      stderr: `pylint-torch: ${dir}/other/pyproject.toml: cannot read config: no [tool.pylint-torch] table\n`,
    });
  });
});

describe('extend', () => {
  test('rules merge by id over the extended config (relative to the extending file); other keys replace', async () => {
    const dir = tempRepo({
      'common/base.json': JSON.stringify({
        rules: { 'torch-load-missing-weights-only': 'warn', 'torch-load-weights-only-false': 'off' },
        ignorePatterns: ['gen/'],
        torchVersion: '2.4',
      }),
      'proj/.pylintrc-ts.json': JSON.stringify({ extend: '../common/base.json', rules: { 'torch-load-weights-only-false': 'error' } }),
      'proj/a.py': CODE['a.py'],
      'proj/gen/b.py': CODE['a.py'],
      'common/gen/c.py': CODE['a.py'],
    });
    // the base's ignorePatterns stay relative to the base's folder
    const { stdout } = await cli(`${dir}/proj`, '-f', 'json');
    expect(ids(stdout)).toEqual([
      ['proj/a.py', ['torch-load-missing-weights-only:1', 'torch-load-weights-only-false:2']],
      ['proj/gen/b.py', ['torch-load-missing-weights-only:1', 'torch-load-weights-only-false:2']],
    ]);
    expect(JSON.parse(stdout)[0].messages[0].message).toContain('(base.json: torchVersion "2.4")');
    fs.writeFileSync(`${dir}/proj/.pylintrc-ts.json`, JSON.stringify({ extend: '../common/base.json', ignorePatterns: ['gen/'] }));
    expect(ids((await cli(`${dir}/proj`, '-f', 'json')).stdout)).toEqual([['proj/a.py', ['torch-load-missing-weights-only:1']]]);
  });

  test('a JSON config extends a pyproject.toml table', async () => {
    const dir = tempRepo({
      'pyproject.toml': '[tool.pylint-torch.rules]\ntorch-load-missing-weights-only = "off"\n',
      'sub/.pylintrc-ts.json': JSON.stringify({ extend: '../pyproject.toml' }),
      'sub/a.py': CODE['a.py'],
    });
    expect(ids((await cli(dir, '-f', 'json', 'sub')).stdout)).toEqual([['sub/a.py', ['torch-load-weights-only-false:1']]]);
  });

  test('a .pylintrc-ts.json that extends the pyproject.toml beside it reads its table, without a warning', async () => {
    const dir = tempRepo({
      'pyproject.toml': '[tool.pylint-torch.rules]\ntorch-load-missing-weights-only = "off"\n',
      '.pylintrc-ts.json': JSON.stringify({ extend: 'pyproject.toml', rules: { 'torch-load-weights-only-false': 'error' } }),
      'a.py': CODE['a.py'],
    });
    const { stdout, stderr } = await cli(dir, '-f', 'json', 'a.py');
    expect([ids(stdout), stderr]).toEqual([[['a.py', ['torch-load-weights-only-false:2']]], '']);
  });

  test('a cycle is a config error that shows it', async () => {
    const dir = tempRepo({
      '.pylintrc-ts.json': JSON.stringify({ extend: 'a.json' }),
      'a.json': JSON.stringify({ extend: 'b.json' }),
      'b.json': JSON.stringify({ extend: 'a.json' }),
      'x.py': 'x = 1\n',
    });
    expect(await cli(dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: `pylint-torch: ${dir}/b.json: extend: extend cycle: ${dir}/.pylintrc-ts.json → ${dir}/a.json → ${dir}/b.json → ${dir}/a.json\n`,
    });
  });

  test.each([
    ['a missing file', { extend: 'nope.json' }, (dir: string) => `extend: cannot extend ${dir}/nope.json: file not found`],
    ['not a string', { extend: ['a.json'] }, () => 'extend: expected a path to another config file (relative to this one)'],
    ['an invalid extended config', { extend: 'bad.json' }, (dir: string) => `${dir}/bad.json: rules.nope: unknown rule id`],
  ])('%s is a config error (exit 2)', async (_name, config, message) => {
    const dir = tempRepo({ '.pylintrc-ts.json': JSON.stringify(config), 'bad.json': '{"rules":{"nope":"warn"}}', 'x.py': 'x = 1\n' });
    const { code, stderr } = await cli(dir);
    expect([code, stderr]).toEqual([2, expect.stringContaining(message(dir))]);
  });
});

describe('perFileIgnores', () => {
  const FILES = {
    'tests/test_a.py': CODE['a.py'],
    'src/conftest.py': CODE['a.py'],
    'src/model.py': CODE['a.py'],
  };

  test('a glob with / matches from the config folder, one without matches a file name anywhere', async () => {
    const dir = tempRepo({
      ...FILES,
      '.pylintrc-ts.json': JSON.stringify({
        perFileIgnores: { 'tests/**': ['torch-load-missing-weights-only', 'torch-load-weights-only-false'], 'conftest.py': ['torch-load-weights-only-false'] },
      }),
    });
    const expected = [
      ['src/conftest.py', ['torch-load-missing-weights-only:2']],
      ['src/model.py', ['torch-load-missing-weights-only:2', 'torch-load-weights-only-false:1']],
      ['tests/test_a.py', []],
    ];
    expect(ids((await cli(dir, '-f', 'json')).stdout)).toEqual(expected);
    // whatever folder the run starts from, and over --select and --rule (as in Ruff)
    expect(
      ids((await cli(`${dir}/tests`, '-f', 'json', '--select', 'torch-load-weights-only-false', '--rule', 'torch-load-weights-only-false:error')).stdout),
    ).toEqual([['tests/test_a.py', []]]);
  });

  test('perFileIgnores merge by glob over an extended config', async () => {
    const dir = tempRepo({
      ...FILES,
      'base.json': JSON.stringify({ perFileIgnores: { 'tests/**': ['torch-load-missing-weights-only'], '*.py': ['torch-load-weights-only-false'] } }),
      '.pylintrc-ts.json': JSON.stringify({ extend: 'base.json', perFileIgnores: { '*.py': [] } }),
    });
    expect(ids((await cli(dir, '-f', 'json')).stdout)).toEqual([
      ['src/conftest.py', ['torch-load-missing-weights-only:2', 'torch-load-weights-only-false:1']],
      ['src/model.py', ['torch-load-missing-weights-only:2', 'torch-load-weights-only-false:1']],
      ['tests/test_a.py', ['torch-load-weights-only-false:1']],
    ]);
  });

  test.each([
    [{ 'tests/**': ['torch-load-missing'] }, 'perFileIgnores.tests/**: unknown rule id "torch-load-missing" (known: torch-load-missing-weights-only, '],
    [{ 'tests/**': 'torch-load-pickle-module' }, 'perFileIgnores: expected an object of glob → array of rule ids'],
    [['tests/**'], 'perFileIgnores: expected an object of glob → array of rule ids'],
    [{ '': ['torch-load-pickle-module'] }, 'perFileIgnores: expected an object of glob → array of rule ids'],
  ])('%j is a config error (exit 2)', async (value, message) => {
    const dir = tempRepo({ ...FILES, '.pylintrc-ts.json': JSON.stringify({ perFileIgnores: value }) });
    const { code, stderr } = await cli(dir);
    expect([code, stderr]).toEqual([2, expect.stringContaining(`pylint-torch: ${dir}/.pylintrc-ts.json: ${message}`)]);
  });
});

describe('the config schema', () => {
  const root = path.join(__dirname, '..');
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema', 'pylintrc-ts.schema.json'), 'utf8'));

  test('ships in the package, and its keys are the ones the loader allows', async () => {
    expect(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).files).toContain('schema');
    const dir = tempRepo({ '.pylintrc-ts.json': JSON.stringify({ nope: 1 }), 'a.py': 'x = 1\n' });
    expect((await cli(dir)).stderr).toBe(`pylint-torch: ${dir}/.pylintrc-ts.json: nope: unknown key (allowed: ${Object.keys(schema.properties).join(', ')})\n`);
  });

  test("this repository's own config and one with $schema, extend and perFileIgnores validate against it", () => {
    const ajv = new Ajv({ strict: true });
    const validate = ajv.compile(schema);
    const own = JSON.parse(fs.readFileSync(path.join(root, '.pylintrc-ts.json'), 'utf8'));
    expect([
      validate(own),
      validate({ $schema: './schema/pylintrc-ts.schema.json', extend: '../base.json', perFileIgnores: { 'tests/**': ['torch-save-full-model'] } }),
    ]).toEqual([true, true]);
    expect([validate({ rules: { x: ['warn', {}, 1] } }), validate({ ignorePatterns: [1] }), validate({ extend: '' })]).toEqual([false, false, false]);
  });
});

test("the README's pyproject.toml example is a valid config that does what it says", async () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const example = /```toml\n(\[tool\.pylint-torch\][\s\S]*?)```/.exec(readme)![1];
  const dir = tempRepo({
    'pyproject.toml': example,
    'tests/test_a.py': CODE['a.py'],
    'a.py': 'import pickle\nimport torch\ntorch.load(p, weights_only=True, pickle_module=pickle)\n',
  });
  expect([ids((await cli(dir, '-f', 'json', 'a.py', 'tests')).stdout)]).toEqual([
    [
      ['a.py', []],
      ['tests/test_a.py', ['torch-load-weights-only-false:1']],
    ],
  ]);
});
