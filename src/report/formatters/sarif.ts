/**
 * SARIF 2.1.0 for GitHub code scanning. Shapes follow the OASIS SARIF 2.1.0 spec (sarif-2.1.0-rtm.5 schema) and
 * GitHub's "SARIF support for code scanning" page (`security-severity`, `precision`, `partialFingerprints`).
 * Results whose ruleId is null (unreadable file, syntax error) go to the invocation's toolExecutionNotifications.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LintMessage, LintResult } from '../results';
import { REPOSITORY_URL } from '../../engine/rule';
import type { FormatContext } from './context';
import { notebookTextPosition } from '../../project/notebook';

const level = (severity: 1 | 2) => (severity === 2 ? 'error' : 'warning');

export function sarif(results: readonly LintResult[], context: FormatContext): string {
  const ruleIndex = new Map(context.rules.map((rule, index) => [rule.meta.id, index]));
  const rules = context.rules.map((rule) => {
    const markdown = context.ruleDocs?.get(rule.meta.id);
    return {
      id: rule.meta.id,
      name: rule.meta.id.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase()),
      shortDescription: { text: rule.meta.docs.description },
      fullDescription: { text: rule.meta.docs.description },
      help: {
        text: rule.meta.docs.url
          ? `${rule.meta.docs.description} See ${rule.meta.docs.url}`
          : rule.meta.docs.description,
        ...(markdown && { markdown }),
      },
      ...(rule.meta.docs.url && { helpUri: rule.meta.docs.url }),
      defaultConfiguration: {
        level:
          rule.meta.defaultSeverity === 'error' ? 'error' : rule.meta.defaultSeverity === 'warn' ? 'warning' : 'none',
      },
      // GitHub's security tags and severity only for rules that say what they guard against (a plugin may not)
      ...(rule.meta.security && {
        properties: {
          tags: ['security', ...rule.meta.security.cwe.map((cwe) => `external/cwe/${cwe.toLowerCase()}`)],
          precision: rule.meta.security.precision,
          'security-severity': rule.meta.security.severity.toFixed(1),
        },
      }),
    };
  });

  const sarifResults: unknown[] = [];
  const notifications: unknown[] = [];
  for (const result of results) {
    const artifactLocation = artifact(result.filePath, context.cwd);
    const lines = context.sources.get(result.filePath)?.split('\n');
    const seen = new Map<string, number>();
    const notebook = result.messages.some((m) => m.cell !== undefined)
      ? notebookTextPosition(context.sources.get(result.filePath) ?? '')
      : undefined;
    for (const inCell of result.messages) {
      const message = onDisk(inCell, notebook);
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
        continue;
      }
      const hash = lineHash(message, artifactLocation.uri, message.fileLevel ? undefined : lines);
      const occurrence = (seen.get(hash) ?? 0) + 1;
      seen.set(hash, occurrence);
      sarifResults.push({
        ruleId: message.ruleId,
        ruleIndex: ruleIndex.get(message.ruleId) ?? -1,
        level: level(message.severity),
        message: { text: message.message },
        locations: [location],
        ...(inCell.cell !== undefined && { properties: { cell: inCell.cell, cellLine: inCell.line } }),
        partialFingerprints: { primaryLocationLineHash: `${hash}:${occurrence}` },
        ...relatedOf(message, artifactLocation),
        ...(context.sarifFixes && fixesOf(message, artifactLocation)),
      });
    }
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
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(context.cwd + path.sep).href } },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

/**
 * A notebook's finding with its region in the notebook file as it is on disk (SARIF regions count in the artifact's
 * text, §3.30), and its cell and line in the cell said in the message (the result's `properties` hold them too).
 */
function onDisk(message: LintMessage, position: ReturnType<typeof notebookTextPosition>): LintMessage {
  const { cell } = message;
  if (cell === undefined || !position) return message;
  const place = <T extends { line: number; column: number; endLine: number; endColumn: number; cell?: number }>(
    span: T,
  ): T => {
    const start = position(span.cell ?? cell, span.line, span.column);
    const end = position(span.cell ?? cell, span.endLine, span.endColumn);
    return { ...span, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  };
  return {
    ...place(message),
    message: `${message.message} (notebook cell ${cell}, line ${message.line})`,
    ...(message.relatedLocations && { relatedLocations: message.relatedLocations.map(place) }),
  };
}

/** A file inside `cwd` as a relative URI against `%SRCROOT%`; one outside as an absolute file URI. */
function artifact(filePath: string, cwd: string): { uri: string; uriBaseId?: string } {
  const rel = path.relative(cwd, filePath);
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
 * A hash of the rule, file and the finding's source line with whitespace removed, so it survives reindenting and line
 * moves.
 */
function lineHash(message: LintMessage, uri: string, lines: string[] | undefined): string {
  const text = (lines?.[message.line - 1] ?? '').replace(/\s+/g, '');
  return createHash('sha256').update(`${message.ruleId}\0${uri}\0${text}`).digest('hex').slice(0, 16);
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
