/** The progress counter of long runs, the colour decision, and both through the CLI (an injected clock, no timing). */
import { run } from '../src/cli/cli';
import { type CliIO, useColor } from '../src/cli/io';
import { progressCounter } from '../src/cli/progress';
import { tempRepo } from './helpers/cli';

/** A clock that moves `step` ms each time it is read, starting at 0. */
const steppingClock = (step: number) => {
  let t = -step;
  return () => (t += step);
};

describe('progressCounter', () => {
  test('hidden for the first second, then redrawn in place at most every 100 ms, erased at the end', () => {
    let out = '';
    const counter = progressCounter({ write: (t) => (out += t), now: steppingClock(300), color: false });
    for (let done = 1; done <= 6; done++) counter.update(done, 6); // read at 300, 600, 900, 1200, 1500, 1800
    counter.finish();
    expect(out).toBe('\rpylint-torch: 4/6 files\u001b[K\rpylint-torch: 5/6 files\u001b[K\rpylint-torch: 6/6 files\u001b[K\r\u001b[K');
  });

  test('a run shorter than a second draws and erases nothing; draws closer than 100 ms apart are skipped', () => {
    let out = '';
    const short = progressCounter({ write: (t) => (out += t), now: steppingClock(10), color: false });
    for (let done = 1; done <= 50; done++) short.update(done, 50);
    short.finish();
    expect(out).toBe('');
    const fast = progressCounter({ write: (t) => (out += t), now: steppingClock(40), color: false });
    // reads at 40, 80, … 1200: the first draw at 1000 (25 done), the next 120 ms later (28 done)
    for (let done = 1; done <= 30; done++) fast.update(done, 30);
    expect(out.split('\r').filter(Boolean)).toEqual(['pylint-torch: 25/30 files\u001b[K', 'pylint-torch: 28/30 files\u001b[K']);
  });

  test('dim when the terminal takes colour', () => {
    let out = '';
    const counter = progressCounter({ write: (t) => (out += t), now: steppingClock(2000), color: true });
    counter.update(1, 1);
    expect(out).toBe('\r\u001b[2mpylint-torch: 1/1 files\u001b[22m\u001b[K');
  });
});

describe('useColor (Node’s rules)', () => {
  const tty = { isTTY: true, hasColors: () => true };
  const pipe = { isTTY: false };
  test.each([
    [{}, tty, true],
    [{}, pipe, false],
    [{}, { isTTY: true, hasColors: () => false }, false],
    [{ NO_COLOR: '1' }, tty, false],
    [{ NO_COLOR: '' }, tty, false], // set is enough, as in Node
    [{ NODE_DISABLE_COLORS: '1' }, tty, false],
    [{ TERM: 'dumb' }, tty, false],
    [{ FORCE_COLOR: '1' }, pipe, true],
    [{ FORCE_COLOR: '' }, pipe, true],
    [{ FORCE_COLOR: '3', NO_COLOR: '1' }, pipe, true], // FORCE_COLOR decides first
    [{ FORCE_COLOR: '0' }, tty, false],
    [{ FORCE_COLOR: 'false' }, tty, false],
  ])('%j on %j: %s', (env, stream, expected) => {
    expect(useColor(env, stream)).toBe(expected);
  });
});

describe('through the CLI', () => {
  const files = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`m${n}.py`, 'x = 1\n']));
  const lint = async (argv: string[], extra: Partial<CliIO>) => {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      cwd: tempRepo(files),
      color: false,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      ...extra,
    });
    return { code, stdout, stderr };
  };
  const terminal = () => ({ progress: { now: steppingClock(400), color: false } });

  test('a long run on a terminal counts files on stderr and erases the line before exiting', async () => {
    expect(await lint([], terminal())).toEqual({
      code: 0,
      stdout: '',
      stderr: '\rpylint-torch: 3/5 files\u001b[K\rpylint-torch: 4/5 files\u001b[K\rpylint-torch: 5/5 files\u001b[K\r\u001b[K',
    });
  });

  test.each([[['-f', 'json']], [['-f', 'sarif']], [['--quiet']]])('none with %j', async (argv) => {
    expect((await lint(argv, terminal())).stderr).toBe('');
  });

  test('none when stderr is not a terminal', async () => {
    expect((await lint([], {})).stderr).toBe('');
  });

  test('--color colours stylish output into a pipe; --no-color turns it off on a terminal', async () => {
    const bad = { 'a.py': 'import sys\nimport torch\nm = torch.load(sys.argv[1], weights_only=False)\n' };
    const runWith = async (color: boolean, ...argv: string[]) => {
      let stdout = '';
      await run(argv, { cwd: tempRepo(bad), color, stdout: (t) => (stdout += t), stderr: () => undefined });
      return stdout;
    };
    expect(await runWith(false, '--color')).toContain('\u001b[31merror\u001b[0m');
    expect(await runWith(true)).toContain('\u001b[31merror\u001b[0m');
    expect(await runWith(true, '--no-color')).not.toContain('\u001b[');
    expect(await runWith(false)).not.toContain('\u001b[');
  });
});
