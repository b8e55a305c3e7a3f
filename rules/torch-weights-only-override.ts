import type { Node } from '../src/syntax/parse';
import {
  type CallArguments,
  callArguments,
  methodName,
  namedChildren,
  stringValue,
  unparen,
} from '../src/syntax/python';
import { createRule } from '../src/engine/rule';
import type { FileScopes } from '../src/syntax/scope';
import { constantValue } from '../src/analysis/constants';
import { isCertainlyFalse, isSaveCall, LOAD_FUNCTIONS } from '../src/torch/api';

/**
 * Process-wide weakening of torch.load: the environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD, or replacing
 * torch.load with something that forces weights_only=False or passes a pickle_module. Either reaches every torch.load
 * in the process, library code included. src/torch/prescan.ts looks for the same forms in the text of every file (the
 * rule's test checks that it sees every form reported here): keep the two in step.
 */

/** PyTorch docs, "Miscellaneous Environment Variables" (2.6): the values that switch the variable on. */
const ENV = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD';
const TRUTHY = new Set(['1', 'y', 'yes', 'true']);

/** A value a process sets the variable to: literal truthy values and values we cannot read count; "0" does not. */
function switchesOn(value: Node | undefined): boolean {
  if (!value) return true;
  const literal = stringValue(value);
  return literal === undefined || TRUTHY.has(literal); // torch compares the exact strings
}

function textSwitchesOn(value: string): boolean {
  const v = value.replace(/^["']|["']$/g, '').trim();
  // `${TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD:-1}`, `$FLAG`: not a literal, so it may well be on
  return v.includes('$') || v.includes('%') || TRUTHY.has(v);
}

/**
 * Calls that start a process with the environment passed as `env=` (Python docs, subprocess and asyncio
 * subprocess): the variable set there weakens every torch.load of the child process.
 */
const SPAWNERS = new Set([
  'subprocess.run',
  'subprocess.Popen',
  'subprocess.call',
  'subprocess.check_call',
  'subprocess.check_output',
  'asyncio.create_subprocess_exec',
  'asyncio.create_subprocess_shell',
]);

/** os functions that start a process with an explicit environment, and that argument's position (Python docs, os). */
const OS_SPAWNERS: ReadonlyMap<string, number> = new Map([
  ['os.execve', 2],
  ['os.execvpe', 2],
  ['os.spawnve', 3],
  ['os.spawnvpe', 3],
]);

export default createRule({
  meta: {
    id: 'torch-weights-only-override',
    type: 'problem',
    docs: {
      description:
        'Disallow turning weights_only off for the whole process (TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD, patched ' +
        'torch.load).',
    },
    hasSuggestions: false,
    messages: {
      env:
        'Setting TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD makes every torch.load in the process that omits weights_only ' +
        'unpickle with full pickle (code execution on a malicious file), library code included. Remove it and ' +
        'allowlist the exact trusted classes with `torch.serialization.safe_globals([...])`.',
      envChild:
        'Setting TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD in {{where}} makes every torch.load of the child process that ' +
        'omits weights_only unpickle with full pickle (code execution on a malicious file), library code included. ' +
        'Remove it and allowlist the exact trusted classes with `torch.serialization.safe_globals([...])`.',
      envFile:
        'Setting TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD ({{kind}}) makes every torch.load that omits weights_only ' +
        'unpickle with full pickle (code execution on a malicious file), library code included. Remove it and ' +
        'allowlist the exact trusted classes with `torch.serialization.safe_globals([...])`.',
      defaultPatch:
        'Replacing `{{target}}` switches the weights_only default off for every torch.load in the process (code ' +
        'execution on a malicious file), library code included. Load with `weights_only=True` and ' +
        '`torch.serialization.safe_globals([...])` where it is needed.',
      patch:
        'Replacing `{{target}}` with {{how}} that forces `weights_only=False` turns off safe loading for every ' +
        'caller in the process (code execution on a malicious file), library code included. Load with ' +
        '`weights_only=True` and `torch.serialization.safe_globals([...])` where it is needed.',
      patchPickleModule:
        'Replacing `{{target}}` with {{how}} that passes `pickle_module` turns off safe loading for every caller ' +
        'in the process that omits weights_only: torch >= 2.6 defaults to weights_only=True only when no ' +
        'pickle_module is passed (code execution on a malicious file), library code included. Load with ' +
        '`weights_only=True` and `torch.serialization.safe_globals([...])` where it is needed.',
    },
    schema: false,
    defaultSeverity: 'error',
    security: { severity: 9.0, precision: 'high', cwe: ['CWE-502'] },
  },
  defaultOptions: {},
  create(context) {
    const { scopes } = context;
    /** Judges a write of `value` to the attribute chain named `target`. */
    const attributeWrite = (node: Node, target: string | undefined, value: Node | undefined): void => {
      if (!target) return;
      const kind = targetKind(target);
      if (kind === 'switch' || kind === 'kwdefaults') {
        if (!value || isSavedOriginal(value, target, scopes)) return;
        if (kind === 'kwdefaults' && !defaultsDictWeakens(value, target, scopes)) return;
        context.report({ node, messageId: 'defaultPatch', data: { target } });
      } else if (kind === 'loader' && value) {
        const how = weakeningReplacement(value, scopes);
        if (how)
          context.report({
            node,
            messageId: how.via === 'pickle_module' ? 'patchPickleModule' : 'patch',
            data: { target, how: how.how },
          });
      }
    };
    return {
      assignment(node: Node) {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right') ?? undefined;
        if (!left) return;
        if (left.type === 'subscript') {
          const value = left.childForFieldName('value');
          const key = left.childForFieldName('subscript');
          if (!value) return;
          // os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"; env["…"] = "1" on a copy of os.environ
          if (isEnvName(key, scopes)) {
            if (!switchesOn(right)) return;
            if (isEnviron(value, scopes)) context.report({ node, messageId: 'env' });
            else if (isEnvironCopy(value, scopes))
              context.report({ node, messageId: 'envChild', data: { where: 'a copy of `os.environ`' } });
            return;
          }
          // torch.load.__kwdefaults__["weights_only"] = False
          const target = chainName(value, undefined, scopes);
          if (target && targetKind(target) === 'kwdefaults' && key && keyWeakens(key, right, scopes))
            context.report({ node, messageId: 'defaultPatch', data: { target } });
          return;
        }
        // torch.load = functools.partial(torch.load, weights_only=False) / lambda / a def;
        // torch.serialization._default_to_weights_only = lambda *a: False; torch.load.__kwdefaults__ = {...}
        if (left.type === 'attribute') attributeWrite(node, chainName(left, undefined, scopes), right);
      },
      call(node: Node) {
        const args = callArguments(node);
        const callee = node.childForFieldName('function');
        const method = methodName(node);
        const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
        const first = args.positional[0];
        // os.environ.setdefault(NAME, "1"), os.putenv(NAME, "1"), monkeypatch.setenv(NAME, "1")
        const setter =
          (method === 'setdefault' && isEnviron(object, scopes)) ||
          (callee !== null && scopes.qualifiedName(callee) === 'os.putenv') ||
          method === 'setenv';
        if (setter && isEnvName(first, scopes)) {
          if (switchesOn(args.positional[1])) context.report({ node, messageId: 'env' });
          return;
        }
        // os.environ.update({NAME: "1"}) / os.environ.update(NAME="1")
        if (method === 'update' && isEnviron(object, scopes)) {
          const value = args.keywords.get(ENV)?.childForFieldName('value') ?? (first && envInDict(first, scopes));
          if (value && switchesOn(value)) context.report({ node, messageId: 'env' });
          return;
        }
        // unittest.mock.patch.dict(os.environ, {NAME: "1"}) (or NAME="1"), as a decorator or in a `with`: the
        // process's own environment while the patch is active
        if (method === 'dict' && object && isPatch(object, scopes) && first && isEnvironOrItsName(first, scopes)) {
          const values = args.keywords.get('values')?.childForFieldName('value') ?? args.positional[1];
          const value = args.keywords.get(ENV)?.childForFieldName('value') ?? (values && envInDict(values, scopes));
          if (value && switchesOn(value)) context.report({ node, messageId: 'env' });
          return;
        }
        // subprocess.run(cmd, env={**os.environ, NAME: "1"}), os.execve(path, args, env): the child's environment
        const spawned = spawnedEnvironment(node, scopes);
        if (spawned) {
          const value = envInDict(spawned.env, scopes);
          const where = `the environment passed to \`${spawned.spawner}\``;
          if (value && switchesOn(value)) context.report({ node, messageId: 'envChild', data: { where } });
          return;
        }
        // setattr(torch, "load", replacement), torch.__setattr__("load", …), object.__setattr__(torch, "load", …),
        // setattr(torch.load, "__kwdefaults__", {...}); in tests monkeypatch.setattr and mock.patch with a `new`
        const set = setattrCall(node, scopes);
        if (set) {
          attributeWrite(node, set.target, set.value);
          return;
        }
        // torch.load.__kwdefaults__.update(weights_only=False) / .__setitem__("weights_only", False)
        const dict = object ? chainName(object, undefined, scopes) : undefined;
        if (dict && targetKind(dict) === 'kwdefaults') {
          const weakens =
            method === 'update'
              ? updateWeakens(node, dict, scopes)
              : method === '__setitem__' && first
                ? keyWeakens(first, args.positional[1], scopes)
                : false;
          if (weakens) context.report({ node, messageId: 'defaultPatch', data: { target: dict } });
        }
      },
    };
  },
  text: {
    files: [
      '**/Dockerfile',
      '**/Dockerfile.*',
      '**/*.dockerfile',
      '**/Containerfile',
      '**/*.sh',
      '**/*.bash',
      '**/*.zsh',
      '**/*.bat',
      '**/*.cmd',
      '**/*.ps1',
      '**/.env',
      '**/.env.*',
      '**/*.env',
      '**/.github/workflows/*.yml',
      '**/.github/workflows/*.yaml',
      '**/.gitlab-ci.yml',
      '**/docker-compose*.yml',
      '**/docker-compose*.yaml',
      '**/compose.yml',
      '**/compose.yaml',
    ],
    check(context) {
      const kind = fileKind(context.filePath);
      if (!context.text.includes(ENV)) return;
      let offset = 0;
      let dockerEnvContinues = false;
      for (const line of context.text.split('\n')) {
        const code = stripComment(line, kind);
        const inDockerEnv: boolean = kind === 'Dockerfile' && (dockerEnvContinues || /^\s*ENV\s/i.test(code));
        for (const match of code.matchAll(assignmentPattern(kind, inDockerEnv))) {
          const start = offset + (match.index ?? 0) + match[0].indexOf(ENV);
          if (textSwitchesOn(match[1] ?? ''))
            context.report({ start, end: start + ENV.length, messageId: 'envFile', data: { kind: KIND_NAMES[kind] } });
        }
        if (kind === 'Dockerfile') dockerEnvContinues = inDockerEnv && /\\\s*$/.test(code);
        offset += line.length + 1;
      }
    },
  },
});

function isEnviron(node: Node | null | undefined, scopes: FileScopes): boolean {
  return node !== null && node !== undefined && scopes.qualifiedName(node) === 'os.environ';
}

/** The variable's name as a literal, or through a name bound once to that literal (`VAR = "TORCH_FORCE_…"`). */
function isEnvName(node: Node | null | undefined, scopes?: FileScopes): boolean {
  if (!node) return false;
  if (stringValue(node) === ENV) return true;
  const n = unparen(node);
  if (n.type !== 'identifier' || !scopes) return false;
  const bindings = scopes.bindingsOf(n);
  return (
    bindings?.length === 1 &&
    bindings[0].kind === 'assign' &&
    bindings[0].value !== undefined &&
    stringValue(bindings[0].value) === ENV
  );
}

/** `os.environ`, or its name as `unittest.mock.patch.dict` also takes it (`patch.dict("os.environ", …)`). */
function isEnvironOrItsName(node: Node, scopes: FileScopes): boolean {
  return isEnviron(node, scopes) || stringValue(node) === 'os.environ';
}

/** `patch` of unittest.mock or of the mock backport, or pytest-mock's `mocker.patch` (a fixture: not resolvable). */
function isPatch(node: Node, scopes: FileScopes): boolean {
  const name = scopes.qualifiedName(node);
  if (name !== undefined) return name === 'unittest.mock.patch' || name === 'mock.patch';
  const n = unparen(node);
  return n.type === 'attribute' && n.childForFieldName('attribute')?.text === 'patch';
}

/** How deep the helpers below follow names bound to names (`env = base`, `base = {...}`). */
const MAX_NAME_DEPTH = 4;

/**
 * The value a dict expression visibly gives the variable: `{**os.environ, NAME: v}`, `dict(os.environ, NAME=v)`, or
 * a name bound once to one of those; undefined when it does not visibly set it.
 */
function envInDict(expr: Node, scopes: FileScopes, depth = 0): Node | undefined {
  const node = unparen(expr);
  if (node.type === 'dictionary') {
    let found: Node | undefined;
    for (const item of namedChildren(node))
      if (item.type === 'pair' && isEnvName(item.childForFieldName('key'), scopes))
        found = item.childForFieldName('value') ?? undefined; // the last entry wins
    return found;
  }
  if (depth >= MAX_NAME_DEPTH) return undefined;
  if (node.type === 'call' && scopes.qualifiedName(node.childForFieldName('function') ?? node) === 'builtins.dict') {
    const args = callArguments(node);
    const keyword = args.keywords.get(ENV)?.childForFieldName('value');
    return keyword ?? (args.positional[0] && envInDict(args.positional[0], scopes, depth + 1));
  }
  if (node.type === 'identifier') {
    const bindings = scopes.bindingsOf(node);
    const only = bindings?.length === 1 ? bindings[0] : undefined;
    return only?.kind === 'assign' && only.value ? envInDict(only.value, scopes, depth + 1) : undefined;
  }
  return undefined;
}

/**
 * The `env=` of a call that starts a process with it, or undefined: `subprocess.run(…, env=…)` and its siblings,
 * `os.execve(path, args, env)`.
 */
function spawnedEnvironment(call: Node, scopes: FileScopes): { spawner: string; env: Node } | undefined {
  const callee = call.childForFieldName('function');
  const spawner = callee ? scopes.qualifiedName(callee) : undefined;
  if (!spawner) return undefined;
  const args = callArguments(call);
  const keyword = args.keywords.get('env')?.childForFieldName('value') ?? undefined;
  if (SPAWNERS.has(spawner)) return keyword ? { spawner, env: keyword } : undefined;
  const index = OS_SPAWNERS.get(spawner);
  const env = index === undefined ? undefined : (keyword ?? args.positional[index]);
  return env ? { spawner, env } : undefined;
}

/**
 * A name bound only to copies of `os.environ` (`os.environ.copy()`, `dict(os.environ)`, `{**os.environ, …}`,
 * `copy.copy(os.environ)`): the environment a script builds for a child process.
 */
function isEnvironCopy(node: Node, scopes: FileScopes): boolean {
  const n = unparen(node);
  if (n.type !== 'identifier') return false;
  const bindings = scopes.bindingsOf(n);
  return (
    bindings !== undefined &&
    bindings.length > 0 &&
    bindings.every((b) => b.kind === 'assign' && b.value !== undefined && copiesEnviron(b.value, scopes))
  );
}

function copiesEnviron(value: Node, scopes: FileScopes): boolean {
  const v = unparen(value);
  if (v.type === 'dictionary')
    return namedChildren(v).some(
      (item) =>
        item.type === 'dictionary_splat' && item.namedChild(0) !== null && isEnviron(item.namedChild(0), scopes),
    );
  if (v.type !== 'call') return false;
  const callee = v.childForFieldName('function');
  const name = callee ? scopes.qualifiedName(callee) : undefined;
  const first = callArguments(v).positional[0];
  if (name === 'os.environ.copy') return true;
  return (name === 'builtins.dict' || name === 'copy.copy' || name === 'copy.deepcopy') && isEnviron(first, scopes);
}

/**
 * An attribute chain's dotted name: resolved through imports and aliases (`th.load` is `torch.load`), else as written
 * (`self.torch.load`, or `torch.load` where a parameter named `torch` shadows the import); undefined when the chain
 * holds a call or a subscript.
 */
function chainName(base: Node, attribute: string | undefined, scopes: FileScopes): string | undefined {
  const name = scopes.qualifiedName(base) ?? writtenChain(base);
  return name === undefined || attribute === undefined ? name : `${name}.${attribute}`;
}

function writtenChain(expr: Node): string | undefined {
  const parts: string[] = [];
  let node = unparen(expr);
  while (node.type === 'attribute') {
    const object = node.childForFieldName('object');
    const attribute = node.childForFieldName('attribute');
    if (!object || !attribute) return undefined;
    parts.push(attribute.text);
    node = unparen(object);
  }
  return node.type === 'identifier' ? [node.text, ...parts.reverse()].join('.') : undefined;
}

/**
 * torch internals that decide the default (torch/serialization.py, 2.6): `_default_to_weights_only(pickle_module)`
 * and the keyword defaults of `torch.load` itself.
 */
const DEFAULT_SWITCH = 'torch.serialization._default_to_weights_only';
const KWDEFAULTS = ['torch.load.__kwdefaults__', 'torch.serialization.load.__kwdefaults__'];
const LOADERS = [...LOAD_FUNCTIONS.keys()];

/**
 * What writing to a chain replaces: a torch loader, the loader's keyword defaults, or the default's switch. A chain
 * counts when it is that name (`torch.load`, also through aliases) or ends in it after a dot:
 * `lib.checkpoint.torch.load` is the torch another module imported (that module's own names are not resolved from
 * here). A chain that cannot be resolved is judged as written: a replacement of `torch.load` that weakens it is
 * reported whatever `torch` is.
 */
function targetKind(name: string): 'loader' | 'kwdefaults' | 'switch' | undefined {
  const is = (suffix: string) => name === suffix || name.endsWith(`.${suffix}`);
  if (LOADERS.some(is)) return 'loader';
  if (KWDEFAULTS.some(is)) return 'kwdefaults';
  return is(DEFAULT_SWITCH) ? 'switch' : undefined;
}

/**
 * `value` is what `target` held before: the chain itself, a name saved from it (`_orig = torch.load.__kwdefaults__`)
 * or a copy (`dict(...)`, `copy.copy(...)`, `.copy()`). Writing it back restores the original.
 */
function isSavedOriginal(value: Node, target: string, scopes: FileScopes, depth = 0): boolean {
  const v = unparen(value);
  if (chainName(v, undefined, scopes) === target) return true;
  if (depth >= MAX_NAME_DEPTH) return false;
  if (v.type === 'call') {
    const callee = v.childForFieldName('function');
    const name = callee ? scopes.qualifiedName(callee) : undefined;
    const args = callArguments(v);
    if (callee?.type === 'attribute' && methodName(v) === 'copy' && args.positional.length === 0) {
      const object = callee.childForFieldName('object');
      return object !== null && isSavedOriginal(object, target, scopes, depth + 1);
    }
    return (
      (name === 'builtins.dict' || name === 'copy.copy' || name === 'copy.deepcopy') &&
      args.positional.length === 1 &&
      args.keywords.size === 0 &&
      isSavedOriginal(args.positional[0], target, scopes, depth + 1)
    );
  }
  if (v.type !== 'identifier') return false;
  const bindings = scopes.bindingsOf(v);
  return (
    bindings !== undefined &&
    bindings.length > 0 &&
    bindings.every((b) => b.kind === 'assign' && b.value && isSavedOriginal(b.value, target, scopes, depth + 1))
  );
}

/** A value written as weights_only's default that weakens it: False, or one we cannot read (True and None do not). */
function weakDefault(value: Node | undefined, scopes: FileScopes): boolean {
  const constant = value ? constantValue(value, scopes) : 'unknown';
  return constant !== 'true' && constant !== 'none';
}

/** `kwdefaults[key] = value` (or `.__setitem__(key, value)`): weakens for weights_only, or for a key we cannot read. */
function keyWeakens(key: Node, value: Node | undefined, scopes: FileScopes): boolean {
  const name = stringValue(key);
  return name === undefined || (name === 'weights_only' && weakDefault(value, scopes));
}

/**
 * A dict written over a loader's `__kwdefaults__` (or merged into it with `update`), read in order: it weakens when
 * its weights_only ends up False or unknown. One without a weights_only entry leaves the keyword without a default
 * when written whole (calls that omit it raise TypeError) and the original untouched when merged.
 */
function dictWeakens(dict: Node, target: string, scopes: FileScopes): boolean {
  let state: 'absent' | 'weak' | 'kept' | 'unknown' = 'absent';
  for (const item of namedChildren(dict)) {
    if (item.type === 'pair') {
      const key = item.childForFieldName('key');
      const name = key ? stringValue(key) : undefined;
      if (name === undefined) state = 'unknown';
      else if (name === 'weights_only')
        state = weakDefault(item.childForFieldName('value') ?? undefined, scopes) ? 'weak' : 'kept';
    } else if (item.type === 'dictionary_splat') {
      const inner = item.namedChild(0);
      state = inner && isSavedOriginal(inner, target, scopes) ? 'kept' : 'unknown';
    } else state = 'unknown'; // a comprehension
  }
  return state === 'weak' || state === 'unknown';
}

/** A value written whole over a loader's `__kwdefaults__` (not the saved original): a dict we read, or anything. */
function defaultsDictWeakens(value: Node, target: string, scopes: FileScopes): boolean {
  const v = unparen(value);
  return v.type !== 'dictionary' || dictWeakens(v, target, scopes);
}

/** `kwdefaults.update({...})` / `.update(weights_only=False)`. */
function updateWeakens(call: Node, target: string, scopes: FileScopes): boolean {
  const args = callArguments(call);
  if (args.hasDictSplat || args.hasListSplat) return true;
  const keyword = args.keywords.get('weights_only');
  if (keyword) return weakDefault(keyword.childForFieldName('value') ?? undefined, scopes);
  const first = args.positional[0] ? unparen(args.positional[0]) : undefined;
  return first !== undefined && (first.type !== 'dictionary' || dictWeakens(first, target, scopes));
}

/**
 * The attribute a call writes and the value: `setattr(obj, "name", value)`, `object.__setattr__(obj, "name", value)`,
 * `obj.__setattr__("name", value)`, pytest's `monkeypatch.setattr(obj, "name", value)` and
 * `monkeypatch.setattr("module.name", value)`, and `unittest.mock.patch("module.name", new)` /
 * `patch.object(obj, "name", new)` (as decorators or in a `with`; without `new` they install a mock). The target is
 * undefined when the object's chain cannot be read.
 */
function setattrCall(call: Node, scopes: FileScopes): { target: string | undefined; value: Node } | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const args = callArguments(call);
  const positional = args.positional;
  const method = methodName(call);
  const object = callee.type === 'attribute' ? callee.childForFieldName('object') : null;
  const onObject = (base: Node, nameNode: Node, value: Node | undefined) => {
    const name = stringValue(nameNode);
    const chain = name === undefined ? undefined : chainName(base, name, scopes);
    return value && name !== undefined ? { target: chain, value } : undefined;
  };
  const qualified = scopes.qualifiedName(callee);
  if (qualified === 'builtins.setattr' || qualified === 'builtins.object.__setattr__' || method === 'setattr') {
    if (positional.length === 3) return onObject(positional[0], positional[1], positional[2]);
    // monkeypatch.setattr("torch.load", value): the target as an import path
    const path = method === 'setattr' && positional.length === 2 ? stringValue(positional[0]) : undefined;
    return path?.includes('.') ? { target: path, value: positional[1] } : undefined;
  }
  if (method === '__setattr__' && object && positional.length === 2)
    return onObject(object, positional[0], positional[1]);
  const replacement = (index: number) => args.keywords.get('new')?.childForFieldName('value') ?? positional[index];
  if (method === 'object' && object && isPatch(object, scopes) && positional.length >= 2)
    return onObject(positional[0], positional[1], replacement(2));
  if (positional.length >= 1 && isPatch(callee, scopes)) {
    const path = stringValue(positional[0]);
    const value = replacement(1);
    return path?.includes('.') && value ? { target: path, value } : undefined;
  }
  return undefined;
}

/** What a replacement forces on every call: weights_only=False, or its own pickle_module. */
type Forced = 'weights_only' | 'pickle_module';

/**
 * How `value` weakens torch.load when it replaces it, or undefined when it does not: `functools.partial(...)`, a
 * lambda, or a function of this file (or a name bound once to a partial or lambda) that passes `weights_only=False`
 * or writes False into the keyword dict (`kwargs["weights_only"] = False`, `kwargs.setdefault("weights_only",
 * False)`, `kwargs.update(weights_only=False)`), or that passes a pickle_module of its own (`pickle_module=dill`, the
 * same writes): torch >= 2.6 keeps the weights_only=True default only when no pickle_module is passed
 * (docs/torch-facts.md). A replacement that only sets `map_location`, forces weights_only=True, or hands on the
 * caller's own pickle_module is not a weakening; nor is putting back a saved original.
 */
function weakeningReplacement(value: Node, scopes: FileScopes, depth = 0): { how: string; via: Forced } | undefined {
  const node = unparen(value);
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    if (!callee || scopes.qualifiedName(callee) !== 'functools.partial') return undefined;
    const via = forcedByKeywords(callArguments(node), scopes);
    return via && { how: '`functools.partial(...)`', via };
  }
  if (node.type === 'lambda') {
    const via = forcedIn(node, scopes);
    return via && { how: 'a lambda', via };
  }
  if (node.type !== 'identifier' || depth > 0) return undefined;
  const bindings = scopes.bindingsOf(node);
  const only = bindings?.length === 1 ? bindings[0] : undefined;
  const via =
    only?.kind === 'def'
      ? forcedIn(only.node, scopes)
      : only?.kind === 'assign' && only.value
        ? weakeningReplacement(only.value, scopes, depth + 1)?.via
        : undefined;
  return only && via && { how: `\`${node.text}\` (line ${only.node.startPosition.row + 1})`, via };
}

/** What a call's keywords force: `weights_only=False`; a pickle_module of its own when weights_only is not passed. */
function forcedByKeywords(args: CallArguments, scopes: FileScopes): Forced | undefined {
  const weightsOnly = args.keywords.get('weights_only')?.childForFieldName('value');
  if (weightsOnly) return isCertainlyFalse(weightsOnly, scopes) ? 'weights_only' : undefined; // True + pickle_module raises
  const pickleModule = args.keywords.get('pickle_module')?.childForFieldName('value');
  return pickleModule && choosesModule(pickleModule, scopes) ? 'pickle_module' : undefined;
}

/** A write of `key` = `value` into a keyword dict: what it forces. */
function forcedByWrite(key: Node | undefined, value: Node | undefined, scopes: FileScopes): Forced | undefined {
  const name = key ? stringValue(key) : undefined;
  if (!value) return undefined;
  if (name === 'weights_only') return isCertainlyFalse(value, scopes) ? 'weights_only' : undefined;
  return name === 'pickle_module' && choosesModule(value, scopes) ? 'pickle_module' : undefined;
}

/** What the body of a def or lambda forces (weights_only=False first, as the stronger statement). */
function forcedIn(fn: Node, scopes: FileScopes): Forced | undefined {
  let found: Forced | undefined;
  for (const n of fn.descendantsOfType(['call', 'assignment'])) {
    if (!n) continue;
    let forced: Forced | undefined;
    if (n.type === 'call') {
      if (isSaveCall(n, scopes)) continue; // torch.save's pickle_module writes, it does not load
      const args = callArguments(n);
      const method = methodName(n);
      forced =
        forcedByKeywords(args, scopes) ??
        (method === 'setdefault' || method === '__setitem__'
          ? forcedByWrite(args.positional[0], args.positional[1], scopes)
          : undefined);
    } else {
      const left = n.childForFieldName('left');
      if (left?.type === 'subscript')
        forced = forcedByWrite(
          left.childForFieldName('subscript') ?? undefined,
          n.childForFieldName('right') ?? undefined,
          scopes,
        );
    }
    if (forced === 'weights_only') return forced;
    found ??= forced;
  }
  return found;
}

/**
 * A pickle_module the replacement chooses itself: anything but None and what its caller passed in
 * (`pickle_module=pickle_module`, `kwargs.get("pickle_module")`: an expression rooted in a parameter).
 */
function choosesModule(value: Node, scopes: FileScopes): boolean {
  if (constantValue(value, scopes) === 'none') return false;
  let root = unparen(value);
  for (;;) {
    const next =
      root.type === 'attribute'
        ? root.childForFieldName('object')
        : root.type === 'call'
          ? root.childForFieldName('function')
          : root.type === 'subscript'
            ? root.childForFieldName('value')
            : null;
    if (!next) break;
    root = unparen(next);
  }
  return root.type !== 'identifier' || !scopes.bindingsOf(root)?.some((b) => b.kind === 'param');
}

type FileKind = 'Dockerfile' | 'shell' | 'batch' | 'powershell' | 'env' | 'yaml';

const KIND_NAMES: Record<FileKind, string> = {
  Dockerfile: 'Dockerfile ENV',
  shell: 'shell script',
  batch: 'batch file',
  powershell: 'PowerShell script',
  env: '.env file',
  yaml: 'CI/compose YAML',
};

function fileKind(filePath: string): FileKind {
  const name = filePath.split(/[\\/]/).pop() ?? '';
  if (/^(Dockerfile|Containerfile)/.test(name) || name.endsWith('.dockerfile')) return 'Dockerfile';
  if (/\.(bat|cmd)$/i.test(name)) return 'batch';
  if (/\.ps1$/i.test(name)) return 'powershell';
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  if (/(^|\.)env(\.|$)/.test(name) && !/\.(sh|bash|zsh)$/.test(name)) return 'env';
  return 'shell';
}

/** Removes a trailing comment (`# …`, or `REM`/`::` lines in batch files). Quotes are not tracked: good enough here. */
function stripComment(line: string, kind: FileKind): string {
  if (kind === 'batch') return /^\s*(rem\b|::)/i.test(line) ? '' : line;
  const hash = /(^|\s)#/.exec(line);
  return hash ? line.slice(0, hash.index + hash[1].length) : line;
}

/** Where a line assigns the variable; group 1 is the value as written. */
function assignmentPattern(kind: FileKind, inDockerEnv: boolean): RegExp {
  const name = ENV;
  switch (kind) {
    case 'Dockerfile':
      // ENV NAME=value … / ENV NAME value (and continuation lines of an ENV); RUN lines are shell
      return inDockerEnv
        ? new RegExp(`(?:^|\\s)${name}(?:=|\\s+)(\\S*)`, 'g')
        : new RegExp(`(?:^|[\\s;&|(])(?:export\\s+)?${name}=(\\S*)`, 'g');
    case 'batch':
      return new RegExp(`\\bset\\s+"?${name}=([^"\\s&]*)`, 'gi');
    case 'powershell':
      return new RegExp(`\\$env:${name}\\s*=\\s*(\\S+)`, 'gi');
    case 'yaml':
      // `NAME: "1"` in env:/variables: maps, `- NAME=1` in compose lists
      return new RegExp(`(?:^|[\\s{,-])["']?${name}["']?\\s*(?::\\s|=)\\s*(\\S*)`, 'g');
    case 'env':
      return new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=\\s*(\\S*)`, 'g');
    default:
      // export NAME=1, NAME=1 python train.py, declare -x NAME=1
      return new RegExp(`(?:^|[\\s;&|(])(?:export\\s+|declare\\s+-x\\s+)?${name}=(\\S*)`, 'g');
  }
}
