/**
 * JUnit XML for CI test-report views (GitLab `artifacts: reports: junit`, Jenkins, Azure Pipelines), shaped like
 * ESLint's junit formatter: one `<testsuite>` per linted file, one `<testcase>` per finding holding a `<failure>`
 * (a problem without a rule, such as an unreadable file or a syntax error, holds an `<error>`), and one passing
 * `<testcase>` for a file without findings.
 */
import type { LintMessage, LintResult } from '../results';
import { type FormatContext, reportPath } from './context';
import { messagesOnDisk } from './on-disk';

/**
 * XML 1.0 text or attribute value: the five markup characters as entities, and characters XML cannot hold (C0
 * controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF) as U+FFFD. CR and LF in attributes as character
 * references, so that parsers do not fold them to spaces.
 */
export function escapeXml(text: string): string {
  return text
    .replace(
      // eslint-disable-next-line no-control-regex -- the control characters XML 1.0 cannot hold are the point
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;');
}

/** Files relative to the repository root; lines and columns 1-based (columns in UTF-16 code units). */
export function junit(results: readonly LintResult[], context: FormatContext): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const result of results) {
    const file = escapeXml(reportPath(result.filePath, context));
    const cases = messagesOnDisk(result, context).map((m) => testcase(m, file));
    const suiteErrors = result.messages.filter((m) => m.ruleId === null).length;
    const suiteFailures = result.messages.length - suiteErrors;
    if (cases.length === 0)
      cases.push(`    <testcase name="pylint-torch" classname="${file}" file="${file}" time="0"/>\n`);
    tests += cases.length;
    failures += suiteFailures;
    errors += suiteErrors;
    suites.push(
      `  <testsuite name="${file}" tests="${cases.length}" failures="${suiteFailures}" errors="${suiteErrors}" time="0">\n` +
        cases.join('') +
        '  </testsuite>\n',
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="pylint-torch" tests="${tests}" failures="${failures}" errors="${errors}" time="0">\n` +
    suites.join('') +
    '</testsuites>\n'
  );
}

function testcase(m: LintMessage, file: string): string {
  const element = m.ruleId === null ? 'error' : 'failure';
  const severity = m.severity === 2 ? 'error' : 'warning';
  const place = m.fatal || m.fileLevel ? file : `${file}:${m.line}:${m.column}`;
  const rule = m.ruleId ? ` [${escapeXml(m.ruleId)}]` : '';
  return (
    `    <testcase name="${escapeXml(m.ruleId ?? 'pylint-torch')}" classname="${file}" file="${file}" time="0">\n` +
    `      <${element} type="${severity}" message="${escapeXml(m.message)}">${place}: ${severity}: ${escapeXml(m.message)}${rule}</${element}>\n` +
    '    </testcase>\n'
  );
}
