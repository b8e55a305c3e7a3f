import { allowlistAdvice, CHECKPOINT_EXTENSIONS, type Inspection, judgeInspection } from '../src/checkpoint/inspect';
import { type CheckpointFileData, projectVouchers } from '../src/torch/checkpoint-sites';
import type { Node } from '../src/syntax/parse';
import { stringValue, unparen } from '../src/syntax/python';
import { createRule } from '../src/engine/rule';
import { loadCallIn, weightsOnlyIn, torchContext } from '../src/torch/services';
import { checkpointOf, neededGlobals, planSafeGlobals } from '../src/torch/repairs/safe-globals';
import { addArgument } from '../src/syntax/edits';
import type { FileScopes } from '../src/syntax/scope';
import { allowlistEntryName, pathArgument, pickleModuleArgument, safeGlobalsAround } from '../src/torch/api';

interface Options {
  /** Extensions of the files inspected. */
  extensions: string[];
  /** Files larger than this (bytes) are not inspected. */
  maxBytes: number;
}

/**
 * Checkpoint files in the linted paths, read without executing them (src/checkpoint/inspect.ts): a file that holds
 * code-running globals, one torch's weights_only unpickler cannot load, one that needs an allowlist, or one that
 * needs globals nothing vouches for (`needs-review`: named to review, never given as a list to paste, never fixed;
 * src/checkpoint/classify.ts). And loads in Python code of such a file named by a string literal: with
 * weights_only=True they will fail at run time; with full pickle, a dangerous file runs its code.
 */
type MessageId =
  | 'dangerous'
  | 'incomplete'
  | 'needsAllowlist'
  | 'needsReview'
  | 'unloadable'
  | 'notInspected'
  | 'loadNeedsAllowlist'
  | 'loadNeedsReview'
  | 'loadUnloadable'
  | 'loadDangerous'
  | 'loadUnchecked';

export default createRule<MessageId, Options, CheckpointFileData>({
  meta: {
    id: 'checkpoint-unsafe-globals',
    type: 'problem',
    docs: {
      description:
        'Report checkpoint files whose pickles call code, cannot load with weights_only=True, or need an allowlist.',
    },
    fixable: 'code',
    hasSuggestions: false,
    messages: {
      dangerous:
        'Checkpoint ({{format}}) references {{names}}, which can run code when loaded: do not load it with ' +
        '`weights_only=False`, and do not allowlist these.',
      incomplete: 'Checkpoint ({{format}}) cannot be shown safe: {{reason}}. Treat it as untrusted.',
      needsAllowlist:
        'Checkpoint ({{format}}) needs an allowlist to load with `weights_only=True` on torch {{version}} ' +
        '({{source}}): {{how}}.',
      needsReview:
        'Checkpoint ({{format}}) needs {{names}} to load with `weights_only=True` on torch {{version}} ' +
        '({{source}}): unknown code, review before allowlisting. Unpickling calls each with arguments the file ' +
        "chooses, and nothing vouches that it only builds data (not torch's defaults, a class of this project, " +
        '`trustedGlobals`, or the known data classes); list a class in `trustedGlobals` once its source shows it does.',
      unloadable: 'Checkpoint ({{format}}) cannot be loaded with `weights_only=True`: {{reason}}',
      notInspected:
        'Checkpoint not inspected: its {{size}} bytes are more than the `maxBytes` option ({{max}}); raise the ' +
        'option to check it.',
      loadNeedsAllowlist:
        '`{{callee}}("{{path}}")` loads with `weights_only=True`, but that checkpoint needs an allowlist on torch ' +
        '{{version}} ({{source}}): it will fail with "Unsupported global". Allowlist exactly these, if you trust ' +
        'them: {{how}}.',
      loadNeedsReview:
        '`{{callee}}("{{path}}")` loads with `weights_only=True`, but that checkpoint needs {{names}} on torch ' +
        '{{version}} ({{source}}): it will fail with "Unsupported global", and nothing vouches for them: unknown ' +
        'code, review before allowlisting (unpickling calls each with arguments the file chooses).',
      loadUnloadable:
        '`{{callee}}("{{path}}")` loads with `weights_only=True`, but that checkpoint cannot be loaded that way: ' +
        '{{reason}}',
      loadDangerous: '`{{callee}}("{{path}}")` loads a checkpoint that references {{names}}: {{consequence}}',
      loadUnchecked:
        '`{{callee}}("{{path}}")` loads a checkpoint that cannot be shown safe ({{reason}}): do not load it with ' +
        'full pickle.',
    },
    schema: {
      type: 'object',
      properties: {
        extensions: { type: 'array', items: { type: 'string', pattern: '^\\.[\\w.]+$' } },
        maxBytes: { type: 'integer', minimum: 0 },
      },
      additionalProperties: false,
    },
    defaultSeverity: 'warn',
    security: {
      severity: 8.8,
      precision: 'high',
      cwe: ['CWE-502'],
      // a load torch refuses, or a file not read, is no code execution (SARIF: the rule's compatibility twin)
      compatibility: [
        'needsAllowlist',
        'needsReview',
        'unloadable',
        'notInspected',
        'loadNeedsAllowlist',
        'loadNeedsReview',
        'loadUnloadable',
      ],
    },
  },
  defaultOptions: { extensions: [...CHECKPOINT_EXTENSIONS], maxBytes: 2 * 1024 * 1024 * 1024 },
  create(base) {
    const context = torchContext(base);
    return {
      call(node: Node) {
        const load = loadCallIn(context, node);
        const found = load && checkpointOf(context, load);
        // for a torch between two known tables, what is reported must hold under the newer table too; a fix rests on
        // the older one, so it is offered only where both agree
        const inspection = found && (found.inspection.atNewerTable ?? found.inspection);
        if (
          !load ||
          !found ||
          !inspection ||
          inspection.verdict === 'safe' ||
          inspection.verdict === 'not-a-checkpoint'
        )
          return;
        const agreed = !found.inspection.atNewerTable;
        const literal = stringValue(unparen(pathArgument(load)!));
        // with pickle_module, torch.load uses full pickle on every version (docs/torch-facts.md)
        const passed = weightsOnlyIn(context, load);
        const defaultTrue =
          load.fn.weightsOnlyDefault === true ||
          (load.fn.weightsOnlyDefault === 'torch' && !context.project.torch.allowsBefore26);
        const weightsOnly = pickleModuleArgument(load)
          ? 'false'
          : passed.value === 'absent'
            ? defaultTrue
              ? 'true'
              : 'false'
            : passed.value;
        const data = { callee: load.fn.display, path: literal! };
        if (inspection.verdict === 'dangerous') {
          const names = dangerousNames(inspection);
          if (weightsOnly === 'unknown') return;
          if (!names) {
            // judged dangerous without a name: it could not be read to the end (fail closed)
            const reason = inspection.messages.at(-1) ?? 'it could not be checked';
            context.report({
              node,
              messageId: 'loadUnchecked',
              severity: weightsOnly === 'true' ? 'warn' : 'error',
              data: { ...data, reason },
            });
            return;
          }
          // torch reads only up to the first STOP: a payload past it does not stop a weights_only load
          const readByTorch = inspection.globals.some(
            (g) => (g.status === 'blocked' || g.status === 'dangerous') && !g.afterStop,
          );
          const consequence =
            weightsOnly !== 'true'
              ? 'this load unpickles with full pickle, so loading it runs that code. Do not load this file.'
              : readByTorch
                ? 'torch refuses it with `weights_only=True`; the file is malicious or tampered, do not load it any other way.'
                : 'torch stops reading at the first STOP, so this load may work, but the file carries that payload after it (a tampered file): do not load it any other way.';
          context.report({
            node,
            messageId: 'loadDangerous',
            severity: 'error',
            data: { ...data, names, consequence },
          });
          return;
        }
        if (weightsOnly !== 'true') return; // full pickle loads it; torch-load-missing-weights-only and -false say why that is unsafe
        if (inspection.verdict === 'unloadable') {
          context.report({
            node,
            messageId: 'loadUnloadable',
            data: { ...data, reason: inspection.messages[0] ?? 'unsupported format' },
          });
          return;
        }
        // what enclosing safe_globals blocks and the project's add_safe_globals calls allow: the user's own choice,
        // so those names count as reviewed; a call whose list cannot be read might allow anything (no report)
        const processWide = new Set<string>();
        for (const file of found.allowlistFiles) {
          const allowed = context.project.index?.summary(file)?.extra.processAllowlist;
          if (allowed === undefined || allowed === 'unknown') return;
          for (const name of allowed) processWide.add(name);
        }
        const around = safeGlobalsAround(node, context.scopes);
        const covered = coveredNames(around, context.scopes, processWide);
        if (!covered) return;
        const { version, source } = inspection.torch;
        // needs-review: nothing vouches for some globals (unknown code): they are named to review, never given as a
        // list to paste, never wrapped
        if (inspection.verdict === 'needs-review') {
          const unknown = reviewNames(
            inspection,
            neededGlobals(inspection).filter((name) => !covered.has(name)),
          );
          if (unknown) {
            context.report({ node, messageId: 'loadNeedsReview', data: { ...data, names: unknown, version, source } });
            return;
          }
        }
        // needs-allowlist (or every unknown one allowlisted by hand): the rest, minus what is allowed already
        const missing = neededGlobals(inspection).filter((name) => !covered.has(name));
        if (missing.length === 0) return;
        // the fix wraps the load in safe_globals (unsafe: the program then trusts those classes); inside a block that
        // lists some of them already, extending that list is left to the user
        const addTrue =
          passed.value === 'true'
            ? undefined
            : addArgument(node, `${load.fn.weightsOnlyName ?? 'weights_only'}=True`, context.text);
        const plan =
          around || !agreed || (passed.value !== 'true' && !addTrue)
            ? undefined
            : planSafeGlobals(context, node, missing, addTrue, inspection.numpyDtypes);
        // the entries to paste: the inspection's list, for the names not allowed yet (a needs-review file whose unknown
        // globals the user allowlisted has none: judged again with those as trusted)
        const listed =
          inspection.verdict === 'needs-review'
            ? judgeInspection(
                inspection,
                projectVouchers(
                  context.project.index,
                  context.filePath,
                  [...(context.project.trustedGlobals ?? []), ...covered],
                  true,
                ),
              ).allowlist
            : inspection.allowlist;
        // (numpy's dtype classes go with numpy.dtype)
        const entries = listed.filter(
          (entry) =>
            missing.some((name) => entry === name || entry.endsWith(`"${name}")`)) ||
            (entry.startsWith('type(numpy.dtype(') && missing.includes('numpy.dtype')),
        );
        context.report({
          node,
          messageId: 'loadNeedsAllowlist',
          data: { ...data, version, source, how: allowlistAdvice({ ...inspection, allowlist: entries }) },
          ...(plan && 'fix' in plan && { fix: plan.fix, fixSafety: 'unsafe' as const }),
        });
      },
    };
  },
  // checkpoint files: the caller inspects each one (src/checkpoint/inspect.ts) and passes the inspection
  binary: {
    extensions: (options) => options.extensions,
    maxBytes: (options) => options.maxBytes,
    check({ filePath, data, report }) {
      // what is reported must hold under the newer table too, for a torch between two known tables
      const inspection = data.atNewerTable ?? data;
      const format = inspection.format;
      // A plain pickle named .pkl/.pickle is as much pickle.load's as torch.load's, and weights_only means nothing to
      // pickle.load: whether torch can load it with weights_only=True is said only when a torch load of the linted
      // files names it. What makes it dangerous (code-running globals, a limit that keeps it from being shown safe)
      // is said whoever loads it.
      const compatibility =
        data.loadedByTorch !== false || inspection.format !== 'pickle' || !PICKLE_EXTENSIONS.test(filePath);
      if (inspection.verdict === 'dangerous') {
        const names = dangerousNames(inspection);
        if (names) report({ messageId: 'dangerous', severity: 'error', data: { format, names } });
        else
          report({
            messageId: 'incomplete',
            severity: 'error',
            data: {
              format,
              reason:
                inspection.messages.find((m) => m.startsWith('a TorchScript')) ?? inspection.messages[0] ?? 'a limit',
            },
          });
      } else if (!compatibility) {
        return;
      } else if (inspection.verdict === 'unloadable') {
        report({ messageId: 'unloadable', data: { format, reason: inspection.messages[0] ?? 'unsupported format' } });
      } else if (inspection.verdict === 'needs-allowlist') {
        const { version, source } = inspection.torch;
        const how = `${allowlistAdvice(inspection)}, only if you trust these classes`;
        report({ messageId: 'needsAllowlist', data: { format, how, version, source } });
      } else if (inspection.verdict === 'needs-review') {
        const { version, source } = inspection.torch;
        report({
          messageId: 'needsReview',
          data: { format, names: reviewNames(inspection) ?? 'unknown globals', version, source },
        });
      }
    },
  },
});

/** Files of Python's pickle module, rather than torch.save's. */
const PICKLE_EXTENSIONS = /\.(pkl|pickle)$/i;

/** The blocked and dangerous globals of an inspection, as Markdown code, or undefined when there are none. */
function dangerousNames(inspection: Inspection): string | undefined {
  const names = [
    ...new Set(
      inspection.globals.filter((g) => g.status === 'blocked' || g.status === 'dangerous').map((g) => `\`${g.name}\``),
    ),
  ];
  return names.length ? names.join(', ') : undefined;
}

/**
 * The `unknown` globals of an inspection that torch reads (of `among`, when given), as Markdown code, or undefined
 * when there are none: named for review, never as a list to paste.
 */
function reviewNames(inspection: Inspection, among?: readonly string[]): string | undefined {
  const unknown = new Set(inspection.globals.filter((g) => g.status === 'unknown').map((g) => g.name));
  const names = (among ?? neededGlobals(inspection)).filter((name) => unknown.has(name));
  return names.length ? names.map((name) => `\`${name}\``).join(', ') : undefined;
}

/**
 * The globals the enclosing `safe_globals` blocks and the process-wide names allow (as torch records them);
 * undefined when an entry of those blocks cannot be named statically (it might cover anything).
 */
function coveredNames(
  around: (Node | 'unknown')[] | undefined,
  scopes: FileScopes,
  processWide: ReadonlySet<string>,
): Set<string> | undefined {
  const covered = new Set<string>(processWide);
  for (const entry of around ?? []) {
    const name = entry === 'unknown' ? undefined : allowlistEntryName(entry, scopes);
    if (name === undefined) return undefined;
    covered.add(name);
  }
  return covered;
}
