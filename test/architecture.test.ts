/**
 * The architecture, enforced: src/ is a pipeline of stage folders, each importing only itself and earlier stages;
 * no file takes part in an import cycle (type-only imports count: they tie the design together just as much); every
 * rule has its doc (Ruff's headings), its test file and its registry entry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rules } from '../rules';

const root = path.join(__dirname, '..');

/**
 * The stages in the order data flows (README "Layout"). `rules` is the top-level rules/ folder; `index` is the public
 * API in src/index.ts.
 */
export const STAGES = ['io', 'syntax', 'checkpoint', 'analysis', 'engine', 'torch', 'project', 'rules', 'report', 'run', 'testing', 'cli', 'index'] as const;

/** The stage of a repository-relative .ts path, or undefined for files outside src/ and rules/. */
function stageOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] === 'rules') return 'rules';
  if (parts[0] !== 'src') return undefined;
  if (parts.length === 2) return parts[1].replace(/\.ts$/, '');
  return parts[1];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Relative imports of a file (static imports and exports, `import type`, `require`), resolved to repository paths. */
export function importsOf(file: string, text: string, exists: (p: string) => boolean): string[] {
  const found: string[] = [];
  const pattern =
    /(?:^|[\s;])(?:import|export)\b[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|(?:^|[\s;])import\s*['"](\.{1,2}\/[^'"]+)['"]|(?:require|import)\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const match of text.matchAll(pattern)) {
    // `../torch/api.js` names the same module as `../torch/api` (TypeScript resolves both)
    const spec = (match[1] ?? match[2] ?? match[3]).replace(/\.js$/, '');
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const target = [`${base}.ts`, `${base}/index.ts`].find(exists);
    if (target) found.push(target);
  }
  return found;
}

/** The file-level import graph of src/ and rules/. */
function graph(): Map<string, string[]> {
  const files = [...sourceFiles('src'), ...sourceFiles('rules')];
  const known = new Set(files);
  return new Map(files.map((f) => [f, importsOf(f, fs.readFileSync(path.join(root, f), 'utf8'), (p) => known.has(p))]));
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
export function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Imports that go from a stage to a later one: `from → to`. */
export function upwardImports(edges: ReadonlyMap<string, readonly string[]>): string[] {
  const rank = (file: string) => STAGES.indexOf(stageOf(file) as (typeof STAGES)[number]);
  const wrong: string[] = [];
  for (const [from, targets] of edges) {
    for (const to of targets) if (rank(to) > rank(from)) wrong.push(`${from} → ${to}`);
  }
  return wrong;
}

/**
 * Stages a stage may import beyond the order: the engine (rule API, linter, fixer) knows nothing of checkpoints,
 * analysis or torch, so it may import only io and syntax, although analysis and checkpoint come before it.
 */
const ONLY: Partial<Record<(typeof STAGES)[number], readonly string[]>> = { engine: ['io', 'syntax', 'engine'] };

/** Imports the ONLY table forbids: `from → to`. */
export function forbiddenImports(edges: ReadonlyMap<string, readonly string[]>): string[] {
  const wrong: string[] = [];
  for (const [from, targets] of edges) {
    const allowed = ONLY[stageOf(from) as (typeof STAGES)[number]];
    if (!allowed) continue;
    for (const to of targets) if (!allowed.includes(stageOf(to) ?? '')) wrong.push(`${from} → ${to}`);
  }
  return wrong;
}

describe('architecture', () => {
  const edges = graph();

  test('every file of src/ and rules/ sits in a known stage', () => {
    expect([...edges.keys()].filter((f) => !STAGES.includes(stageOf(f) as (typeof STAGES)[number]))).toEqual([]);
  });

  test('no import cycles (type-only imports included)', () => {
    expect(cycles(edges)).toEqual([]);
  });

  test('no import against the stage order', () => {
    expect(upwardImports(edges)).toEqual([]);
  });

  test('the engine imports only io and syntax (it knows nothing of torch, analysis or checkpoints)', () => {
    expect(forbiddenImports(edges)).toEqual([]);
  });

  test('the checks themselves catch a cycle and an upward import', () => {
    const bad = new Map([
      ['src/syntax/a.ts', ['src/engine/b.ts']],
      ['src/engine/b.ts', ['src/syntax/a.ts']],
    ]);
    expect(cycles(bad)).toEqual([['src/engine/b.ts', 'src/syntax/a.ts']]);
    expect(upwardImports(bad)).toEqual(['src/syntax/a.ts → src/engine/b.ts']);
    expect(forbiddenImports(new Map([['src/engine/rule.ts', ['src/checkpoint/dangerous.ts', 'src/syntax/parse.ts']]]))).toEqual([
      'src/engine/rule.ts → src/checkpoint/dangerous.ts',
    ]);
    const dynamic = "const t = import('../torch/api');\nimport type { L } from '../torch/api.js';\n";
    expect(importsOf('src/syntax/a.ts', dynamic, (p) => p === 'src/torch/api.ts')).toEqual(['src/torch/api.ts', 'src/torch/api.ts']);
    const text = "import type { X } from '../engine/b';\nexport { Y } from './c';\nconst z = require('../engine/b');\n";
    expect(importsOf('src/syntax/a.ts', text, (p) => ['src/engine/b.ts', 'src/syntax/c.ts'].includes(p))).toEqual([
      'src/engine/b.ts',
      'src/syntax/c.ts',
      'src/engine/b.ts',
    ]);
  });

  const RUFF_HEADINGS = ['## What it does', '## Why is this bad?', '## Example', '## Use instead', '## Fix safety', '## Options', '## References'];
  const registered = rules.map((r) => r.meta.id);

  test.each(registered)('%s has its doc with Ruff headings and its test file', (id) => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'rules', `${id}.md`), 'utf8');
    const headings = doc.split('\n').filter((l) => l.startsWith('## '));
    expect(RUFF_HEADINGS.filter((h) => !headings.includes(h))).toEqual([]);
    expect(fs.existsSync(path.join(root, 'test', 'rules', `${id}.test.ts`))).toBe(true);
  });

  test('every rule file is registered, docs and tests have a rule', () => {
    const files = fs
      .readdirSync(path.join(root, 'rules'))
      .filter((f) => f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''));
    expect(files.sort()).toEqual([...registered].sort());
    expect(
      fs
        .readdirSync(path.join(root, 'docs', 'rules'))
        .map((f) => f.replace(/\.md$/, ''))
        .sort(),
    ).toEqual([...registered].sort());
    // (besides the rule tests, test/rules/ holds their message snapshots in __snapshots__/)
    expect(
      fs
        .readdirSync(path.join(root, 'test', 'rules'))
        .filter((f) => f !== '__snapshots__')
        .map((f) => f.replace(/\.test\.ts$/, ''))
        .sort(),
    ).toEqual([...registered].sort());
  });
});
