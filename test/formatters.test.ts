import * as fs from 'node:fs';
import * as path from 'node:path';
import { rules } from '../rules';
import { formatters, type FormatContext } from '../src/report/formatters';
import { countResult, type LintMessage, type LintResult } from '../src/report/results';
import { statistics } from '../src/report/statistics';
import { absoluteLinks, loadRuleDocs } from '../src/report/rule-docs';
import { sarifLimits } from '../src/report/formatters/sarif';
import { REPOSITORY_URL, repositoryUrl } from '../src/io/package';
import { cli, tempRepo } from './helpers/cli';
import { sarifSchemaErrors } from './helpers/sarif';

/**
 * What GitHub code scanning shows for each message of each rule (GitHub's "SARIF support for code scanning": the
 * rule's `security-severity` as Critical 9.0+, High 7.0–8.9, Medium 4.0–6.9, Low below, when the rule is tagged
 * `security`; otherwise the result's `level`). `level` rows are compatibility findings, shown at their level;
 * `suggestion` rows are suggestion texts, never a finding.
 */
type Shown = 'Critical' | 'High' | 'Medium' | 'level' | 'suggestion';
const SHOWN: Record<string, Record<string, Shown>> = {
  'torch-load-missing-weights-only': {
    missing: 'High',
    none: 'High',
    missingModern: 'level',
    missingDefaultFalse: 'High',
    loaderNoParam: 'High',
    missingRemote: 'High',
    raiseRequirement: 'High',
    roundTrip: 'level',
    addWeightsOnly: 'suggestion',
  },
  'torch-load-weights-only-false': {
    unsafe: 'High',
    untrusted: 'High',
    untrustedMaybeFalse: 'High',
    useWeightsOnlyTrue: 'suggestion',
  },
  'torch-save-full-model': { fullModel: 'Medium', inContainer: 'Medium', saveStateDict: 'suggestion' },
  'torch-load-pickle-module': { pickleModule: 'High' },
  'torch-weights-only-override': {
    env: 'Critical',
    envChild: 'Critical',
    envFile: 'Critical',
    defaultPatch: 'Critical',
    patch: 'Critical',
    patchPickleModule: 'Critical',
  },
  'torch-unsafe-safe-globals': { dangerous: 'Critical', fromCheckpoint: 'Critical' },
  'pickle-load-untrusted': { untrusted: 'Critical', unpicklesNetwork: 'Critical' },
  'torch-hub-load-untrusted': { untrustedRepo: 'High', trustRepo: 'High' },
  'checkpoint-unsafe-globals': {
    dangerous: 'High',
    incomplete: 'High',
    needsAllowlist: 'level',
    needsReview: 'level',
    unloadable: 'level',
    notInspected: 'level',
    loadNeedsAllowlist: 'level',
    loadNeedsReview: 'level',
    loadUnloadable: 'level',
    loadDangerous: 'High',
    loadUnchecked: 'High',
  },
  'torch-vulnerable-version': {
    requirement: 'Critical',
    raiseBound: 'suggestion',
    untrustedLoad: 'Critical',
    unreadableSpecifier: 'level',
    allowsNothing: 'level',
    untrustedLoadUndeclared: 'Critical',
  },
};

interface SarifLog {
  runs: {
    tool: { driver: { rules: SarifRule[]; informationUri: string } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  }[];
}
interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown?: string };
  helpUri?: string;
  properties?: { tags?: string[]; 'security-severity'?: string };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number } } }[];
}

/** GitHub's rule for what an alert shows: the rule's security severity band, else the result's level. */
function shownOnGitHub(log: SarifLog, result: SarifResult): string {
  const rule = log.runs[0].tool.driver.rules[result.ruleIndex];
  expect(rule.id).toBe(result.ruleId);
  const score = rule.properties?.['security-severity'];
  if (!rule.properties?.tags?.includes('security') || score === undefined) return result.level;
  const n = Number(score);
  return n >= 9 ? 'Critical' : n >= 7 ? 'High' : n >= 4 ? 'Medium' : n > 0 ? 'Low' : 'None';
}

const message = (over: Partial<LintMessage>): LintMessage => ({
  ruleId: 'torch-load-weights-only-false',
  severity: 2,
  message: 'm',
  line: 1,
  column: 1,
  endLine: 1,
  endColumn: 2,
  ...over,
});

const context = (over: Partial<FormatContext> = {}): FormatContext => ({
  cwd: '/repo/src',
  root: '/repo',
  rules,
  sources: new Map(),
  color: false,
  fixed: false,
  dryRun: false,
  toolVersion: '0.0.0',
  ...over,
});

describe('SARIF severity as GitHub code scanning shows it', () => {
  test('the table names every message of every rule', () => {
    expect(Object.fromEntries(rules.map((r) => [r.meta.id, Object.keys(r.meta.messages).sort()]))).toEqual(
      Object.fromEntries(Object.entries(SHOWN).map(([id, messages]) => [id, Object.keys(messages).sort()])),
    );
    // a suggestion text is never listed as a finding kind
    for (const rule of rules)
      for (const id of rule.meta.security?.compatibility ?? []) expect([rule.meta.id, id, SHOWN[rule.meta.id][id]]).toEqual([rule.meta.id, id, 'level']);
  });

  const rows = Object.entries(SHOWN).flatMap(([ruleId, messages]) =>
    Object.entries(messages)
      .filter(([, shown]) => shown !== 'suggestion')
      .map(([messageId, shown]) => [ruleId, messageId, shown] as const),
  );
  test.each(rows)('%s %s: %s', (ruleId, messageId, shown) => {
    for (const severity of [1, 2] as const) {
      const results = [countResult({ filePath: '/repo/a.py', messages: [message({ ruleId, messageId, severity })] })];
      const log: SarifLog = JSON.parse(formatters.sarif(results, context()));
      expect(sarifSchemaErrors(log)).toEqual([]);
      const [result] = log.runs[0].results;
      expect(shownOnGitHub(log, result)).toBe(shown === 'level' ? (severity === 2 ? 'error' : 'warning') : shown);
      // a compatibility finding has its own descriptor, with no security tag
      expect(result.ruleId).toBe(shown === 'level' ? `${ruleId}/compatibility` : ruleId);
    }
  });

  test.each(rules.map((r) => [r.meta.id, r]))("%s's doc states its code scanning severity and compatibility findings", (id, rule) => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'rules', `${id}.md`), 'utf8');
    const section = doc.slice(doc.indexOf('## Code scanning severity'), doc.indexOf('## References')).replace(/\s+/g, ' ');
    const score = rule.meta.security!.severity.toFixed(1);
    const band = Object.values(SHOWN[id]).find((shown) => shown !== 'level' && shown !== 'suggestion');
    expect(section).toContain(`\`security-severity\` ${score} (GitHub shows **${band}**)`);
    const compatibility = Object.keys(SHOWN[id]).filter((m) => SHOWN[id][m] === 'level');
    for (const m of compatibility) expect(section).toContain(`\`${m}\``);
    expect(section.includes(`${id}/compatibility`)).toBe(compatibility.length > 0);
  });

  test('the bundled example: each finding at the severity its message claims', async () => {
    const dir = path.join(__dirname, '..', 'examples', 'demo_project');
    const { code, stdout } = await cli(dir, '-f', 'sarif');
    expect(code).toBe(1);
    const log: SarifLog = JSON.parse(stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const shown = log.runs[0].results.map((r) => {
      const { uri } = r.locations[0].physicalLocation.artifactLocation;
      return `${uri}:${r.locations[0].physicalLocation.region?.startLine ?? '-'} ${r.ruleId} ${shownOnGitHub(log, r)}`;
    });
    // URIs from the repository root (the folder with .git above the example), not from the example's folder
    expect(shown).toEqual([
      'examples/demo_project/Dockerfile:6 torch-weights-only-override Critical',
      'examples/demo_project/app/models.py:25 torch-save-full-model Medium',
      'examples/demo_project/checkpoints/run_args.pt:- checkpoint-unsafe-globals/compatibility warning',
      'examples/demo_project/predict.py:12 torch-load-weights-only-false High',
      'examples/demo_project/predict.py:16 torch-load-missing-weights-only High',
      'examples/demo_project/predict.py:20 torch-load-pickle-module High',
      'examples/demo_project/predict.py:23 torch-load-missing-weights-only High',
      'examples/demo_project/requirements.txt:1 torch-vulnerable-version Critical',
      'examples/demo_project/tools.py:8 torch-unsafe-safe-globals Critical',
      'examples/demo_project/tools.py:12 pickle-load-untrusted Critical',
      'examples/demo_project/tools.py:15 torch-hub-load-untrusted High',
      'examples/demo_project/train.py:25 torch-save-full-model Medium',
      'examples/demo_project/train.py:30 torch-load-missing-weights-only High',
      'examples/demo_project/train.py:36 torch-load-missing-weights-only High',
      'examples/demo_project/train.py:45 checkpoint-unsafe-globals/compatibility warning',
    ]);
  });

  test('a torch >= 2.6 project: "safe by default" loads are warnings, not High', async () => {
    const dir = tempRepo({ 'requirements.txt': 'torch>=2.10\n', 'a.py': 'import torch\nsd = torch.load("w.pt")\n' });
    const log: SarifLog = JSON.parse((await cli(dir, '-f', 'sarif')).stdout);
    expect(log.runs[0].results.map((r) => [r.ruleId, shownOnGitHub(log, r)])).toEqual([['torch-load-missing-weights-only/compatibility', 'warning']]);
  });
});

describe('SARIF rule metadata', () => {
  const log: SarifLog = JSON.parse(formatters.sarif([], context({ ruleDocs: loadRuleDocs(rules) })));
  const descriptors = log.runs[0].tool.driver.rules;

  test('helpUri and informationUri come from package.json repository', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(manifest.repository.url).toBe('git+https://github.com/pylint-torch/pylint-torch.git');
    expect(REPOSITORY_URL).toBe('https://github.com/pylint-torch/pylint-torch');
    expect(log.runs[0].tool.driver.informationUri).toBe(REPOSITORY_URL);
    expect(descriptors.find((r) => r.id === 'torch-save-full-model')!.helpUri).toBe(
      'https://github.com/pylint-torch/pylint-torch/blob/main/docs/rules/torch-save-full-model.md',
    );
  });

  test('every rule: a full description beyond the short one, help links all absolute', () => {
    let links = 0;
    for (const rule of descriptors) {
      expect([rule.id, rule.fullDescription.text === rule.shortDescription.text]).toEqual([rule.id, false]);
      const targets = [...(rule.help.markdown ?? '').matchAll(/\]\(([^)\s]+)/g)].map((m) => m[1]);
      for (const target of targets) expect([rule.id, target]).toEqual([rule.id, expect.stringMatching(/^https:\/\//)]);
      links += targets.length;
    }
    expect(links).toBeGreaterThan(20);
    expect(descriptors.find((r) => r.id === 'torch-save-full-model')!.fullDescription.text).toBe(
      'A whole pickled module can only be loaded with `weights_only=False` (code execution if the file is replaced) ' +
        'and only where the class still lives at the same import path. A state dict loads with `weights_only=True`.',
    );
  });

  test('absoluteLinks resolves relative links, keeps absolute ones and code', () => {
    const page = 'https://example.org/o/r/blob/main/docs/rules/x.md';
    expect(
      absoluteLinks('See [a](../a.md), [b](b.md#part "t"), [c](#fix), [d](https://d.org/), `[e](e.md)`.\n' + '[ref]: ../ref.md\n```\n[f](f.md)\n```\n', page),
    ).toBe(
      'See [a](https://example.org/o/r/blob/main/docs/a.md), [b](https://example.org/o/r/blob/main/docs/rules/b.md#part "t"), ' +
        '[c](https://example.org/o/r/blob/main/docs/rules/x.md#fix), [d](https://d.org/), `[e](e.md)`.\n' +
        '[ref]: https://example.org/o/r/blob/main/docs/ref.md\n```\n[f](f.md)\n```\n',
    );
  });

  test('repositoryUrl reads the forms of npm repository fields', () => {
    expect(repositoryUrl({ type: 'git', url: 'git+https://github.com/o/r.git' })).toBe('https://github.com/o/r');
    expect(repositoryUrl('github:o/r')).toBe('https://github.com/o/r');
    expect(repositoryUrl('o/r')).toBe('https://github.com/o/r');
    expect(repositoryUrl({ url: 'git+ssh://git@github.com/o/r.git' })).toBe('https://github.com/o/r');
    expect(() => repositoryUrl(undefined)).toThrow('package.json has no repository url');
    expect(() => repositoryUrl('not a url')).toThrow('is not one npm understands');
  });
});

describe('SARIF paths from the repository root', () => {
  const repo = () => {
    const dir = tempRepo({
      'src/pkg/a.py': 'import torch\ntorch.load("a.pt", weights_only=False)\n',
      'other.py': 'import torch\ntorch.load("b.pt", weights_only=False)\n',
    });
    fs.mkdirSync(path.join(dir, '.git'));
    return dir;
  };
  const uris = (log: SarifLog) => log.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation);

  test('run from a subfolder: URIs relative to the folder holding .git', async () => {
    const dir = repo();
    const log: SarifLog = JSON.parse((await cli(path.join(dir, 'src'), '-f', 'sarif')).stdout);
    expect(log.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${dir}/`);
    expect(uris(log)).toEqual([{ uri: 'src/pkg/a.py', uriBaseId: '%SRCROOT%' }]);
  });

  test('--sarif-root overrides it; a file outside the root gets an absolute file URI', async () => {
    const dir = repo();
    const log: SarifLog = JSON.parse((await cli(path.join(dir, 'src'), '-f', 'sarif', '--sarif-root', 'pkg', '.', '../other.py')).stdout);
    expect(log.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${dir}/src/pkg/`);
    expect(uris(log)).toEqual([{ uri: `file://${dir}/other.py` }, { uri: 'a.py', uriBaseId: '%SRCROOT%' }]);
  });

  test('--sarif-root: a usage error when it is no folder or the format has no paths to root', async () => {
    const dir = repo();
    expect(await cli(dir, '-f', 'sarif', '--sarif-root', 'nowhere')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pylint-torch: --sarif-root nowhere is not a folder\n',
    });
    const json = await cli(dir, '-f', 'json', '--sarif-root', 'src');
    expect([json.code, json.stderr]).toEqual([2, expect.stringContaining('--sarif-root needs --format sarif, github, gitlab, junit')]);
  });
});

describe('SARIF category and code scanning limits', () => {
  test('--sarif-category becomes run.automationDetails.id, as a category without a run id', async () => {
    const dir = tempRepo({ 'a.py': 'import torch\ntorch.load("a.pt", weights_only=False)\n' });
    const id = async (...args: string[]) => JSON.parse((await cli(dir, '-f', 'sarif', ...args)).stdout).runs[0].automationDetails;
    expect([await id('--sarif-category', 'pylint-torch'), await id('--sarif-category', 'ml/torch/'), await id()]).toEqual([
      { id: 'pylint-torch/' },
      { id: 'ml/torch/' },
      undefined,
    ]);
    const log = JSON.parse((await cli(dir, '-f', 'sarif', '--sarif-category', 'x')).stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  test('--sarif-category: a usage error without -f sarif, or when empty or spaced', async () => {
    const dir = tempRepo({ 'a.py': 'x = 1\n' });
    for (const args of [
      ['-f', 'json', '--sarif-category', 'x'],
      ['-f', 'sarif', '--sarif-category', ''],
      ['-f', 'sarif', '--sarif-category', 'a b'],
    ]) {
      const run = await cli(dir, ...args);
      expect([run.code, run.stdout]).toEqual([2, '']);
      expect(run.stderr).toMatch(/--sarif-category (needs --format sarif|must be a non-empty name)/);
    }
  });

  test('more results than code scanning keeps (5,000) or accepts (25,000) in one run: said, not hidden', () => {
    const many = (n: number): LintResult[] => [
      countResult({ filePath: '/repo/a.py', messages: Array.from({ length: n }, (_, i) => message({ line: i + 1, endLine: i + 1 })) }),
    ];
    expect(sarifLimits(many(5_000))).toEqual([]);
    expect(sarifLimits(many(5_001))).toEqual(['the SARIF run has 5001 results; GitHub code scanning keeps only the top 5,000 by severity']);
    expect(sarifLimits(many(25_001))).toEqual([
      'the SARIF run has 25001 results; GitHub code scanning rejects a run with more than 25,000 (lint fewer files, or report errors only with --quiet)',
    ]);
  });
});

/** A small fixed set of results under /repo: a finding with characters to escape, a file-level one, a syntax error, a clean file, a file outside the root. */
const FIXTURE: LintResult[] = [
  countResult({
    filePath: '/repo/src/we,ird:name.py',
    messages: [
      message({ messageId: 'unsafe', message: 'Loads 100% pickle,\r\nreally: <bad> & "x"', line: 2, column: 6, endLine: 2, endColumn: 24 }),
      message({
        ruleId: 'torch-load-missing-weights-only',
        messageId: 'missing',
        message: 'No weights_only.',
        line: 3,
        column: 1,
        endLine: 3,
        endColumn: 11,
        fix: { range: [30, 30], text: ', weights_only=True' },
        fixSafety: 'safe',
      }),
    ],
  }),
  countResult({
    filePath: '/repo/ckpt/model.pt',
    messages: [message({ ruleId: 'checkpoint-unsafe-globals', messageId: 'needsAllowlist', severity: 1, message: 'Needs an allowlist.', fileLevel: true })],
  }),
  countResult({ filePath: '/repo/bad.py', messages: [message({ ruleId: null, message: 'Syntax error', line: 4, column: 7, endLine: 4, endColumn: 7 })] }),
  countResult({ filePath: '/repo/ok.py', messages: [] }),
  countResult({ filePath: '/elsewhere/x.py', messages: [message({ severity: 1, message: 'Outside.', line: 1, column: 1, endLine: 1, endColumn: 5 })] }),
];
const SOURCES = new Map([
  ['/repo/src/we,ird:name.py', 'import torch\ntorch.load(p, weights_only=False)\ntorch.load(q)\n'],
  ['/elsewhere/x.py', 'torch.load(r, weights_only=False)\n'],
]);

describe('CI formats', () => {
  test('github: workflow commands, escaped', () => {
    expect(formatters.github(FIXTURE, context())).toBe(
      '::error file=src/we%2Cird%3Aname.py,line=2,endLine=2,col=6,endColumn=24,title=torch-load-weights-only-false::' +
        'Loads 100%25 pickle,%0D%0Areally: <bad> & "x"\n' +
        '::error file=src/we%2Cird%3Aname.py,line=3,endLine=3,col=1,endColumn=11,title=torch-load-missing-weights-only::No weights_only.\n' +
        '::warning file=ckpt/model.pt,title=checkpoint-unsafe-globals::Needs an allowlist.\n' +
        '::error file=bad.py,line=4,endLine=4,col=7,endColumn=7,title=pylint-torch::Syntax error\n' +
        '::warning file=/elsewhere/x.py,line=1,endLine=1,col=1,endColumn=5,title=torch-load-weights-only-false::Outside.\n',
    );
    expect(formatters.github([FIXTURE[3]], context())).toBe('');
  });

  test('gitlab: Code Quality issues with stable fingerprints', () => {
    const issues = JSON.parse(formatters.gitlab(FIXTURE, context({ sources: SOURCES })));
    const fingerprint = expect.stringMatching(/^[0-9a-f]{32}$/);
    expect(issues).toEqual([
      {
        description: 'Loads 100% pickle,\r\nreally: <bad> & "x"',
        check_name: 'torch-load-weights-only-false',
        fingerprint,
        severity: 'major',
        location: { path: 'src/we,ird:name.py', lines: { begin: 2 } },
      },
      {
        description: 'No weights_only.',
        check_name: 'torch-load-missing-weights-only',
        fingerprint,
        severity: 'major',
        location: { path: 'src/we,ird:name.py', lines: { begin: 3 } },
      },
      {
        description: 'Needs an allowlist.',
        check_name: 'checkpoint-unsafe-globals',
        fingerprint,
        severity: 'minor',
        location: { path: 'ckpt/model.pt', lines: { begin: 1 } },
      },
      { description: 'Syntax error', check_name: 'pylint-torch', fingerprint, severity: 'major', location: { path: 'bad.py', lines: { begin: 4 } } },
      {
        description: 'Outside.',
        check_name: 'torch-load-weights-only-false',
        fingerprint,
        severity: 'minor',
        location: { path: '/elsewhere/x.py', lines: { begin: 1 } },
      },
    ]);
    expect(new Set(issues.map((i: { fingerprint: string }) => i.fingerprint)).size).toBe(5);
    expect(formatters.gitlab([], context())).toBe('[]');

    // the same finding two lines lower, reindented, keeps its fingerprint; a second one on an equal line gets another
    const moved = countResult({
      ...FIXTURE[0],
      messages: [
        { ...FIXTURE[0].messages[0], line: 4, endLine: 4 },
        { ...FIXTURE[0].messages[0], line: 5, endLine: 5 },
      ],
    });
    const text = 'import torch\n\n\n    torch.load(p,  weights_only=False)\ntorch.load(p, weights_only=False)\n';
    const again = JSON.parse(formatters.gitlab([moved], context({ sources: new Map([[moved.filePath, text]]) })));
    expect(again[0].fingerprint).toBe(issues[0].fingerprint);
    expect(again[1].fingerprint).not.toBe(issues[0].fingerprint);
  });

  test('junit: a suite per file, a failing case per finding, a passing case for a clean file', () => {
    expect(formatters.junit(FIXTURE, context())).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="pylint-torch" tests="6" failures="4" errors="1" time="0">',
        '  <testsuite name="src/we,ird:name.py" tests="2" failures="2" errors="0" time="0">',
        '    <testcase name="torch-load-weights-only-false" classname="src/we,ird:name.py" file="src/we,ird:name.py" time="0">',
        '      <failure type="error" message="Loads 100% pickle,&#13;&#10;really: &lt;bad&gt; &amp; &quot;x&quot;">' +
          'src/we,ird:name.py:2:6: error: Loads 100% pickle,&#13;&#10;really: &lt;bad&gt; &amp; &quot;x&quot; [torch-load-weights-only-false]</failure>',
        '    </testcase>',
        '    <testcase name="torch-load-missing-weights-only" classname="src/we,ird:name.py" file="src/we,ird:name.py" time="0">',
        '      <failure type="error" message="No weights_only.">src/we,ird:name.py:3:1: error: No weights_only. [torch-load-missing-weights-only]</failure>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="ckpt/model.pt" tests="1" failures="1" errors="0" time="0">',
        '    <testcase name="checkpoint-unsafe-globals" classname="ckpt/model.pt" file="ckpt/model.pt" time="0">',
        '      <failure type="warning" message="Needs an allowlist.">ckpt/model.pt: warning: Needs an allowlist. [checkpoint-unsafe-globals]</failure>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="bad.py" tests="1" failures="0" errors="1" time="0">',
        '    <testcase name="pylint-torch" classname="bad.py" file="bad.py" time="0">',
        '      <error type="error" message="Syntax error">bad.py:4:7: error: Syntax error</error>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="ok.py" tests="1" failures="0" errors="0" time="0">',
        '    <testcase name="pylint-torch" classname="ok.py" file="ok.py" time="0"/>',
        '  </testsuite>',
        '  <testsuite name="/elsewhere/x.py" tests="1" failures="1" errors="0" time="0">',
        '    <testcase name="torch-load-weights-only-false" classname="/elsewhere/x.py" file="/elsewhere/x.py" time="0">',
        '      <failure type="warning" message="Outside.">/elsewhere/x.py:1:1: warning: Outside. [torch-load-weights-only-false]</failure>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  test('junit escapes what XML cannot hold', () => {
    const odd = countResult({ filePath: '/repo/a.py', messages: [message({ message: "it's \u0001 \uD800 ok" })] });
    expect(formatters.junit([odd], context())).toContain('message="it&apos;s \uFFFD \uFFFD ok"');
  });

  test('--statistics: problems per rule, most first', () => {
    expect(statistics(FIXTURE)).toBe(
      '\nStatistics:\n' +
        '2  torch-load-weights-only-false\n' +
        '1  (no rule)\n' +
        '1  checkpoint-unsafe-globals\n' +
        '1  torch-load-missing-weights-only  (1 fixable)\n',
    );
    expect(statistics([FIXTURE[3]])).toBe('\nStatistics: no problems.\n');
  });

  test('from the command line: formats, --statistics after stylish or on stderr', async () => {
    const dir = tempRepo({ 'a.py': 'import torch\ntorch.load("a.pt", weights_only=False)\n', 'ok.py': 'x = 1\n' });
    fs.mkdirSync(path.join(dir, '.git'));
    const github = await cli(path.join(dir), '-f', 'github');
    expect([github.code, github.stdout]).toEqual([
      0,
      expect.stringMatching(
        /^::warning file=a\.py,line=2,endLine=2,col=20,endColumn=38,title=torch-load-weights-only-false::`torch\.load\(\.\.\., weights_only=False\)` unpickles/,
      ),
    ]);
    const junit = await cli(dir, '-f', 'junit', '-o', 'reports/junit.xml');
    expect(junit).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fs.readFileSync(path.join(dir, 'reports/junit.xml'), 'utf8')).toContain(
      '<testsuites name="pylint-torch" tests="2" failures="1" errors="0" time="0">',
    );
    const gitlab = JSON.parse((await cli(dir, '-f', 'gitlab')).stdout);
    expect(gitlab.map((i: { check_name: string; location: object }) => [i.check_name, i.location])).toEqual([
      ['torch-load-weights-only-false', { path: 'a.py', lines: { begin: 2 } }],
    ]);

    const stylish = await cli(dir, '--statistics');
    expect(stylish.stdout.endsWith('\n\nStatistics:\n1  torch-load-weights-only-false\n')).toBe(true);
    const json = await cli(dir, '-f', 'json', '--statistics');
    expect([JSON.parse(json.stdout).length, json.stderr]).toEqual([2, '\nStatistics:\n1  torch-load-weights-only-false\n']);
  });
});
