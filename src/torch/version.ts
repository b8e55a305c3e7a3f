/**
 * Which torch versions a project allows, read from what it declares: requirements*.txt, pyproject.toml (PEP 621 and
 * Poetry), setup.cfg, setup.py `install_requires` literals and environment.yml. The question most rules ask is whether
 * a torch older than 2.6 — where torch.load defaults to weights_only=False (PR #137602) — may be installed; each
 * declaration also says where it is written ({@link DeclarationSpan}), for findings at the declaration itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as SmolToml from 'smol-toml';
import type * as Yaml from 'yaml';
import type { Parser } from 'web-tree-sitter';
import { parsePython } from '../syntax/parse';
import { decodeUtf16, isSpecialFile, NotRegularFileError, readRegularFile } from '../io/read';
import type { Node } from '../syntax/parse';
import { callArguments, namedChildren, stringValue, unparen } from '../syntax/python';
import { allowedVersions, compareReleases, lowestOf, releaseOf, toPep440, type Dialect } from './specifier';

// the TOML and YAML parsers load with the first pyproject.toml or environment.yml read (startup, issue 12)
const parseToml = (text: string): unknown => (require('smol-toml') as typeof SmolToml).parse(text); // eslint-disable-line @typescript-eslint/no-require-imports
const parseYaml = (text: string): unknown => (require('yaml') as typeof Yaml).parse(text); // eslint-disable-line @typescript-eslint/no-require-imports

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
  /** The declarations judged, in the order read; absent when nothing is declared. */
  declarations?: readonly Declaration[];
}

/**
 * Where a declaration is written in its file's text (the decoded text without BOM). Offsets are 0-based UTF-16 code
 * units (JavaScript string indices), `[start, end)`; `line` and `column` are 1-based, columns in UTF-16 code units.
 */
export interface DeclarationSpan {
  /** Line of the requirement's start. */
  line: number;
  /** Column of the requirement's start. */
  column: number;
  /**
   * The requirement: `torch>=2.0` of `torch>=2.0 ; python_version > "3.8"` (inside the quotes of a TOML or Python
   * string), `torch = "^2.0"` in Poetry, `pytorch>=2.0` in environment.yml.
   */
  range: [number, number];
  /**
   * The version specifier alone, as written (`>=2.0`, `^2.0`): empty, right after the name, when the requirement
   * names no version (`torch`); undefined when the version is not written as a specifier there (a wheel URL, a Poetry
   * table without `version`, a conda build string).
   */
  specifier?: [number, number];
}

/** A declared torch requirement: the file (relative name) and the specifier text as written. */
export interface Declaration {
  file: string;
  /** The requirement for messages: `torch>=2.0`, `torch = "^2.0"`, `pytorch=2.6=py3_cuda`. */
  spec: string;
  /** The specifier as PEP 440 alternatives (see `toPep440`); undefined when it cannot be read. */
  ranges: string[] | undefined;
  /** How the text at `span.specifier` is spelled (see `toPep440`). */
  dialect: Dialect;
  /** Where it is written; undefined when it is not written in a file (config `torchVersion`) or cannot be placed. */
  span?: DeclarationSpan;
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

/** A torch requirement found in a string: its specifier, and offsets into that string (see {@link DeclarationSpan}). */
interface Requirement {
  spec: string;
  range: [number, number];
  specifier?: [number, number];
}

/**
 * `torch>=2.6 ; python_version > "3.8"` → `>=2.6` (offsets 5 to 10), or undefined when the requirement is not about
 * torch. A direct URL (`torch @ https://…`) comes back as `@…`, with no specifier offsets: no version is read from it.
 */
function torchSpec(requirement: string): Requirement | undefined {
  const match = /^(\s*)(([A-Za-z0-9][A-Za-z0-9._-]*)(?:\s*\[[^\]]*\])?)\s*(.*)$/.exec(requirement);
  if (!match || match[3].toLowerCase().replace(/[._]/g, '-') !== 'torch') return undefined;
  const start = match[1].length;
  const nameEnd = start + match[2].length;
  const at = requirement.length - match[4].length;
  const spec = match[4].split(';')[0].trim();
  if (!spec) return { spec, range: [start, nameEnd], specifier: [nameEnd, nameEnd] };
  const end = at + spec.length;
  return { spec, range: [start, end], specifier: spec.startsWith('@') ? undefined : [at, end] };
}

/** A `torch<spec>` requirement found in `file`; a direct URL (`torch @ https://…`) has no readable version. */
function declaration(file: string, spec: string, span?: DeclarationSpan): Declaration {
  return {
    file,
    spec: `torch${spec}`,
    ranges: spec.startsWith('@') ? undefined : toPep440(spec),
    dialect: 'pep440',
    ...(span && { span }),
  };
}

/** The span of `requirement` (offsets into a string) when that string starts at `offset` of `text`. */
function spanAt(text: string, offset: number, requirement: Pick<Requirement, 'range' | 'specifier'>): DeclarationSpan {
  const start = offset + requirement.range[0];
  const before = text.slice(0, start);
  const { specifier } = requirement;
  return {
    line: before.split('\n').length,
    column: start - (before.lastIndexOf('\n') + 1) + 1,
    range: [start, offset + requirement.range[1]],
    ...(specifier && { specifier: [offset + specifier[0], offset + specifier[1]] }),
  };
}

/**
 * Where the string `value` is written in `text`, as the offset of its first character: quoted
 * (TOML) or, with `plain`, also bare (YAML), not inside a longer name. Offsets in `used` are skipped, so that the
 * same requirement written twice is found twice; undefined when it is not found.
 */
function stringAt(text: string, value: string, used: Set<number>, plain = false): number | undefined {
  for (let i = text.indexOf(value); i !== -1; i = text.indexOf(value, i + 1)) {
    const before = text[i - 1] ?? '';
    const after = text[i + value.length] ?? '';
    const quoted = (before === '"' || before === "'") && after === before;
    const bare = plain && !/[\w.-]/.test(before) && !/[^\s#,\]}]/.test(after);
    if ((quoted || bare) && !used.has(i)) {
      used.add(i);
      return i;
    }
  }
  return undefined;
}

/**
 * A declaration file's text: UTF-8 (a BOM dropped), or UTF-16 when it starts with a UTF-16 BOM (what PowerShell's
 * `pip freeze > requirements.txt` writes, and pip reads).
 */
function readText(file: string): string {
  const bytes = readRegularFile(file);
  return decodeUtf16(bytes) ?? bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/** `https://…/torch-1.12.1%2Bcpu-cp310-….whl` or `./wheels/torch-2.6.0-….whl`: a pinned wheel's version. */
const TORCH_WHEEL = /(?:^|[/=])torch-(\d+(?:\.\d+)*)[^/\s]*\.whl(?:[#?]\S*)?$/i;

/**
 * The declarations of a requirements file's text; `include(target)` reads what a `-r target` line includes (not
 * followed when absent).
 */
function requirementsDeclarations(
  name: string,
  text: string,
  include?: (target: string) => Declaration[],
): Declaration[] {
  const found: Declaration[] = [];
  let offset = 0;
  for (const raw of text.split('\n')) {
    const code = raw.replace(/\r$/, '').replace(/(^|\s)#.*$/, '');
    const trimmed = code.trim();
    const includes = /^(?:-r|--requirement)\s*=?\s*(\S+)/.exec(trimmed);
    if (includes && include) found.push(...include(includes[1]));
    const wheel = TORCH_WHEEL.exec(trimmed);
    const lead = code.length - code.trimStart().length;
    if (wheel)
      found.push(declaration(name, `==${wheel[1]}`, spanAt(text, offset, { range: [lead, lead + trimmed.length] })));
    const requirement = torchSpec(code);
    if (requirement) found.push(declaration(name, requirement.spec, spanAt(text, offset, requirement)));
    offset += raw.length + 1;
  }
  return found;
}

function fromRequirementsTxt(dir: string, name: string, seen: Set<string>): Declaration[] {
  const file = path.join(dir, name);
  if (seen.has(file) || !fs.existsSync(file)) return [];
  seen.add(file);
  const relative = path.relative(dir, file) || name;
  return requirementsDeclarations(relative, readText(file), (target) =>
    fromRequirementsTxt(dir, path.join(path.dirname(relative), target), seen),
  );
}

function pyprojectDeclarations(text: string): Declaration[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TOML of any shape, read defensively below
  const data = parseToml(text) as Record<string, any>;
  const found: Declaration[] = [];
  const used = new Set<number>();
  // PEP 621 dependencies and extras, and PEP 735 dependency groups
  const pep621 = [
    ...(data.project?.dependencies ?? []),
    ...Object.values(data.project?.['optional-dependencies'] ?? {}).flat(),
    ...Object.values(data['dependency-groups'] ?? {}).flat(),
  ];
  for (const req of pep621) {
    const requirement = typeof req === 'string' ? torchSpec(req) : undefined;
    if (!requirement) continue;
    const at = stringAt(text, req as string, used);
    found.push(
      declaration('pyproject.toml', requirement.spec, at === undefined ? undefined : spanAt(text, at, requirement)),
    );
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
    found.push({
      file: 'pyproject.toml',
      spec: `torch = "${spec}"`,
      ranges: toPep440(spec, 'poetry'),
      dialect: 'poetry',
      ...poetrySpan(text, spec, spec === '*' && typeof value !== 'string', used),
    });
  }
  return found;
}

/**
 * Where Poetry's `torch = "^2.0"` (or `torch = { version = "^2.0", … }`) is written: the key line whose version
 * string is `spec` (any unused `torch =` line when `tableOnly`, a table without a version).
 */
function poetrySpan(text: string, spec: string, tableOnly: boolean, used: Set<number>): { span?: DeclarationSpan } {
  for (const key of text.matchAll(/^[ \t]*(["']?)torch\1[ \t]*=[^\n]*/gm)) {
    const start = key.index + key[0].length - key[0].trimStart().length;
    if (used.has(start)) continue;
    const quoted = tableOnly ? undefined : /(["'])([^"'\n]*)\1/.exec(key[0].slice(key[0].indexOf('=')));
    if (!tableOnly && quoted?.[2] !== spec) continue;
    used.add(start);
    const equals = key.index + key[0].indexOf('=');
    const specStart = quoted ? equals + quoted.index + 1 : undefined;
    const range: [number, number] =
      specStart === undefined ? [start, start + 'torch'.length] : [start, specStart + spec.length + 1];
    return {
      span: spanAt(text, 0, {
        range,
        ...(specStart !== undefined && { specifier: [specStart, specStart + spec.length] as [number, number] }),
      }),
    };
  }
  return {};
}

function setupCfgDeclarations(text: string): Declaration[] {
  const found: Declaration[] = [];
  let section = '';
  let inList = false;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    const key = header ? null : /^(\S[^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (header) {
      section = header[1].trim();
      inList = false;
    } else if (key) {
      inList = (section === 'options' && key[1] === 'install_requires') || section === 'options.extras_require';
      if (inList && key[2].trim()) found.push(...specsIn(key[2], offset + line.length - key[2].length));
    } else if (inList && /^\s+\S/.test(line)) found.push(...specsIn(line, offset));
    offset += raw.length + 1;
  }
  return found;

  function specsIn(value: string, at: number): Declaration[] {
    const requirement = torchSpec(value.replace(/(^|\s)#.*$/, ''));
    return requirement ? [declaration('setup.cfg', requirement.spec, spanAt(text, at, requirement))] : [];
  }
}

/**
 * The torch declarations of a setup.py module (its tree's root, and its text): string literals of `install_requires`
 * and `extras_require` in any call, directly or through a module-level list, with their spans in the module's text.
 */
export function setupPyDeclarations(root: Node, text: string): Declaration[] {
  const found: Declaration[] = [];
  const lists = new Map<string, Node[]>();
  // module-level `REQUIREMENTS = [...]` lists, for `install_requires=REQUIREMENTS`
  for (const stmt of namedChildren(root)) {
    const assignment = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
    const right = assignment?.childForFieldName('right');
    if (left?.type === 'identifier' && (right?.type === 'list' || right?.type === 'tuple'))
      lists.set(left.text, namedChildren(right));
  }
  for (const call of root.descendantsOfType('call')) {
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
              ? namedChildren(v).flatMap((pair) =>
                  // the values' strings: a key names an extra (`"torch": [...]`), not a requirement
                  (pair.childForFieldName('value')?.descendantsOfType('string') ?? []).filter(
                    (s): s is Node => s !== null,
                  ),
                )
              : [];
      for (const item of items) {
        const literal = stringValue(item);
        // `"torch>=" + MIN_TORCH`: a torch requirement whose bound cannot be read bounds nothing
        if (literal === undefined && /\btorch\b/.test(item.text)) {
          const at = { range: [0, item.endIndex - item.startIndex] as [number, number] };
          found.push({
            file: 'setup.py',
            spec: item.text,
            ranges: undefined,
            dialect: 'pep440',
            span: spanAt(text, item.startIndex, at),
          });
        }
        const requirement = literal === undefined ? undefined : torchSpec(literal);
        // the literal's characters start after its opening quote (string_start: prefix and quote)
        const start = unparen(item).child(0)?.endIndex;
        if (requirement && start !== undefined)
          found.push(declaration('setup.py', requirement.spec, spanAt(text, start, requirement)));
      }
    }
  }
  return found;
}

function fromSetupPy(file: string, parser: Parser): Declaration[] {
  const text = readText(file);
  const tree = parsePython(parser, text);
  try {
    return setupPyDeclarations(tree.rootNode, text);
  } finally {
    tree.delete();
  }
}

function environmentDeclarations(name: string, text: string): Declaration[] {
  const data = parseYaml(text) as { dependencies?: unknown[] } | null;
  const found: Declaration[] = [];
  const used = new Set<number>();
  for (const dep of data?.dependencies ?? []) {
    if (typeof dep === 'string') {
      // conda match spec: `pytorch=2.6`, `pytorch>=2.6`, `pytorch 2.6.*`, `pytorch=2.6=py3_cuda`
      const conda = /^\s*(?:[\w-]+::)?(pytorch|torch)(?![\w.-])\s*(.*)$/.exec(dep);
      if (!conda) continue;
      const written = conda[2].trim();
      const spec = written.replace(/(\d[\w.*]*)=\S*$/, '$1'); // drop a build string
      const at = stringAt(text, dep, used, true);
      const specStart = dep.length - conda[2].length;
      const requirement = {
        range: [dep.length - dep.trimStart().length, dep.trimEnd().length] as [number, number],
        ...(spec === written && { specifier: [specStart, specStart + spec.length] as [number, number] }),
      };
      found.push({
        file: name,
        spec: dep.trim(),
        ranges: toPep440(spec, 'conda'),
        dialect: 'conda',
        ...(at !== undefined && { span: spanAt(text, at, requirement) }),
      });
    } else if (dep && typeof dep === 'object' && Array.isArray((dep as { pip?: unknown }).pip)) {
      for (const req of (dep as { pip: unknown[] }).pip) {
        const requirement = typeof req === 'string' ? torchSpec(req) : undefined;
        if (!requirement) continue;
        const at = stringAt(text, req as string, used, true);
        found.push(declaration(name, requirement.spec, at === undefined ? undefined : spanAt(text, at, requirement)));
      }
    }
  }
  return found;
}

/**
 * The kind of declaration file `filePath` is, by its name (any `.txt` under a `requirements/` folder, at any depth,
 * is a requirements file); undefined for any other file.
 */
function declarationKind(
  filePath: string,
): 'requirements' | 'pyproject' | 'setup.cfg' | 'setup.py' | 'environment' | undefined {
  const name = path.basename(filePath);
  if (
    /^requirements.*\.txt$/.test(name) ||
    (name.endsWith('.txt') && path.dirname(filePath).split(/[\\/]/).includes('requirements'))
  )
    return 'requirements';
  if (name === 'pyproject.toml') return 'pyproject';
  if (name === 'setup.cfg' || name === 'setup.py') return name;
  return /^environment\.ya?ml$/.test(name) ? 'environment' : undefined;
}

/**
 * The torch declarations written in one declaration file (`requirements*.txt` and `requirements/*.txt`,
 * pyproject.toml, setup.cfg, environment.yml), from its text, each with its span; `-r` includes are not followed
 * (each file is read on its own), and setup.py is read from its tree ({@link setupPyDeclarations}). Empty for other
 * files and for TOML or YAML that does not parse.
 */
export function declarationsInFile(filePath: string, text: string): Declaration[] {
  const name = path.basename(filePath);
  try {
    switch (declarationKind(filePath)) {
      case 'requirements':
        return requirementsDeclarations(name, text);
      case 'pyproject':
        return pyprojectDeclarations(text);
      case 'setup.cfg':
        return setupCfgDeclarations(text);
      case 'environment':
        return environmentDeclarations(name, text);
      default:
        return [];
    }
  } catch {
    return []; // malformed TOML/YAML: the project's own tools will complain
  }
}

/**
 * Requirements files for building docs or linting (`requirements/docs.txt`, `requirements-doc.txt`,
 * `readthedocs.txt`): the environment they describe does not run the project's loads, so their torch line decides
 * nothing (mmengine's `requirements/docs.txt` says `torch` while the runtime file says nothing). Still read when
 * another requirements file includes them with `-r`.
 */
const DOCS_ONLY = /(^|[-_.])(docs?|readthedocs|rtd|sphinx|mkdocs|lint|style)([-_.]|$)/i;

/**
 * Reads every declaration file of `dir`. A file that cannot be parsed is skipped (it decides nothing); one that is a
 * FIFO, socket or device (or a link to one) is not read, and `special` is told its path.
 */
function declarationsIn(dir: string, parser: Parser, special?: (file: string) => void): Declaration[] {
  const found: Declaration[] = [];
  const runtime = (entry: string) => !DOCS_ONLY.test(entry.replace(/\.txt$/, ''));
  const skipped = (error: unknown) => {
    if (error instanceof NotRegularFileError && isSpecialFile(error.file)) special?.(error.file);
  };
  // a `requirements/` folder of *.txt files counts as requirements files of this folder
  const reqDir = path.join(dir, 'requirements');
  let reqEntries: string[] = [];
  try {
    reqEntries = fs.readdirSync(reqDir).sort();
  } catch {
    // no such folder
  }
  for (const entry of reqEntries)
    try {
      if (entry.endsWith('.txt') && runtime(entry))
        found.push(...fromRequirementsTxt(dir, path.join('requirements', entry), new Set()));
    } catch (error) {
      skipped(error); // an unreadable file: we judge from the other files
    }
  for (const entry of fs.readdirSync(dir).sort()) {
    if (!DECLARATION_FILES.test(entry)) continue;
    const file = path.join(dir, entry);
    try {
      if (entry.startsWith('requirements')) {
        if (runtime(entry)) found.push(...fromRequirementsTxt(dir, entry, new Set()));
      } else if (entry === 'setup.py') found.push(...fromSetupPy(file, parser));
      else found.push(...declarationsInFile(file, readText(file)));
    } catch (error) {
      skipped(error); // an unreadable file: we judge from the other files
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
  const verdict: TorchRequirement = { allowsBefore26: old !== undefined, source: decisive.label, declarations };
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
 * Declaration files that are FIFOs, sockets or devices are not read: `special` is told each one's path (absolute).
 */
export function torchRequirementFor(
  dir: string,
  parser: Parser,
  cache: Map<string, TorchRequirement>,
  override?: { spec: string; file: string },
  special?: (file: string) => void,
): TorchRequirement {
  if (override)
    return judge([
      {
        file: override.file,
        spec: `torchVersion "${override.spec}"`,
        ranges: toPep440(/^\d/.test(override.spec) ? `==${override.spec}` : override.spec),
        dialect: 'pep440',
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
  if (hasDeclarations) {
    const declarations = declarationsIn(dir, parser, special);
    result = judge(declarations);
    // the nearest declaration files decide, also when they name no torch (a folder's own requirements may install
    // any torch); say which, or the message would read as if the project declared nothing
    if (declarations.length === 0) result = { ...result, source: nearestFiles(dir) };
  }
  // the walk stops at the repository's root: what lies above it belongs to no project of this one
  else if (path.dirname(dir) === dir || fs.existsSync(path.join(dir, '.git'))) result = judge([]);
  else result = torchRequirementFor(path.dirname(dir), parser, cache, undefined, special);
  cache.set(dir, result);
  return result;
}

/** What decided when `dir`'s declaration files name no torch: those files and the folder, for messages. */
function nearestFiles(dir: string): string {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(dir).filter((e) => DECLARATION_FILES.test(e) || e === 'requirements');
  } catch {
    // read a moment ago
  }
  const files = entries
    .sort()
    .map((e) => (e === 'requirements' ? 'requirements/' : e))
    .join(', ');
  return `no torch requirement read from ${files} (in ${path.basename(dir)}/, the nearest folder with declaration files)`;
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
