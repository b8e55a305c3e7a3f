import * as path from 'node:path';
import type { Node } from '../src/syntax/parse';
import { createRule, type SuggestionDescriptor } from '../src/engine/rule';
import { untrustedSource } from '../src/analysis/taint';
import { pathArgument, viaText } from '../src/torch/api';
import { advisoriesAllowedBy, describeAdvisories, fixedForAll, TORCH_ADVISORIES } from '../src/torch/advisories';
import { loadCallIn, torchContext, weightsOnlyIn } from '../src/torch/services';
import { allowedVersions, secureSpecifier, shortVersion } from '../src/torch/specifier';
import { type Declaration, declarationsInFile, setupPyDeclarations } from '../src/torch/version';

/**
 * Torch releases on which `weights_only=True` itself can be bypassed (src/torch/advisories.ts): reported at each
 * declared requirement that allows one, and at each load of untrusted data in a project that allows one. Loads of
 * other paths get nothing here: the requirement's finding covers them.
 */

type MessageId =
  'requirement' | 'raiseBound' | 'untrustedLoad' | 'untrustedLoadUndeclared' | 'unreadableSpecifier' | 'allowsNothing';

/**
 * A finding at a declaration whose specifier says nothing the other rules can use: written as a version specifier but
 * not PEP 440 (`torch>=banana`), or one that allows no torch release (`torch>=2.6,<2.5`). Both bound nothing, so the
 * project is judged as allowing any torch (src/torch/version.ts): the user should know. A direct URL or a
 * requirement built from pieces (`"torch>=" + MIN`) is not reported: it is not written as a specifier.
 */
function specifierProblem(declaration: Declaration, text: string) {
  const { ranges, span } = declaration;
  if (!span) return undefined;
  const written = text.slice(...span.range);
  const problem: MessageId | undefined = !ranges
    ? /^\s*["']?(py)?torch\s*(\[[^\]]*\])?\s*(===|==|~=|>=|<=|!=|>|<|=|\^|~)/.test(written)
      ? 'unreadableSpecifier'
      : undefined
    : allowedVersions(ranges).length === 0
      ? 'allowsNothing'
      : undefined;
  return problem && { start: span.range[0], end: span.range[1], messageId: problem, data: { spec: written.trim() } };
}

/** A finding at a declaration (by offsets into its file's text), or undefined when it allows no affected release. */
function declarationFinding(declaration: Declaration, text: string) {
  const { ranges, span } = declaration;
  // a specifier that cannot be read (a direct URL, `"torch>=" + MIN`) or placed says nothing certain at that line
  if (!ranges || !span) return undefined;
  const advisories = advisoriesAllowedBy(ranges);
  if (advisories.length === 0) return undefined;
  const fixed = fixedForAll(advisories);
  const { specifier } = span;
  const secured = specifier && secureSpecifier(text.slice(...specifier), declaration.dialect, fixed);
  // A suggestion, never a fix: a new lower bound changes what pip resolves (it may clash with other pins, or need a
  // newer CUDA or Python), which only a person can judge; offered only when the rewrite keeps every other bound.
  const suggest: SuggestionDescriptor<MessageId>[] | undefined =
    secured === undefined || !specifier
      ? undefined
      : [{ messageId: 'raiseBound', data: { specifier: secured }, fix: [{ range: specifier, text: secured }] }];
  return {
    start: span.range[0],
    end: span.range[1],
    data: {
      // as written (`torch >= 2.0, <3`), but a wheel URL by its version (`torch==2.1.0`), Poetry by `torch = "^2.0"`
      spec: declaration.dialect === 'poetry' || !specifier ? declaration.spec : text.slice(...span.range),
      advisories: describeAdvisories(advisories),
      fixed: shortVersion(fixed),
    },
    suggest,
  };
}

export default createRule({
  meta: {
    id: 'torch-vulnerable-version',
    type: 'problem',
    docs: {
      description:
        'Disallow torch requirements that allow releases where `weights_only=True` can be bypassed ' +
        '(CVE-2025-32434, CVE-2026-24747), and loads of untrusted files on them.',
    },
    hasSuggestions: true,
    messages: {
      requirement:
        '`{{spec}}` allows torch releases where `torch.load(..., weights_only=True)` of a malicious file can still ' +
        'run code: {{advisories}}. Require torch>={{fixed}}.',
      raiseBound: 'Change the torch specifier to `{{specifier}}`.',
      untrustedLoad:
        '`{{callee}}()`{{via}} loads a file from {{source}} (line {{line}}), and `{{spec}}` ({{where}}) allows torch ' +
        'releases where even `weights_only=True` lets a malicious file run code: {{advisories}}. Require ' +
        'torch>={{fixed}}.',
      unreadableSpecifier:
        '`{{spec}}` is not a PEP 440 specifier pylint-torch can read, so it bounds nothing: the project is judged as ' +
        'allowing any torch (no fix is safe), and pip will refuse it too.',
      allowsNothing:
        '`{{spec}}` allows no torch release at all, so it bounds nothing: the project is judged as allowing any ' +
        'torch (no fix is safe), and pip cannot install it.',
      untrustedLoadUndeclared:
        '`{{callee}}()`{{via}} loads a file from {{source}} (line {{line}}), and the project declares no torch ' +
        'requirement, so any torch may run it, including releases where even `weights_only=True` lets a malicious ' +
        'file run code: {{advisories}}. Declare torch>={{fixed}}.',
    },
    schema: false,
    defaultSeverity: 'warn',
    // CVE-2025-32434 is rated 9.3 (CVSS 4.0, critical) in its advisory; CWE-1395: dependency on a vulnerable component
    security: {
      severity: 9.3,
      precision: 'high',
      cwe: ['CWE-502', 'CWE-1395'],
      // a specifier that bounds nothing is a packaging error, not a vulnerable torch
      compatibility: ['unreadableSpecifier', 'allowsNothing'],
    },
  },
  defaultOptions: {},
  create(base) {
    const context = torchContext(base);
    return {
      module(root: Node) {
        if (path.basename(context.filePath) !== 'setup.py') return;
        const strings = root.descendantsOfType('string').filter((s): s is Node => s !== null);
        for (const declaration of setupPyDeclarations(root, context.text)) {
          const finding = declarationFinding(declaration, context.text);
          const node = finding && strings.find((s) => s.startIndex <= finding.start && finding.end <= s.endIndex);
          if (finding && node)
            context.report({ node, messageId: 'requirement', data: finding.data, suggest: finding.suggest });
          const problem = specifierProblem(declaration, context.text);
          const at = problem && strings.find((s) => s.startIndex <= problem.start && problem.end <= s.endIndex);
          if (problem && at) context.report({ node: at, messageId: problem.messageId, data: problem.data });
        }
      },
      call(node: Node) {
        const load = loadCallIn(context, node);
        if (!load) return;
        const passed = weightsOnlyIn(context, load);
        // full pickle on every torch: torch-load-weights-only-false and torch-load-missing-weights-only report it
        if (passed.value === 'false' || (passed.value === 'absent' && load.fn.weightsOnlyDefault === false)) return;
        const file = pathArgument(load);
        const source = file && untrustedSource(file, context.scopes);
        if (!source) return;
        const declarations = context.project.torch.declarations ?? [];
        const allowing = declarations.map((d) => ({ declaration: d, advisories: advisoriesAllowedBy(d.ranges) }));
        const advisories = TORCH_ADVISORIES.filter(
          (a) => declarations.length === 0 || allowing.some((d) => d.advisories.includes(a)),
        );
        if (advisories.length === 0) return;
        const named = allowing.find((d) => d.advisories.includes(advisories[0]))?.declaration;
        const where = named?.span ? `${named.file}:${named.span.line}` : (named?.file ?? '');
        context.report({
          node,
          messageId: named ? 'untrustedLoad' : 'untrustedLoadUndeclared',
          data: {
            callee: load.fn.display,
            via: viaText(load.fn),
            source: source.description,
            line: String(source.node.startPosition.row + 1),
            spec: named?.spec ?? '',
            where,
            advisories: describeAdvisories(advisories),
            fixed: shortVersion(fixedForAll(advisories)),
          },
          // whoever controls the file runs code in this process on the releases named: an error whatever the config
          severity: 'error',
        });
      },
    };
  },
  text: {
    files: [
      '**/requirements*.txt',
      '**/requirements/**/*.txt',
      '**/pyproject.toml',
      '**/setup.cfg',
      '**/environment.yml',
      '**/environment.yaml',
    ],
    check(context) {
      for (const declaration of declarationsInFile(context.filePath, context.text)) {
        const finding = declarationFinding(declaration, context.text);
        if (finding) context.report({ ...finding, messageId: 'requirement' });
        const problem = specifierProblem(declaration, context.text);
        if (problem) context.report(problem);
      }
    },
  },
});
