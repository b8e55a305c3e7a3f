/**
 * .pre-commit-hooks.yaml against the rules: every file a rule reads reaches a hook, and no hook hands pylint-torch a
 * file no rule reads (a file named on the command line is linted as Python). pre-commit matches `files` with Python's
 * `re.search` on the repository-relative path; these patterns mean the same in JavaScript.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { rules } from '../rules';
import checkpointRule from '../rules/checkpoint-unsafe-globals';
import { matchesTextCheck } from '../src/engine/linter';

interface Hook {
  id: string;
  entry: string;
  files?: string;
  types_or?: string[];
}

const hooks = parse(fs.readFileSync(path.join(__dirname, '..', '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const hook = (id: string) => {
  const found = hooks.find((h) => h.id === id);
  if (!found?.files) throw new Error(`no hook ${id} with files`);
  return new RegExp(found.files);
};

/** Paths a glob of a rule's text check stands for: at the top of the repository and in subfolders. */
function samples(glob: string): string[] {
  const inner = (p: string) => [p.replace(/\/\*\*\//g, '/'), p.replace(/\/\*\*\//g, '/a/b/')];
  const named = (p: string) => p.replace(/\*/g, 'x');
  const tails = glob.startsWith('**/') ? [glob.slice(3), `sub/dir/${glob.slice(3)}`] : [glob];
  return tails.flatMap(inner).map(named);
}

const textRules = rules.filter((r) => r.text);
const checkedByARule = (file: string) => textRules.some((r) => matchesTextCheck(r.text!, file));

test('the config hook passes exactly the files the rules’ text checks read', () => {
  const config = hook('pylint-torch-config');
  const positives = [...new Set(textRules.flatMap((r) => r.text!.files.flatMap(samples)))];
  expect(positives).toEqual(expect.arrayContaining(['requirementsx.txt', 'requirements/a/b/x.txt', 'sub/dir/pyproject.toml', 'Dockerfile']));
  const negatives = [
    'train.py',
    'notes.txt',
    'constraints.txt',
    '.envrc',
    'Dockerfile-dev',
    'compose-dev.yml',
    'config.yaml',
    'setup.py',
    'w.pt',
    'docs/requirements.md',
  ];
  const verdicts = [...positives, ...negatives].map((file) => [file, config.test(file)]);
  expect(verdicts).toEqual([...positives, ...negatives].map((file) => [file, checkedByARule(file)]));
  expect(negatives.filter((file) => config.test(file))).toEqual([]);
});

test('the checkpoint hook passes the files checkpoint-unsafe-globals reads by default, and no Python', () => {
  const checkpoints = hook('pylint-torch-checkpoints');
  const extensions = checkpointRule.defaultOptions.extensions;
  const files = [...extensions.map((ext) => `models/w${ext}`), 'w.safetensors', 'a.py', 'pt', 'w.pt.py'];
  expect(files.map((file) => [file, checkpoints.test(file)])).toEqual(files.map((file) => [file, extensions.some((ext) => file.endsWith(ext))]));
  expect(extensions).toEqual(['.pt', '.pth', '.ckpt', '.bin', '.pkl', '.pickle', '.tar']);
});

// every hook keeps the repository's evidence in one self-ignoring cache folder (README "pre-commit")
const CACHE = '--cache --cache-location .pylint-torch-cache/';

test('every hook runs pylint-torch with the cache; the Python hooks take Python files by type', () => {
  expect(hooks.map((h) => [h.id, h.entry, h.types_or ?? h.files !== undefined])).toEqual([
    ['pylint-torch', `pylint-torch ${CACHE}`, ['python', 'pyi', 'jupyter']],
    ['pylint-torch-fix', `pylint-torch --fix ${CACHE}`, ['python', 'pyi', 'jupyter']],
    ['pylint-torch-config', `pylint-torch ${CACHE}`, true],
    ['pylint-torch-checkpoints', `pylint-torch ${CACHE}`, true],
  ]);
});
