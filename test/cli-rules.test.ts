import * as fs from 'node:fs';
import * as path from 'node:path';
import { rules } from '../rules';
import { REPOSITORY_URL } from '../src/io/package';
import { loadConfig } from '../src/project/config';
import { absoluteLinks } from '../src/report/rule-docs';
import { cli, tempRepo } from './helpers/cli';

const CODE = 'import pickle\nimport torch\ntorch.load(p)\ntorch.load(q, weights_only=False)\ntorch.load(r, weights_only=True, pickle_module=pickle)\n';
const IDS = rules.map((r) => r.meta.id).join(', ');
const found = async (dir: string, ...args: string[]) => {
  const { code, stdout } = await cli(dir, '-f', 'json', 'a.py', ...args);
  return [code, JSON.parse(stdout)[0].messages.map((m: { ruleId: string; severity: number }) => `${m.ruleId}:${m.severity}`)];
};

describe('--select and --ignore', () => {
  test('--select runs only the rules named (comma-separated, repeatable)', async () => {
    const dir = tempRepo({ 'a.py': CODE });
    expect(await found(dir)).toEqual([1, ['torch-load-missing-weights-only:2', 'torch-load-weights-only-false:1', 'torch-load-pickle-module:2']]);
    expect(await found(dir, '--select', 'torch-load-weights-only-false')).toEqual([0, ['torch-load-weights-only-false:1']]);
    expect(await found(dir, '--select', 'torch-load-weights-only-false, torch-load-pickle-module', '--select', 'torch-save-full-model')).toEqual([
      1,
      ['torch-load-weights-only-false:1', 'torch-load-pickle-module:2'],
    ]);
  });

  test('a selected rule that the config turns off runs at its default severity; --ignore wins over --select', async () => {
    const dir = tempRepo({
      'a.py': CODE,
      '.pylintrc-ts.json': JSON.stringify({ rules: { 'torch-load-weights-only-false': 'off', 'torch-load-pickle-module': 'warn' } }),
    });
    expect(await found(dir, '--select', 'torch-load-weights-only-false,torch-load-pickle-module')).toEqual([
      0,
      ['torch-load-weights-only-false:1', 'torch-load-pickle-module:1'],
    ]);
    expect(await found(dir, '--select', 'torch-load-weights-only-false,torch-load-pickle-module', '--ignore', 'torch-load-pickle-module')).toEqual([
      0,
      ['torch-load-weights-only-false:1'],
    ]);
  });

  test('--ignore drops rules over the config; --rule still sets a severity over both', async () => {
    const dir = tempRepo({ 'a.py': CODE });
    expect(await found(dir, '--ignore', 'torch-load-missing-weights-only,torch-load-pickle-module')).toEqual([0, ['torch-load-weights-only-false:1']]);
    expect(await found(dir, '--ignore', 'torch-load-pickle-module', '--rule', 'torch-load-pickle-module:warn', '--select', 'torch-save-full-model')).toEqual([
      0,
      ['torch-load-pickle-module:1'],
    ]);
  });

  test.each([
    [['--select', 'nope'], `pylint-torch: --select: unknown rule id "nope" (known: ${IDS})\n`],
    [['--ignore', 'torch-load-missing-weights-only,nope,nah'], `pylint-torch: --ignore: unknown rule ids "nope", "nah" (known: ${IDS})\n`],
    [['--select', ' , '], `pylint-torch: --select expects rule ids (comma-separated): ${IDS}\n`],
    [['--select', 'nope/rule'], `pylint-torch: --select: nope/rule: unknown rule id (known: ${IDS})\n`],
  ])('%j is a usage error (exit 2) that lists the rule ids', async (args, stderr) => {
    expect(await cli(tempRepo({ 'a.py': CODE }), ...args, 'a.py')).toEqual({ code: 2, stdout: '', stderr });
  });
});

describe('--init', () => {
  test('writes a starter config listing every rule at its default severity, which the loader accepts', async () => {
    const dir = tempRepo({ 'a.py': CODE });
    const file = path.join(dir, '.pylintrc-ts.json');
    expect(await cli(dir, '--init')).toEqual({ code: 0, stdout: `Wrote ${file}\n`, stderr: '' });
    const text = fs.readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual({
      rules: Object.fromEntries(rules.map((r) => [r.meta.id, r.meta.defaultSeverity])),
      ignorePatterns: [],
      perFileIgnores: {},
    });
    expect(text.startsWith('{\n  "rules": {\n    "torch-load-missing-weights-only": "error",\n')).toBe(true);
    expect(loadConfig(file, rules).rules['torch-save-full-model']).toBe('warn');
    expect(await found(dir)).toEqual([1, ['torch-load-missing-weights-only:2', 'torch-load-weights-only-false:1', 'torch-load-pickle-module:2']]);
  });

  test('never overwrites a config, nor shadows a pyproject.toml table', async () => {
    const dir = tempRepo({ '.pylintrc-ts.json': '{"rules": {}}\n', 'sub/pyproject.toml': '[tool.pylint-torch]\nrules = {}\n' });
    expect(await cli(dir, '--init')).toEqual({
      code: 2,
      stdout: '',
      stderr: `pylint-torch: ${dir}/.pylintrc-ts.json: already exists; not overwritten (--init writes a new one)\n`,
    });
    expect(fs.readFileSync(path.join(dir, '.pylintrc-ts.json'), 'utf8')).toBe('{"rules": {}}\n');
    expect(await cli(path.join(dir, 'sub'), '--init')).toEqual({
      code: 2,
      stdout: '',
      stderr: `pylint-torch: ${dir}/sub/pyproject.toml: already has [tool.pylint-torch]; a .pylintrc-ts.json beside it would take its place, so none was written\n`,
    });
    expect(fs.existsSync(path.join(dir, 'sub', '.pylintrc-ts.json'))).toBe(false);
  });

  test('takes no paths', async () => {
    const dir = tempRepo({ 'a.py': CODE });
    const { code, stderr } = await cli(dir, '--init', 'a.py');
    expect([code, stderr, fs.existsSync(path.join(dir, '.pylintrc-ts.json'))]).toEqual([
      2,
      'pylint-torch: --init writes .pylintrc-ts.json in the working folder and takes no paths\n',
      false,
    ]);
  });
});

describe('pylint-torch rule <id>', () => {
  test("prints the rule's doc, as docs/rules/<id>.md has it with its links made absolute", async () => {
    const raw = fs.readFileSync(path.join(__dirname, '..', 'docs', 'rules', 'torch-load-pickle-module.md'), 'utf8');
    const doc = absoluteLinks(raw, `${REPOSITORY_URL}/blob/main/docs/rules/torch-load-pickle-module.md`);
    expect(await cli(tempRepo({}), 'rule', 'torch-load-pickle-module')).toEqual({ code: 0, stdout: doc, stderr: '' });
  });

  test.each([
    [['rule', 'nope'], `pylint-torch: rule: unknown rule id "nope" (known: ${IDS})\n`],
    [['rule', '../README'], `pylint-torch: rule: unknown rule id "../README" (known: ${IDS})\n`],
    [['rule'], `pylint-torch: rule: expected one rule id\n\nUsage: pylint-torch rule <id>\n\nPrints a rule's documentation. Rules: ${IDS}.\n`],
  ])('%j exits 2 with the rule ids', async (args, stderr) => {
    expect(await cli(tempRepo({}), ...args)).toEqual({ code: 2, stdout: '', stderr });
  });

  test('--help lists the rule ids and says where their docs are', async () => {
    const { code, stdout } = await cli(tempRepo({}), '--help');
    expect(code).toBe(0);
    expect(stdout.replace(/\s+/g, ' ')).toContain(
      `Rules: ${IDS}. 'pylint-torch rule <id>' prints a rule's documentation; all of them: ${REPOSITORY_URL}/tree/main/docs/rules`,
    );
    expect(stdout).toMatch(/--select .*comma-separated/);
    expect(stdout).toMatch(/--init /);
  });
});
