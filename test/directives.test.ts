import { cli, tempRepo } from './helpers/cli';

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

  test('disable naming another rule leaves the finding', async () => {
    expect(await findings(`import torch\n${LOAD}  # pylint-torch: disable=torch-save-full-model\n`)).toEqual(['2:torch-load-missing-weights-only']);
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
    expect(await findings(`import torch\n${LOAD}  # noqa  # pylint-torch: disable=torch-load-missing-weights-only\n`)).toEqual([]);
  });

  test('a directive may be followed by another comment', async () => {
    expect(await findings(`import torch\n${LOAD}  # pylint-torch: disable=torch-load-missing-weights-only  # trusted file\n`)).toEqual([]);
  });
});
