import { cli, tempRepo } from './helpers/cli';
import { lintText } from '../src/run/lint-text';

const LOAD = 'torch.load(p)';

async function findings(code: string): Promise<string[]> {
  const dir = tempRepo({ 'a.py': code });
  const { stdout } = await cli(dir, '--format', 'json', 'a.py');
  return JSON.parse(stdout)[0].messages.map((m: { line: number; ruleId: string | null }) => `${m.line}:${m.ruleId}`);
}

describe('inline suppression', () => {
  test('disable=<id> on the line', async () => {
    expect(await findings(`import torch\n${LOAD}  # pylint-torch: disable=torch-load-missing-weights-only\n${LOAD}\n`)).toEqual([
      '3:torch-load-missing-weights-only',
    ]);
  });

  test('bare disable silences every rule on the line only', async () => {
    expect(await findings(`import torch\ntorch.load(p, pickle_module=x)  # pylint-torch: disable\n${LOAD}\n`)).toEqual(['3:torch-load-missing-weights-only']);
  });

  test('disable naming another rule leaves the finding (and is itself unused)', async () => {
    expect(await findings(`import torch\n${LOAD}  # pylint-torch: disable=torch-save-full-model\n`)).toEqual(['2:torch-load-missing-weights-only', '2:null']);
  });

  test('disable-next applies to the following line', async () => {
    expect(await findings(`import torch\n# pylint-torch: disable-next=torch-load-missing-weights-only\n${LOAD}\n${LOAD}\n`)).toEqual([
      '4:torch-load-missing-weights-only',
    ]);
  });

  test('disable-file applies everywhere', async () => {
    expect(await findings(`# pylint-torch: disable-file=torch-load-missing-weights-only\nimport torch\n${LOAD}\n${LOAD}\n`)).toEqual([]);
  });

  test('a directive inside a string does nothing', async () => {
    expect(await findings(`import torch\nx = "# pylint-torch: disable-file"\n${LOAD}\n`)).toEqual(['3:torch-load-missing-weights-only']);
  });

  test('an unknown rule id in a directive is reported', async () => {
    expect(await findings(`import torch\n${LOAD}  # pylint-torch: disable=torch-lod-missing\n`)).toEqual(['2:torch-load-missing-weights-only', '2:null']);
  });

  test.each([
    '# pylint-torch: disable-line=torch-load-missing-weights-only',
    '# pylint-torch: disable-nxt=torch-load-missing-weights-only',
    '# pylint-torch: disable: torch-load-missing-weights-only',
    '# pylint-torch: disable=',
    '# pylint-torch: disble=torch-load-missing-weights-only',
    '# pylint-torch: enable',
    '# PYLINT-TORCH: disable',
  ])('a malformed directive suppresses nothing and is reported: %s', async (directive) => {
    expect(await findings(`import torch\n${LOAD}  ${directive}\n`)).toEqual(['2:torch-load-missing-weights-only', '2:null']);
  });

  test('a directive may follow another comment', async () => {
    expect(await findings(`import torch\n${LOAD}  # type: ignore  # pylint-torch: disable=torch-load-missing-weights-only\n`)).toEqual([]);
  });

  test('a directive may be followed by another comment', async () => {
    expect(await findings(`import torch\n${LOAD}  # pylint-torch: disable=torch-load-missing-weights-only  # trusted file\n`)).toEqual([]);
  });
});

interface Message {
  line: number;
  column: number;
  endColumn: number;
  ruleId: string | null;
  severity: number;
  message: string;
  suggestions?: { desc: string; fix: { range: [number, number]; text: string } }[];
}

async function messages(files: Record<string, string>, ...flags: string[]): Promise<{ code: number; messages: Message[] }> {
  const dir = tempRepo(files);
  const { code, stdout } = await cli(dir, '--format', 'json', ...flags, 'a.py');
  return { code, messages: JSON.parse(stdout)[0].messages };
}

describe('a reason after --', () => {
  test.each([
    `${LOAD}  # pylint-torch: disable=torch-load-missing-weights-only -- reviewed by Ana, the file is ours`,
    `${LOAD}  # pylint-torch: disable=torch-load-missing-weights-only --reviewed`,
    `${LOAD}  # pylint-torch: disable -- trusted, see PR #12`,
    `# pylint-torch: disable-next=torch-load-missing-weights-only -- built by train.py\n${LOAD}`,
  ])('is allowed and the directive works: %s', async (code) => {
    expect(await findings(`import torch\n${code}\n`)).toEqual([]);
  });

  test.each([
    '# pylint-torch: disable=torch-load-missing-weights-only --',
    '# pylint-torch: disable=torch-load-missing-weights-only-- reviewed',
    '# pylint-torch: disable=torch-load-missing-weights-only - reviewed',
  ])('without white space before it or text after it, the directive is malformed: %s', async (directive) => {
    const found = await findings(`import torch\n${LOAD}  ${directive}\n`);
    expect(found[0]).toBe('2:torch-load-missing-weights-only');
  });
});

describe('noqa and nosec comments of other tools', () => {
  const WO_FALSE = 'torch.load(p, weights_only=False)';
  test.each([
    [`${LOAD}  # noqa: TOR102`, []],
    [`${LOAD}  # noqa:E501,TOR102`, []],
    [`${LOAD}  # NOQA: tor102`, []],
    [`${LOAD}  # noqa`, []],
    [`${LOAD}  # noqa: E501`, ['2:torch-load-missing-weights-only']],
    [`${LOAD}  # noqa: TOR101`, ['2:torch-load-missing-weights-only']],
    [`${LOAD}  # nosec B614`, []],
    [`${LOAD}  # nosec: B614`, []],
    [`${LOAD}  # nosec B101, B614 -- reviewed`, []],
    [`${LOAD}  # nosec pytorch_load`, []],
    [`${LOAD}  # nosec`, []],
    [`${LOAD}  # nosec B101`, ['2:torch-load-missing-weights-only']],
    // TorchFix says nothing about an explicit weights_only=False; Bandit's B614 does
    [`${WO_FALSE}  # noqa: TOR102`, ['2:torch-load-weights-only-false']],
    [`${WO_FALSE}  # nosec B614`, []],
    [`torch.load(p, pickle_module=x)  # noqa: TOR102`, []],
    [`torch.load(p, pickle_module=x)  # nosec B301`, ['2:torch-load-pickle-module']],
    [`torch.load(p, pickle_module=x)  # noqa`, []],
    [`x = "# noqa"; ${LOAD}`, ['2:torch-load-missing-weights-only']],
  ])('%s', async (line, expected) => {
    expect(await findings(`import torch\n${line}\n`)).toEqual(expected);
  });

  test('nosec B301 and noqa S301 suppress the pickle rule, B614 does not', async () => {
    const load = 'pickle.load(open(sys.argv[1], "rb"))';
    const code = (comment: string) => `import pickle, sys\n${load}${comment}\n`;
    expect(await findings(code(''))).toEqual(['2:pickle-load-untrusted']);
    expect(await findings(code('  # nosec B301'))).toEqual([]);
    expect(await findings(code('  # noqa: S301'))).toEqual([]);
    expect(await findings(code('  # nosec B614'))).toEqual(['2:pickle-load-untrusted']);
  });

  test('nosec counts on any line of the finding (as in Bandit), noqa only on its first', async () => {
    const call = (comment: string) => `import torch\nx = torch.load(\n    p,\n)${comment}\n`;
    expect(await findings(call('  # nosec B614'))).toEqual([]);
    expect(await findings(call('  # noqa: TOR102'))).toEqual(['2:torch-load-missing-weights-only']);
  });

  test('an unrelated noqa or nosec is never reported as unused', async () => {
    expect(await findings('import torch\nx = 1  # noqa: E501\ny = 2  # nosec B101\nz = 3  # noqa: TOR102\n')).toEqual([]);
  });

  test('config externalDirectives: false turns them off', async () => {
    const dir = tempRepo({
      '.pylintrc-ts.json': '{ "externalDirectives": false }',
      'a.py': `import torch\n${LOAD}  # noqa: TOR102\n${LOAD}  # nosec\n${LOAD}  # pylint-torch: disable\n`,
    });
    const { code, stdout } = await cli(dir, '--format', 'json', 'a.py');
    expect(code).toBe(1);
    expect(JSON.parse(stdout)[0].messages.map((m: Message) => `${m.line}:${m.ruleId}`)).toEqual([
      '2:torch-load-missing-weights-only',
      '3:torch-load-missing-weights-only',
    ]);
  });

  test('config externalDirectives must be a boolean', async () => {
    const dir = tempRepo({ '.pylintrc-ts.json': '{ "externalDirectives": "no" }', 'a.py': 'x = 1\n' });
    const { code, stderr } = await cli(dir, 'a.py');
    expect(code).toBe(2);
    expect(stderr).toBe(`pylint-torch: ${dir}/.pylintrc-ts.json: externalDirectives: expected true or false, got "no"\n`);
  });
});

/** `text` with one suggestion's edit applied. */
function applied(text: string, fix: { range: [number, number]; text: string }): string {
  return text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
}

describe('unused directives', () => {
  const SAVE = 'torch-save-full-model';
  const MISSING = 'torch-load-missing-weights-only';

  test('a directive that suppresses nothing is a warning on the directive, with a suggestion removing it', async () => {
    const text = `import torch\nx = 1  # pylint-torch: disable=${SAVE}\n`;
    const { code, messages: found } = await messages({ 'a.py': text });
    expect(code).toBe(0);
    expect(found).toEqual([
      {
        ruleId: null,
        severity: 1,
        message: `Unused pylint-torch directive (no problems from ${SAVE} were reported on its line).`,
        line: 2,
        column: 8,
        endLine: 2,
        endColumn: 8 + `# pylint-torch: disable=${SAVE}`.length,
        suggestions: [{ desc: 'Remove the unused directive', fix: expect.any(Object) }],
      },
    ]);
    expect(applied(text, found[0].suggestions![0].fix)).toBe('import torch\nx = 1\n');
  });

  test('one unused id of several is reported alone, and its suggestion removes just that id', async () => {
    const text = `import torch\n${LOAD}  # pylint-torch: disable=${SAVE}, ${MISSING} -- ok\n`;
    const { messages: found } = await messages({ 'a.py': text });
    expect(found.map((m) => [m.line, m.column, m.message, m.suggestions?.[0].desc])).toEqual([
      [2, 40, `Unused pylint-torch directive (no problems from ${SAVE} were reported on its line).`, `Remove ${SAVE} from the directive`],
    ]);
    expect(applied(text, found[0].suggestions![0].fix)).toBe(`import torch\n${LOAD}  # pylint-torch: disable=${MISSING} -- ok\n`);
    const last = `import torch\n${LOAD}  # pylint-torch: disable=${MISSING},${SAVE}\n`;
    const { messages: lastFound } = await messages({ 'a.py': last });
    expect(applied(last, lastFound[0].suggestions![0].fix)).toBe(`import torch\n${LOAD}  # pylint-torch: disable=${MISSING}\n`);
  });

  test.each([
    // the comment is the directive, alone on its line: the line goes
    [`import torch\n# pylint-torch: disable-next=${MISSING}\nx = 1\n`, 'on the next line', 'import torch\nx = 1\n'],
    [`# pylint-torch: disable-file\nimport torch\n`, 'in this file', 'import torch\n'],
    // another comment before or after it stays
    [`x = 1  # type: ignore  # pylint-torch: disable\n`, 'on its line', 'x = 1  # type: ignore\n'],
    [`x = 1  # pylint-torch: disable  # why\n`, 'on its line', 'x = 1  # why\n'],
    [`x = 1  # pylint-torch: disable -- why # 2\n`, 'on its line', 'x = 1\n'],
  ])('%j is unused %s; removing it leaves %j', async (text, where, after) => {
    const { messages: found } = await messages({ 'a.py': text });
    expect(found.map((m) => m.message)).toEqual([
      `Unused pylint-torch directive (no problems${text.includes(MISSING) ? ` from ${MISSING}` : ''} were reported ${where}).`,
    ]);
    expect(applied(text, found[0].suggestions![0].fix)).toBe(after);
  });

  test('a directive used by any finding is not reported, nor one that a file-wide directive also covers', async () => {
    expect(await findings(`# pylint-torch: disable-file=${MISSING}\nimport torch\n${LOAD}  # pylint-torch: disable=${MISSING}\n`)).toEqual([]);
  });

  test('a directive for a rule that is off in this run is not reported (it may be needed where the rule is on)', async () => {
    const text = `import torch\nx = 1  # pylint-torch: disable=${MISSING}\n`;
    expect((await messages({ 'a.py': text }, '--rule', `${MISSING}:off`)).messages).toEqual([]);
    const dir = tempRepo({ '.pylintrc-ts.json': `{ "rules": { "${MISSING}": "off" } }`, 'a.py': text });
    expect(JSON.parse((await cli(dir, '--format', 'json', 'a.py')).stdout)[0].messages).toEqual([]);
  });

  test('the severity comes from the CLI over the config, warn by default', async () => {
    const text = `x = 1  # pylint-torch: disable=${MISSING}\n`;
    const severities = async (config: string | undefined, ...flags: string[]) => {
      const files: Record<string, string> = { 'a.py': text };
      if (config) files['.pylintrc-ts.json'] = config;
      const { code, messages: found } = await messages(files, ...flags);
      return [code, found.map((m) => m.severity)];
    };
    expect(await severities(undefined)).toEqual([0, [1]]);
    expect(await severities(undefined, '--report-unused-disable-directives')).toEqual([1, [2]]);
    expect(await severities(undefined, '--report-unused-disable-directives-severity', 'off')).toEqual([0, []]);
    expect(await severities('{ "reportUnusedDisableDirectives": "error" }')).toEqual([1, [2]]);
    expect(await severities('{ "reportUnusedDisableDirectives": false }')).toEqual([0, []]);
    expect(await severities('{ "reportUnusedDisableDirectives": true }')).toEqual([0, [1]]);
    expect(await severities('{ "reportUnusedDisableDirectives": "error" }', '--no-report-unused-disable-directives')).toEqual([0, []]);
    expect(await severities('{ "reportUnusedDisableDirectives": "off" }', '--report-unused-disable-directives-severity', 'warn')).toEqual([0, [1]]);
  });

  test('invalid settings are usage or config errors', async () => {
    const dir = tempRepo({ 'a.py': 'x = 1\n' });
    const both = await cli(dir, '--report-unused-disable-directives', '--report-unused-disable-directives-severity', 'warn', 'a.py');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--report-unused-disable-directives and --report-unused-disable-directives-severity cannot be used together');
    const bad = tempRepo({ '.pylintrc-ts.json': '{ "reportUnusedDisableDirectives": 2 }', 'a.py': 'x = 1\n' });
    const config = await cli(bad, 'a.py');
    expect(config.code).toBe(2);
    expect(config.stderr).toBe(
      `pylint-torch: ${bad}/.pylintrc-ts.json: reportUnusedDisableDirectives: expected "off", "warn", "error", true or false, got 2\n`,
    );
  });

  test('--fix never removes an unused directive (it is a suggestion)', async () => {
    const text = `x = 1  # pylint-torch: disable=${MISSING}\n`;
    const dir = tempRepo({ 'a.py': text });
    await cli(dir, '--fix', 'a.py');
    expect(require('node:fs').readFileSync(`${dir}/a.py`, 'utf8')).toBe(text);
  });

  test('in a Dockerfile, only rules that check Dockerfiles can leave a directive unused', async () => {
    const dir = tempRepo({
      Dockerfile: `FROM python\nRUN echo hi  # pylint-torch: disable=${MISSING}\nRUN echo ho  # pylint-torch: disable\n`,
    });
    const { stdout } = await cli(dir, '--format', 'json', 'Dockerfile');
    expect(JSON.parse(stdout)[0].messages.map((m: Message) => `${m.line}:${m.message}`)).toEqual([
      '3:Unused pylint-torch directive (no problems were reported on its line).',
    ]);
  });
});

describe('lintText (the API)', () => {
  test('reports unused directives as warnings by default and honours noqa unless told not to', async () => {
    const text = `import torch\nx = 1  # pylint-torch: disable=torch-save-full-model\n${LOAD}  # noqa: TOR102\n`;
    const ids = (r: Awaited<ReturnType<typeof lintText>>) => r.messages.map((m) => `${m.line}:${m.severity}:${m.ruleId}`);
    expect(ids(await lintText(text))).toEqual(['2:1:null']);
    expect(ids(await lintText(text, { reportUnusedDisableDirectives: 'error' }))).toEqual(['2:2:null']);
    expect(ids(await lintText(text, { reportUnusedDisableDirectives: 'off', externalDirectives: false }))).toEqual(['3:2:torch-load-missing-weights-only']);
  });
});
