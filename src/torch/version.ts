/**
 * Which torch versions a project allows, read from what it declares: requirements*.txt, pyproject.toml (PEP 621 and
 * Poetry), setup.cfg, setup.py `install_requires` literals and environment.yml. The one question asked is whether a
 * torch older than 2.6 — where torch.load defaults to weights_only=False (PR #137602) — may be installed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import type { Parser } from 'web-tree-sitter';
import { parsePython } from '../syntax/parse';
import { readRegularFile } from '../io/read';
import type { Node } from '../syntax/parse';
import { callArguments, namedChildren, stringValue, unparen } from '../syntax/python';
import { allowedVersions, compareReleases, lowestOf, releaseOf, toPep440, type Dialect } from './specifier';

/** The verdict for one project folder. */
export interface TorchRequirement {
  /** True when a declared requirement allows torch < 2.6, or when nothing is declared. */
  allowsBefore26: boolean;
  /** What decided, for messages: `requirements.txt: torch>=1.13`, `no torch requirement declared`, … */
  source: string;
  /**
   * The lowest torch release every declaration allows ([2, 4] for `torch>=2.4`), with `lowestSource` naming the
   * declaration; undefined when nothing is declared or some declaration is unbounded below.
   */
  lowest?: number[];
  lowestSource?: string;
}

/** A declared torch requirement: the file (relative name) and the specifier text as written. */
interface Declaration {
  file: string;
  spec: string;
  /** The specifier as PEP 440 alternatives (see `toPep440`); undefined when it cannot be read. */
  ranges: string[] | undefined;
}

const TORCH_2_6 = [2, 6];
const DECLARATION_FILES = /^(requirements.*\.txt|pyproject\.toml|setup\.cfg|setup\.py|environment\.ya?ml)$/;

/**
 * The lowest torch release a specifier allows (`>=1.13,<3` → [1, 13, 0]; `>2.5` → [2, 5, 1], the next release;
 * `>=2.5,!=2.5.*` → [2, 6, 0]), undefined when it is unbounded below, unreadable or allows nothing. PEP 440 semantics
 * through `@renovatebot/pep440`; `dialect` selects Poetry's (`^2.6`, `~2.6`, `2.6`, `a || b`) or conda's (`=2.6`,
 * `2.6.*`) spelling.
 */
export function lowestAllowed(spec: string, dialect: Dialect = 'pep440'): number[] | undefined {
  const ranges = toPep440(spec, dialect);
  return ranges && lowestOf(ranges);
}

/** `torch>=2.6 ; python_version > "3.8"` → `>=2.6`, or undefined when the line is not about torch. */
function torchSpec(requirement: string, names: readonly string[]): string | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/.exec(requirement);
  if (!match || !names.includes(match[1].toLowerCase().replace(/[._]/g, '-'))) return undefined;
  // a direct URL (`torch @ https://…`) comes back as `@…`: `declaration` reads no version from it
  return match[3].split(';')[0].trim();
}

/** A `torch<spec>` requirement found in `file`; a direct URL (`torch @ https://…`) has no readable version. */
function declaration(file: string, spec: string): Declaration {
  return { file, spec: `torch${spec}`, ranges: spec.startsWith('@') ? undefined : toPep440(spec) };
}

/**
 * A declaration file's text: UTF-8 (a BOM dropped), or UTF-16 when it starts with a UTF-16 BOM (what PowerShell's
 * `pip freeze > requirements.txt` writes, and pip reads).
 */
function readText(file: string): string {
  const bytes = readRegularFile(file);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/** `https://…/torch-1.12.1%2Bcpu-cp310-….whl` or `./wheels/torch-2.6.0-….whl`: a pinned wheel's version. */
const TORCH_WHEEL = /(?:^|[/=])torch-(\d+(?:\.\d+)*)[^/\s]*\.whl(?:[#?]\S*)?$/i;

function fromRequirementsTxt(dir: string, name: string, seen: Set<string>): Declaration[] {
  const file = path.join(dir, name);
  if (seen.has(file) || !fs.existsSync(file)) return [];
  seen.add(file);
  const found: Declaration[] = [];
  for (const line of readText(file).split(/\r?\n/)) {
    const text = line.replace(/(^|\s)#.*$/, '').trim();
    const include = /^(?:-r|--requirement)\s*=?\s*(\S+)/.exec(text);
    if (include)
      found.push(...fromRequirementsTxt(dir, path.join(path.dirname(path.relative(dir, file)), include[1]), seen));
    const wheel = TORCH_WHEEL.exec(text);
    if (wheel) found.push(declaration(path.relative(dir, file) || name, `==${wheel[1]}`));
    const spec = torchSpec(text, ['torch']);
    if (spec !== undefined) found.push(declaration(path.relative(dir, file) || name, spec));
  }
  return found;
}

function fromPyproject(file: string): Declaration[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TOML of any shape, read defensively below
  const data = parseToml(readText(file)) as Record<string, any>;
  const found: Declaration[] = [];
  // PEP 621 dependencies and extras, and PEP 735 dependency groups
  const pep621 = [
    ...(data.project?.dependencies ?? []),
    ...Object.values(data.project?.['optional-dependencies'] ?? {}).flat(),
    ...Object.values(data['dependency-groups'] ?? {}).flat(),
  ];
  for (const req of pep621) {
    const spec = typeof req === 'string' ? torchSpec(req, ['torch']) : undefined;
    if (spec !== undefined) found.push(declaration('pyproject.toml', spec));
  }
  const poetry = data.tool?.poetry;
  const tables = [
    poetry?.dependencies,
    poetry?.['dev-dependencies'],
    ...Object.values(poetry?.group ?? {}).map((g) => (g as Record<string, unknown>).dependencies),
  ];
  for (const table of tables) {
    const value = (table as Record<string, unknown> | undefined)?.torch;
    if (value === undefined) continue;
    const spec =
      typeof value === 'string'
        ? value
        : typeof (value as { version?: unknown }).version === 'string'
          ? (value as { version: string }).version
          : '*';
    found.push({ file: 'pyproject.toml', spec: `torch = "${spec}"`, ranges: toPep440(spec, 'poetry') });
  }
  return found;
}

function fromSetupCfg(file: string): Declaration[] {
  const found: Declaration[] = [];
  let section = '';
  let inList = false;
  for (const line of readText(file).split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1].trim();
      inList = false;
      continue;
    }
    const key = /^(\S[^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (key) {
      inList = (section === 'options' && key[1] === 'install_requires') || section === 'options.extras_require';
      if (inList && key[2].trim()) found.push(...specsIn(key[2]));
      continue;
    }
    if (inList && /^\s+\S/.test(line)) found.push(...specsIn(line));
  }
  return found;

  function specsIn(text: string): Declaration[] {
    const spec = torchSpec(text.replace(/(^|\s)#.*$/, ''), ['torch']);
    return spec === undefined ? [] : [declaration('setup.cfg', spec)];
  }
}

function fromSetupPy(file: string, parser: Parser): Declaration[] {
  const tree = parsePython(parser, readText(file));
  try {
    const found: Declaration[] = [];
    const lists = new Map<string, Node[]>();
    // module-level `REQUIREMENTS = [...]` lists, for `install_requires=REQUIREMENTS`
    for (const stmt of namedChildren(tree.rootNode)) {
      const assignment = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
      const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
      const right = assignment?.childForFieldName('right');
      if (left?.type === 'identifier' && (right?.type === 'list' || right?.type === 'tuple'))
        lists.set(left.text, namedChildren(right));
    }
    for (const call of tree.rootNode.descendantsOfType('call')) {
      if (!call) continue;
      for (const [name, arg] of callArguments(call).keywords) {
        if (name !== 'install_requires' && name !== 'extras_require') continue;
        const value = arg.childForFieldName('value');
        if (!value) continue;
        const v = unparen(value);
        const items =
          v.type === 'list' || v.type === 'tuple'
            ? namedChildren(v)
            : v.type === 'identifier'
              ? (lists.get(v.text) ?? [])
              : v.type === 'dictionary'
                ? v.descendantsOfType('string').filter((s): s is Node => s !== null)
                : [];
        for (const item of items) {
          const text = stringValue(item);
          // `"torch>=" + MIN_TORCH`: a torch requirement whose bound cannot be read bounds nothing
          if (text === undefined && /\btorch\b/.test(item.text))
            found.push({ file: 'setup.py', spec: item.text, ranges: undefined });
          const spec = text === undefined ? undefined : torchSpec(text, ['torch']);
          if (spec !== undefined) found.push(declaration('setup.py', spec));
        }
      }
    }
    return found;
  } finally {
    tree.delete();
  }
}

function fromEnvironmentYml(file: string): Declaration[] {
  const data = parseYaml(readText(file)) as { dependencies?: unknown[] } | null;
  const found: Declaration[] = [];
  const name = path.basename(file);
  for (const dep of data?.dependencies ?? []) {
    if (typeof dep === 'string') {
      // conda match spec: `pytorch=2.6`, `pytorch>=2.6`, `pytorch 2.6.*`, `pytorch=2.6=py3_cuda`
      const conda = /^\s*(?:[\w-]+::)?(pytorch|torch)(?![\w.-])\s*(.*)$/.exec(dep);
      if (!conda) continue;
      const spec = conda[2].trim().replace(/(\d[\w.*]*)=\S*$/, '$1'); // drop a build string
      found.push({ file: name, spec: dep.trim(), ranges: toPep440(spec, 'conda') });
    } else if (dep && typeof dep === 'object' && Array.isArray((dep as { pip?: unknown }).pip)) {
      for (const req of (dep as { pip: unknown[] }).pip) {
        const spec = typeof req === 'string' ? torchSpec(req, ['torch']) : undefined;
        if (spec !== undefined) found.push(declaration(name, spec));
      }
    }
  }
  return found;
}

/** Reads every declaration file of `dir`. A file that cannot be parsed is skipped (it decides nothing). */
function declarationsIn(dir: string, parser: Parser): Declaration[] {
  const found: Declaration[] = [];
  // a `requirements/` folder of *.txt files counts as requirements files of this folder
  const reqDir = path.join(dir, 'requirements');
  try {
    for (const entry of fs.readdirSync(reqDir).sort())
      if (entry.endsWith('.txt')) found.push(...fromRequirementsTxt(dir, path.join('requirements', entry), new Set()));
  } catch {
    // no such folder
  }
  for (const entry of fs.readdirSync(dir).sort()) {
    if (!DECLARATION_FILES.test(entry)) continue;
    const file = path.join(dir, entry);
    try {
      if (entry.startsWith('requirements')) found.push(...fromRequirementsTxt(dir, entry, new Set()));
      else if (entry === 'pyproject.toml') found.push(...fromPyproject(file));
      else if (entry === 'setup.cfg') found.push(...fromSetupCfg(file));
      else if (entry === 'setup.py') found.push(...fromSetupPy(file, parser));
      else found.push(...fromEnvironmentYml(file));
    } catch {
      // malformed TOML/YAML: the project's own tools will complain; we judge from the other files
    }
  }
  return found;
}

/**
 * The verdict from declarations: allows < 2.6 when any declaration does (naming the first that does), else not
 * (naming the first declaration); and the lowest release allowed by all of them. A declaration that cannot be read,
 * or that allows no torch release at all (`>=2.6,<2.5`), bounds nothing.
 */
export function judge(declarations: readonly Declaration[]): TorchRequirement {
  if (declarations.length === 0) return { allowsBefore26: true, source: 'no torch requirement declared' };
  const judged = declarations.map((d) => {
    const allowed = d.ranges && allowedVersions(d.ranges);
    const label = allowed?.length === 0 ? `${d.file}: ${d.spec} (allows no torch release)` : `${d.file}: ${d.spec}`;
    return { label, lowest: d.ranges && lowestOf(d.ranges), first: allowed?.[0] };
  });
  const old = judged.find((d) => d.first === undefined || compareReleases(releaseOf(d.first)!, TORCH_2_6) < 0);
  const decisive = old ?? judged[0];
  const verdict: TorchRequirement = { allowsBefore26: old !== undefined, source: decisive.label };
  if (judged.every((d) => d.lowest)) {
    const lowest = judged.reduce((a, b) => (compareReleases(a.lowest!, b.lowest!) <= 0 ? a : b));
    verdict.lowest = lowest.lowest;
    verdict.lowestSource = lowest.label;
  }
  return verdict;
}

/** The verdict for one declared specifier (`">=2.4"`) in `file`, as if read from that file. */
export function declaredRequirement(spec: string, file = 'requirements.txt'): TorchRequirement {
  return judge([declaration(file, spec)]);
}

/**
 * Finds the torch requirement for files in `dir`: `override` (config `torchVersion`) if given, else the declarations
 * in the nearest folder at or above `dir` that has a declaration file. Results are cached per folder in `cache`.
 */
export function torchRequirementFor(
  dir: string,
  parser: Parser,
  cache: Map<string, TorchRequirement>,
  override?: { spec: string; file: string },
): TorchRequirement {
  if (override)
    return judge([
      {
        file: override.file,
        spec: `torchVersion "${override.spec}"`,
        ranges: toPep440(/^\d/.test(override.spec) ? `==${override.spec}` : override.spec),
      },
    ]);
  const cached = cache.get(dir);
  if (cached) return cached;
  let result: TorchRequirement;
  const hasDeclarations = (() => {
    try {
      return fs.readdirSync(dir).some((e) => DECLARATION_FILES.test(e) || e === 'requirements');
    } catch {
      return false;
    }
  })();
  if (hasDeclarations) result = judge(declarationsIn(dir, parser));
  // the walk stops at the repository's root: what lies above it belongs to no project of this one
  else if (path.dirname(dir) === dir || fs.existsSync(path.join(dir, '.git'))) result = judge([]);
  else result = torchRequirementFor(path.dirname(dir), parser, cache);
  cache.set(dir, result);
  return result;
}

/**
 * The torch release checkpoints of a project are judged by: the lowest one its declarations allow, as [major, minor]
 * (a checkpoint should load on every torch the project allows, and allowlists only grow), with the declaration that
 * says so; undefined when nothing bounds it below (the inspector then judges by the newest table).
 */
export function judgingVersion(
  requirement: TorchRequirement,
): { version: [number, number]; source: string } | undefined {
  if (!requirement.lowest) return undefined;
  return {
    version: [requirement.lowest[0], requirement.lowest[1] ?? 0],
    source: requirement.lowestSource ?? requirement.source,
  };
}
