/**
 * The safe_globals repair: wrap the statement that loads a checkpoint in `with safe_globals([...]):` naming exactly
 * the classes the checkpoint needs, and load it with `weights_only=True`. The class list comes from evidence (the
 * checkpoint file itself, read by the inspector; saves of the same path; config `trustedGlobals`), and every name on
 * it must be vouched for by the classification the inspector uses (checkpoint/classify.ts): torch's defaults, a class
 * of this project, `trustedGlobals`, or the reviewed known-data list; an `unknown` name gives no fix.
 * Facts: `torch.serialization.safe_globals` is a context manager from torch 2.5; `(obj, "module.Name")` entries
 * from torch 2.6 (docs/torch-facts.md).
 */
import { allowlistFor, atLeast, type Inspection } from '../../checkpoint/inspect';
import { classifyGlobal, importModuleFor, mayAllowlist } from '../../checkpoint/classify';
import { judgingVersion } from '../version';
import { projectVouchers } from '../checkpoint-sites';
import type { Fix } from '../../engine/rule';
import { planImports } from '../../syntax/imports';
import { type Node, parentOf } from '../../syntax/parse';
import { stringValue, unparen } from '../../syntax/python';
import type { FileScopes } from '../../syntax/scope';
import { type LoadCall, pathArgument } from '../api';
import type { CheckpointReference } from '../checkpoint-sites';
import type { ProjectContext } from '../services';

/** What a rule passes in: the file, its scopes and project, as in `RuleContext`. */
export interface FixContext {
  filePath: string;
  text: string;
  root: Node;
  scopes: FileScopes;
  project: ProjectContext;
}

/** The checkpoint file a load names by a string literal, as the inspector saw it; undefined when there is none. */
export function checkpointOf(
  context: { filePath: string; project: ProjectContext },
  load: LoadCall,
): CheckpointReference | undefined {
  const path = pathArgument(load);
  const literal = path && stringValue(unparen(path));
  return literal === undefined ? undefined : context.project.checkpoint?.(context.filePath, literal);
}

/** A planned fix, or why there is none (for messages and suggestions). */
export type SafeGlobalsPlan = { fix: Fix[] } | { reason: string };

/** The statements a `with` block can wrap: simple statements alone on their lines. */
const WRAPPABLE = new Set(['expression_statement', 'return_statement']);

/**
 * Plans the safe_globals repair of `call` (a torch.load-family call whose result is used as an object) for the
 * globals `needed` (`module.Name` as torch records them: a checkpoint's needs-allowlist names, or `trustedGlobals`).
 * `weightsOnly` is the edit that makes the call load with
 * `weights_only=True` (added argument or `False` → `True`); undefined when it already does. `numpyDtypes`: for a
 * list read from a checkpoint, the dtype codes it passes to numpy.dtype, whose classes are allowlisted as
 * `type(dtype("f8"))` (without any, a list needing numpy.dtype is incomplete and refused). Returns the edits (imports,
 * the `with` line, the
 * re-indented statement, the weights_only edit), or the reason no fix is possible.
 */
export function planSafeGlobals(
  context: FixContext,
  call: Node,
  needed: readonly string[],
  weightsOnly: Fix | undefined,
  numpyDtypes?: readonly string[],
): SafeGlobalsPlan {
  const lowest = context.project.torch.lowest;
  if (lowest && !atLeast(lowest, [2, 5]))
    return {
      reason: `torch.serialization.safe_globals needs torch 2.5 or later, and the project allows ${lowest.join('.')}`,
    };
  const tuplesAllowed = !lowest || atLeast(lowest, [2, 6]);

  const statement = wrappableStatement(call);
  if (!statement) return { reason: 'the load is not a statement of its own that a `with` block can wrap' };
  if (needed.length === 0) return { reason: 'the checkpoint needs no allowlist' };

  // a fix only allowlists classes (and callables known to build plain data): an allowlisted function is called by
  // the checkpoint's REDUCE with whatever arguments it holds
  // numpy values also need each dtype's class (numpy.dtypes.Float64DType…, numpy >= 1.25 on torch 2.6+), which the
  // file does not name: written as `type(dtype("f8"))` from the dtype codes the file passes to numpy.dtype
  if (numpyDtypes && needed.includes('numpy.dtype') && numpyDtypes.length === 0) {
    return {
      reason:
        'numpy values need the class of each dtype (numpy.dtypes.*DType), and the file does not show which dtypes',
    };
  }
  // only what a positive list vouches for: an allowlisted callable is called by the checkpoint's REDUCE with whatever
  // arguments it holds, and a name that merely looks like a class (CapWords) may still run code
  // (`imaplib.IMAP4_stream`)
  const table = allowlistFor(judgingVersion(context.project.torch)?.version).names;
  const vouchers = projectVouchers(context.project.index, context.filePath, context.project.trustedGlobals, true);
  const unvouched = needed.filter((name) => !mayAllowlist(classifyGlobal(name, table, vouchers)));
  if (unvouched.length > 0) return { reason: reviewReason(unvouched) };
  // each needed global as an entry: a class imported by its name, or a (obj, "recorded.name") tuple where torch
  // recorded a name the object no longer has (numpy 2 moved numpy.core to numpy._core; a class saved from __main__)
  const imports: string[] = ['torch.serialization.safe_globals'];
  const entries: ((names: Map<string, string>) => string)[] = [];
  for (const name of needed) {
    if (name.startsWith('__main__.')) {
      const local = name.slice('__main__.'.length);
      const defined = context.scopes.module.bindings.get(local);
      if (!tuplesAllowed || !defined || !defined.every((b) => b.kind === 'class')) {
        return {
          reason: `the checkpoint pickled \`${name}\` (a class of the script that saved it), which this file does not define`,
        };
      }
      entries.push(() => `(${local}, "${name}")`);
    } else if (name.startsWith('numpy.core.') || importModuleFor(name)) {
      // recorded under a module name the object no longer has (numpy 2's numpy._core) or that not every Python has
      // (pathlib._local, Python 3.13 only): imported from where it is, allowlisted under the recorded name
      if (!tuplesAllowed)
        return {
          reason: `\`${name}\` needs the (obj, "name") entry form of torch 2.6, and the project allows older torch`,
        };
      const moved = importModuleFor(name);
      const from = moved ? `${moved}.${name.slice(name.lastIndexOf('.') + 1)}` : name;
      imports.push(from);
      entries.push((names) => `(${names.get(from)}, "${name}")`);
    } else {
      imports.push(name);
      entries.push((names) => names.get(name)!);
    }
  }
  const plan = planImports(context, imports, call);
  if (!plan) return { reason: `a name of [${needed.join(', ')}] is already bound to something else in this file` };

  const { text } = context;
  const lineStart = text.lastIndexOf('\n', statement.startIndex - 1) + 1;
  const indent = text.slice(lineStart, statement.startIndex);
  const unit = indent.includes('\t') ? '\t' : '    ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const dtypeClasses = needed.includes('numpy.dtype')
    ? (numpyDtypes ?? []).map((code) => `type(${plan.names.get('numpy.dtype')}(${JSON.stringify(code)}))`)
    : [];
  const header = `${indent}with ${plan.names.get('torch.serialization.safe_globals')}([${[...entries.map((e) => e(plan.names)), ...dtypeClasses].join(', ')}]):${eol}`;
  const edits: Fix[] = [...plan.edits, { range: [lineStart, lineStart], text: header + unit }];
  // every further line of the statement moves in by one unit (blank lines stay blank)
  for (
    let at = text.indexOf('\n', statement.startIndex);
    at !== -1 && at < statement.endIndex;
    at = text.indexOf('\n', at + 1)
  ) {
    const next = text[at + 1];
    if (next !== '\n' && next !== '\r' && at + 1 < statement.endIndex)
      edits.push({ range: [at + 1, at + 1], text: unit });
  }
  // the weights_only edit sits inside the statement: a line it adds moves in too
  if (weightsOnly) edits.push({ range: weightsOnly.range, text: weightsOnly.text.replace(/\n/g, `\n${unit}`) });
  return { fix: edits };
}

/**
 * The statement holding `call` that a `with` block can wrap: a simple statement directly in a block or the module,
 * alone on its lines (nothing before it on its first line, at most a comment after it), with no multi-line string
 * inside (re-indenting would change the string) and the call not deferred in a lambda.
 */
function wrappableStatement(call: Node): Node | undefined {
  let node: Node = call;
  let parent = parentOf(node);
  while (parent && parent.type !== 'block' && parent.type !== 'module') {
    // a lambda or a generator expression runs the load later, after the `with` block has ended
    if (['lambda', 'generator_expression', 'function_definition', 'class_definition'].includes(parent.type))
      return undefined;
    node = parent;
    parent = parentOf(node);
  }
  // in a generator, the allowlist would stay in force while it is suspended at a yield
  if (node.descendantsOfType(['yield', 'await']).some((n) => n !== null)) return undefined;
  if (!WRAPPABLE.has(node.type) || !parent) return undefined;
  const siblings = parent.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  const index = siblings.findIndex((c) => c.id === node.id);
  const before = siblings[index - 1];
  const after = siblings[index + 1];
  if (before && before.endPosition.row === node.startPosition.row) return undefined; // `a = 1; b = torch.load(p)`
  if (after && after.startPosition.row === node.endPosition.row) return undefined;
  // `if x: y = torch.load(p)` — the block starts on the header's line
  const header = parent.type === 'block' ? parentOf(parent) : null;
  if (header && header.startPosition.row === node.startPosition.row) return undefined;
  if (node.descendantsOfType('string').some((s) => s !== null && s.startPosition.row !== s.endPosition.row))
    return undefined;
  return node;
}

/** The globals a checkpoint needs allowlisted (torch reads them before the first STOP), each once, in file order. */
export function neededGlobals(inspection: Inspection): string[] {
  return inspection.needs;
}

/**
 * Why globals nothing vouches for get no allowlist: for messages and suggestions, naming them to review, never as a
 * list to paste.
 */
export function reviewReason(names: readonly string[]): string {
  const listed = names.map((name) => `\`${name}\``).join(', ');
  return names.length === 1
    ? `${listed} is unknown code: review it before allowlisting (unpickling calls it with arguments the file chooses, and neither torch's default allowlist, this project's classes, \`trustedGlobals\` nor the known data classes vouch for it)`
    : `${listed} are unknown code: review them before allowlisting (unpickling calls each with arguments the file chooses, and neither torch's default allowlist, this project's classes, \`trustedGlobals\` nor the known data classes vouch for them)`;
}
