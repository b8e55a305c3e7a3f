/**
 * SARIF 2.1.0 for GitHub code scanning. Shapes follow the OASIS SARIF 2.1.0 spec (sarif-2.1.0-rtm.5 schema) and
 * GitHub's "SARIF support for code scanning" page (`security-severity`, `precision`, `partialFingerprints`).
 * Results whose ruleId is null (unreadable file, syntax error) go to the invocation's toolExecutionNotifications.
 *
 * GitHub reads `security-severity` and the `security` tag from the rule (reportingDescriptor), never from a result,
 * so a rule whose findings are not all vulnerabilities gets a twin descriptor `<id>/compatibility` (a hierarchical
 * rule id, SARIF §3.27.5) without them: the findings its `meta.security.compatibility` lists (a load torch refuses,
 * a requirement that bounds nothing) are shown at their level (error, warning) instead of as High or Critical.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LintMessage, LintResult } from '../results';
import { type AnyRule, REPOSITORY_URL, reportKind } from '../../engine/rule';
import { docSummary } from '../rule-docs';
import type { FormatContext } from './context';
import { lineFingerprints } from './fingerprint';
import { messagesOnDisk } from './on-disk';

const level = (severity: 1 | 2) => (severity === 2 ? 'error' : 'warning');

/** Suffix of the descriptor id that carries a rule's compatibility findings. */
export const COMPATIBILITY_SUFFIX = '/compatibility';

export function sarif(results: readonly LintResult[], context: FormatContext): string {
  const root = context.root ?? context.cwd;
  const rules = context.rules.flatMap((rule) => descriptors(rule, context.ruleDocs?.get(rule.meta.id)));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const byId = new Map(context.rules.map((rule) => [rule.meta.id, rule]));

  const sarifResults: unknown[] = [];
  const notifications: unknown[] = [];
  for (const result of results) {
    const artifactLocation = artifact(result.filePath, root);
    // a notebook's findings with their regions in the notebook file as it is on disk
    const onDiskMessages = messagesOnDisk(result, context);
    const fingerprints = lineFingerprints(
      { ...result, messages: onDiskMessages },
      artifactLocation.uri,
      context.sources.get(result.filePath),
    );
    result.messages.forEach((inCell, index) => {
      const message = onDiskMessages[index];
      const location = {
        physicalLocation: {
          artifactLocation,
          ...(message.fatal || message.fileLevel ? {} : { region: region(message) }),
        },
      };
      if (message.ruleId === null) {
        notifications.push({
          level: level(message.severity),
          message: { text: message.message },
          locations: [location],
        });
        return;
      }
      const kind = reportKind(byId.get(message.ruleId)?.meta, message.messageId);
      const ruleId = kind === 'compatibility' ? `${message.ruleId}${COMPATIBILITY_SUFFIX}` : message.ruleId;
      sarifResults.push({
        ruleId,
        ruleIndex: ruleIndex.get(ruleId) ?? -1,
        level: level(message.severity),
        message: { text: message.message },
        locations: [location],
        ...(inCell.cell !== undefined && { properties: { cell: inCell.cell, cellLine: inCell.line } }),
        partialFingerprints: { primaryLocationLineHash: fingerprints[index]! },
        ...relatedOf(message, artifactLocation),
        ...(context.sarifFixes && fixesOf(message, artifactLocation)),
      });
    });
  }

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pylint-torch',
            version: context.toolVersion,
            semanticVersion: context.toolVersion,
            informationUri: REPOSITORY_URL,
            rules,
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': { uri: pathToFileURL(root + (root.endsWith(path.sep) ? '' : path.sep)).href },
        },
        ...(context.sarifCategory && {
          automationDetails: {
            id: context.sarifCategory.endsWith('/') ? context.sarifCategory : `${context.sarifCategory}/`,
          },
        }),
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

/**
 * A rule's reportingDescriptors: the rule itself (with GitHub's security tags, precision and `security-severity`
 * when it has security metadata) and, when some of its messages are compatibility findings, its
 * `<id>/compatibility` twin without them. `fullDescription` is the first paragraph of the doc's "Why is this bad?"
 * section; `help.markdown` the whole doc (links already absolute, see loadRuleDocs).
 */
function descriptors(rule: AnyRule, markdown: string | undefined) {
  const { id, docs, security, defaultSeverity } = rule.meta;
  const name = id.replace(/(^|[-/])(\w)/g, (_, _sep: string, c: string) => c.toUpperCase());
  const common = {
    help: {
      text: docs.url ? `${docs.description} See ${docs.url}` : docs.description,
      ...(markdown && { markdown }),
    },
    ...(docs.url && { helpUri: docs.url }),
    defaultConfiguration: {
      level: defaultSeverity === 'error' ? 'error' : defaultSeverity === 'warn' ? 'warning' : 'none',
    },
  };
  const main = {
    id,
    name,
    shortDescription: { text: docs.description },
    fullDescription: { text: (markdown && docSummary(markdown)) || docs.description },
    ...common,
    // GitHub's security tags and severity only for rules that say what they guard against (a plugin may not)
    ...(security && {
      properties: {
        tags: ['security', ...security.cwe.map((cwe) => `external/cwe/${cwe.toLowerCase()}`)],
        precision: security.precision,
        'security-severity': security.severity.toFixed(1),
      },
    }),
  };
  if (!security?.compatibility?.length) return [main];
  const twin = {
    id: `${id}${COMPATIBILITY_SUFFIX}`,
    name: `${name}Compatibility`,
    shortDescription: { text: `${id}: findings that report no code execution (compatibility).` },
    fullDescription: {
      text:
        `The findings of ${id} that claim no vulnerability: a load that torch will refuse or that needs an ` +
        'allowlist, a requirement that bounds nothing, a file not inspected. They are shown at their level (error or ' +
        `warning), not as a security severity; ${id} itself reports the vulnerabilities.`,
    },
    ...common,
    properties: { tags: ['compatibility'], precision: security.precision },
  };
  return [main, twin];
}

/** A file inside `root` as a relative URI against `%SRCROOT%`; one outside as an absolute file URI. */
function artifact(filePath: string, root: string): { uri: string; uriBaseId?: string } {
  const rel = path.relative(root, filePath);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return { uri: pathToFileURL(filePath).href };
  return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/**
 * SARIF `relatedLocations` (§3.27.22): the places that explain a result (the untrusted source a load reads), each a
 * location with an `id` unique within the result (§3.28.2), its region and message.
 */
function relatedOf(
  message: LintMessage,
  artifactLocation: { uri: string; uriBaseId?: string },
): { relatedLocations: unknown[] } | undefined {
  if (!message.relatedLocations?.length) return undefined;
  return {
    relatedLocations: message.relatedLocations.map((related, index) => ({
      id: index + 1,
      physicalLocation: { artifactLocation, region: region(related) },
      message: { text: related.message },
    })),
  };
}

function region(message: { line: number; column: number; endLine: number; endColumn: number }) {
  return {
    startLine: message.line,
    startColumn: message.column,
    endLine: message.endLine,
    endColumn: message.endColumn,
  };
}

/**
 * `--sarif-fixes`: the fix `--fix` would apply and each suggestion, as SARIF `fixes` (§3.55). Regions are character
 * offsets in UTF-16 code units of the decoded text (the run's `columnKind`).
 */
function fixesOf(
  message: LintMessage,
  artifactLocation: { uri: string; uriBaseId?: string },
): { fixes: unknown[] } | undefined {
  const label = message.fixSafety === 'unsafe' ? 'Fix applied by --fix --unsafe-fixes' : 'Fix applied by --fix';
  const all = [...(message.fix ? [{ desc: label, fix: message.fix }] : []), ...(message.suggestions ?? [])];
  if (all.length === 0) return undefined;
  return {
    fixes: all.map(({ desc, fix }) => ({
      description: { text: desc },
      artifactChanges: [
        {
          artifactLocation,
          replacements: [
            {
              deletedRegion: { charOffset: fix.range[0], charLength: fix.range[1] - fix.range[0] },
              insertedContent: { text: fix.text },
            },
          ],
        },
      ],
    })),
  };
}

/**
 * Code scanning's limits on one SARIF run (GitHub docs, "SARIF results exceed one or more limits"): more than 25,000
 * results and the upload is rejected; more than 5,000 and only the top 5,000 by severity are kept.
 */
export function sarifLimits(results: readonly LintResult[]): string[] {
  const count = results.reduce((n, r) => n + r.messages.filter((m) => m.ruleId !== null).length, 0);
  if (count > 25_000)
    return [
      `the SARIF run has ${count} results; GitHub code scanning rejects a run with more than 25,000 (lint fewer ` +
        'files, or report errors only with --quiet)',
    ];
  if (count > 5_000)
    return [`the SARIF run has ${count} results; GitHub code scanning keeps only the top 5,000 by severity`];
  return [];
}
