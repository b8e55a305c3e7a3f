/**
 * Checksum guards: a file whose content was compared with an expected digest before a use of its path is the file
 * the code's author pinned, however it was downloaded. The taint walk (taint.ts) stops at such a use when the
 * expected digest is not itself untrusted:
 *
 * ```python
 * if hashlib.sha256(open(path, "rb").read()).hexdigest() != EXPECTED:
 *     raise RuntimeError("checksum mismatch")
 * return path                       # verified
 *
 * if hashlib.sha256(open(path, "rb").read()).hexdigest() == EXPECTED:
 *     return path                   # verified
 * assert hashlib.sha256(data).digest() == EXPECTED   # `data` verified after it
 * ```
 *
 * Only SHA-2, SHA-3 and BLAKE2 count (hashlib's names, also reached through another module such as
 * huggingface_hub's `insecure_hashlib`): MD5 and SHA-1 do not, their collisions are practical. The digest must be
 * computed in one expression from the guarded name (`hashlib.sha256(x)`, `hashlib.new("sha256", x)`); a digest
 * built with `.update()` calls is not recognised (a miss, never a wrong pass). Nothing between the check and the use
 * may mention the name again (it could be rewritten there).
 */
import { type Node, parentOf } from '../syntax/parse';
import { callArguments, descendants, namedChildren, stringValue, unparen } from '../syntax/python';
import type { FileScopes } from '../syntax/scope';

/** hashlib constructors whose digests stand for the content (CPython Lib/hashlib.py `__always_supported`). */
const STRONG_HASHES = /^(sha224|sha256|sha384|sha512|sha3_224|sha3_256|sha3_384|sha3_512|blake2b|blake2s)$/;

const HAS_DIGEST = new WeakMap<object, boolean>();

const SCOPE_BOUNDARIES = new Set(['function_definition', 'class_definition', 'lambda', 'module']);

/**
 * The expected-digest expression of the checksum guard that covers `ref` (an identifier: a use of a path or a
 * buffer), or undefined when none does. The caller decides whether that expression is trusted.
 */
export function checksumGuard(ref: Node, scopes: FileScopes): Node | undefined {
  // most files compute no digest: one look at the text per tree keeps every other query free
  let digests = HAS_DIGEST.get(ref.tree);
  if (digests === undefined) HAS_DIGEST.set(ref.tree, (digests = ref.tree.rootNode.text.includes('digest(')));
  if (!digests) return undefined;
  const bindings = new Set((scopes.bindingsOf(ref) ?? []).map((b) => b.node.id));
  if (bindings.size === 0) return undefined;
  const mentions = (node: Node) =>
    (node.type === 'identifier' ? [node] : descendants(node, 'identifier')).some(
      (id) => id.text === ref.text && (scopes.bindingsOf(id) ?? []).some((b) => bindings.has(b.node.id)),
    );
  // the digest of the guarded name, and what it is compared with, when `test` is `digest OP expected`
  const compared = (test: Node, op: '==' | '!='): Node | undefined => {
    const node = unparen(test);
    if (node.type !== 'comparison_operator') return undefined;
    const operands = namedChildren(node);
    const operators = node.children.filter((c) => c !== null && !c.isNamed).map((c) => c!.type);
    if (operands.length !== 2 || operators.length !== 1 || operators[0] !== op) return undefined;
    const [left, right] = operands;
    if (digestOf(left, scopes, mentions)) return right;
    if (digestOf(right, scopes, mentions)) return left;
    return undefined;
  };

  let current: Node = ref;
  for (let parent = parentOf(current); parent && !SCOPE_BOUNDARIES.has(current.type); parent = parentOf(current)) {
    // inside `if digest == expected:` (its first branch)
    if (parent.type === 'if_statement' && parent.childForFieldName('consequence')?.id === current.id) {
      const condition = parent.childForFieldName('condition');
      const expected = condition && compared(condition, '==');
      if (expected) return expected;
    }
    // after `if digest != expected: raise …` or `assert digest == expected` in the same block or an enclosing one
    if (parent.type === 'block' || parent.type === 'module') {
      const statements = namedChildren(parent);
      const at = statements.findIndex((s) => s.id === current.id);
      for (let i = at - 1; i >= 0; i--) {
        const statement = statements[i];
        const expected = guardStatement(statement, compared);
        if (expected) return expected;
        if (mentions(statement)) break; // the name is used (or rewritten) between the check and the use
      }
    }
    current = parent;
  }
  return undefined;
}

/** `if digest != expected: … raise` (no else) or `assert digest == expected`: the expected expression. */
function guardStatement(
  statement: Node,
  compared: (test: Node, op: '==' | '!=') => Node | undefined,
): Node | undefined {
  if (statement.type === 'assert_statement') {
    const test = statement.namedChild(0);
    return test ? compared(test, '==') : undefined;
  }
  if (statement.type !== 'if_statement' || statement.childForFieldName('alternative')) return undefined;
  const body = statement.childForFieldName('consequence');
  const last = body ? namedChildren(body).at(-1) : undefined;
  if (last?.type !== 'raise_statement') return undefined;
  const condition = statement.childForFieldName('condition');
  return condition ? compared(condition, '!=') : undefined;
}

/**
 * Whether `expr` is `<strong hash>(…).hexdigest()` or `.digest()` whose input mentions the guarded name:
 * `hashlib.sha256(open(p, "rb").read())`, `hashlib.new("sha256", data)`.
 */
function digestOf(expr: Node, scopes: FileScopes, mentions: (node: Node) => boolean): boolean {
  const node = unparen(expr);
  if (node.type !== 'call') return false;
  const callee = node.childForFieldName('function');
  const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
  if (method !== 'hexdigest' && method !== 'digest') return false;
  const hash = callee!.childForFieldName('object');
  if (hash?.type !== 'call' || callArguments(node).positional.length > 0) return false;
  const constructor = hash.childForFieldName('function');
  if (!constructor) return false;
  const name = (scopes.qualifiedName(constructor) ?? constructor.text).split('.').pop() ?? '';
  const args = callArguments(hash).positional;
  if (name === 'new') {
    const algorithm = args[0] && stringValue(args[0]);
    if (!algorithm || !STRONG_HASHES.test(algorithm.toLowerCase())) return false;
    return args.slice(1).some(mentions);
  }
  return STRONG_HASHES.test(name) && args.some(mentions);
}
