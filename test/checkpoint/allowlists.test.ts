import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALLOWLISTS } from '../../src/checkpoint/allowlists';
import { inspectCheckpoint, newerTableFor } from '../../src/checkpoint/inspect';
import { zipCheckpoint } from '../helpers/checkpoints';

const sorted = [...ALLOWLISTS].sort((a, b) => a.version[0] - b.version[0] || a.version[1] - b.version[1]);

describe("torch's weights_only tables between known releases", () => {
  test('each table holds every name and opcode of the one before but one (what judging between two tables rests on)', () => {
    const lost = sorted
      .slice(1)
      .map((newer, i) => [
        sorted[i].version.join('.'),
        [...sorted[i].names].filter((n) => !newer.names.has(n)),
        [...sorted[i].opcodes].filter((o) => !newer.opcodes.has(o)),
      ]);
    expect(lost).toEqual([
      ['1.13', ['torch._utils._rebuild_sparse_csr_tensor'], []],
      ['2.4', [], []],
      ['2.6', [], []],
    ]);
  });

  test('a release without its own table gets the next newer one as the other bound', () => {
    const newer = (v: [number, number]) => newerTableFor(v)?.version.join('.');
    expect(
      [
        [1, 12],
        [1, 13],
        [2, 0],
        [2, 1],
        [2, 3],
        [2, 4],
        [2, 5],
        [2, 6],
        [2, 8],
        [2, 10],
        [2, 11],
        [3, 0],
      ].map((v) => newer(v as [number, number])),
    ).toEqual([undefined, undefined, '2.4', '2.4', '2.4', undefined, '2.6', undefined, '2.10', undefined, undefined, undefined]);
  });

  describe('a checkpoint of floats (BINFLOAT, which 1.13 lacks and 2.4 has)', () => {
    let file: string;
    beforeAll(() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-floats-'));
      file = path.join(dir, 'opt.pt');
      fs.writeFileSync(file, zipCheckpoint('{"lr": 0.001, "betas": (0.9, 0.999)}'));
    });

    test("on 2.1 the verdict is the older table's, and the newer table's verdict comes with it", async () => {
      const result = await inspectCheckpoint(file, { torchVersion: [2, 1] });
      expect([result.verdict, result.torch.table, result.atNewerTable?.verdict, result.atNewerTable?.torch.table]).toEqual([
        'unloadable',
        '1.13',
        'safe',
        '2.4',
      ]);
      expect(result.messages.at(-1)).toBe('torch 2.1 is judged by the 1.13 table (its own is not known here); by the 2.4 table the file is safe');
    });

    test('on releases with their own table there is one verdict', async () => {
      const at = async (v: [number, number]) => {
        const r = await inspectCheckpoint(file, { torchVersion: v });
        return [r.verdict, r.atNewerTable === undefined];
      };
      expect([await at([1, 13]), await at([2, 4]), await at([2, 6])]).toEqual([
        ['unloadable', true],
        ['safe', true],
        ['safe', true],
      ]);
    });
  });
});
