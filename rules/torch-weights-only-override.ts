import type { Node } from '../src/syntax/parse';
import { callArguments, methodName, namedChildren, stringValue, unparen } from '../src/syntax/python';
import { createRule } from '../src/engine/rule';
import type { FileScopes } from '../src/syntax/scope';
import { isCertainlyFalse, LOAD_FUNCTIONS } from '../src/torch/api';

/**
 * Process-wide weakening of torch.load: the environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD, or replacing
 * torch.load with something that forces weights_only=False. Either reaches every torch.load in the process,
 * library code included.
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
    },
    schema: false,
    defaultSeverity: 'error',
    security: { severity: 9.0, precision: 'high', cwe: ['CWE-502'] },
  },
  defaultOptions: {},
  create(context) {
    const { scopes } = context;
    return {
      assignment(node: Node) {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right') ?? undefined;
        if (!left) return;
        // os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"
        if (
          left.type === 'subscript' &&
          isEnviron(left.childForFieldName('value'), scopes) &&
          isEnvName(left.childForFieldName('subscript'), scopes)
        ) {
          if (switchesOn(right)) context.report({ node, messageId: 'env' });
          return;
        }
        const target = scopes.qualifiedName(left);
        // torch.serialization._default_to_weights_only = lambda *a: False; torch.load.__kwdefaults__ edits
        const patched =
          target ?? scopes.qualifiedName(left.type === 'subscript' ? (left.childForFieldName('value') ?? left) : left);
        if (
          patched &&
          DEFAULT_SWITCHES.some((name) => patched === name) &&
          !(right && scopes.qualifiedName(right) === patched)
        ) {
          context.report({ node, messageId: 'defaultPatch', data: { target: patched } });
          return;
        }
        // torch.load = functools.partial(torch.load, weights_only=False) / lambda / a def
        if (target && LOAD_FUNCTIONS.has(target) && right) {
          const how = weakeningReplacement(right, scopes);
          if (how) context.report({ node, messageId: 'patch', data: { target: left.text, how } });
        }
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
          const keyword = args.keywords.get(ENV);
          const pair =
            first && unparen(first).type === 'dictionary'
              ? namedChildren(unparen(first)).find((p) => p.type === 'pair' && isEnvName(p.childForFieldName('key')))
              : undefined;
          const value = keyword?.childForFieldName('value') ?? pair?.childForFieldName('value');
          if ((keyword || pair) && switchesOn(value ?? undefined)) context.report({ node, messageId: 'env' });
          return;
        }
        // setattr(torch, "load", replacement)
        if (callee && scopes.qualifiedName(callee) === 'builtins.setattr' && args.positional.length === 3) {
          const base = scopes.qualifiedName(args.positional[0]);
          const name = stringValue(args.positional[1]);
          const target = base && name ? `${base}.${name}` : undefined;
          const how =
            target && LOAD_FUNCTIONS.has(target) ? weakeningReplacement(args.positional[2], scopes) : undefined;
          if (how && target) context.report({ node, messageId: 'patch', data: { target, how } });
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

/**
 * torch internals that decide the default (torch/serialization.py, 2.6): `_default_to_weights_only(pickle_module)`
 * and the keyword defaults of `torch.load` itself.
 */
const DEFAULT_SWITCHES = [
  'torch.serialization._default_to_weights_only',
  'torch.load.__kwdefaults__',
  'torch.serialization.load.__kwdefaults__',
];

/**
 * How `value` forces weights_only=False when it replaces torch.load, or undefined when it does not:
 * `functools.partial(..., weights_only=False)`, a lambda or a function of this file whose body passes
 * `weights_only=False` or writes False into the keyword dict (`kwargs["weights_only"] = False`,
 * `kwargs.setdefault("weights_only", False)`, `kwargs.update(weights_only=False)`). A replacement that only sets
 * `map_location`, or that forces weights_only=True, is not a weakening.
 */
function weakeningReplacement(value: Node, scopes: FileScopes): string | undefined {
  const node = unparen(value);
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    if (callee && scopes.qualifiedName(callee) === 'functools.partial') {
      const wo = callArguments(node).keywords.get('weights_only')?.childForFieldName('value');
      return wo && isCertainlyFalse(wo, scopes) ? '`functools.partial(...)`' : undefined;
    }
    return undefined;
  }
  if (node.type === 'lambda') return forcesFalse(node, scopes) ? 'a lambda' : undefined;
  if (node.type === 'identifier') {
    const bindings = scopes.bindingsOf(node);
    const def = bindings?.length === 1 && bindings[0].kind === 'def' ? bindings[0].node : undefined;
    return def && forcesFalse(def, scopes) ? `\`${node.text}\` (line ${def.startPosition.row + 1})` : undefined;
  }
  return undefined;
}

function forcesFalse(fn: Node, scopes: FileScopes): boolean {
  for (const n of fn.descendantsOfType(['call', 'assignment'])) {
    if (!n) continue;
    if (n.type === 'call') {
      const args = callArguments(n);
      const wo = args.keywords.get('weights_only')?.childForFieldName('value');
      if (wo && isCertainlyFalse(wo, scopes)) return true;
      const method = methodName(n);
      if (
        (method === 'setdefault' || method === '__setitem__') &&
        stringValue(args.positional[0] ?? n) === 'weights_only' &&
        args.positional[1] &&
        isCertainlyFalse(args.positional[1], scopes)
      )
        return true;
    } else {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (
        left?.type === 'subscript' &&
        stringValue(left.childForFieldName('subscript') ?? left) === 'weights_only' &&
        right &&
        isCertainlyFalse(right, scopes)
      )
        return true;
    }
  }
  return false;
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
