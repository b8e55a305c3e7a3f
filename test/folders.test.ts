import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeFolders } from '../src/io/folders';
import { cli, tempRepo } from './helpers/cli';

describe('makeFolders', () => {
  test('creates the missing levels and returns the first one; nothing for a folder that exists', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-folders-'));
    expect(makeFolders(path.join(dir, 'a', 'b', 'c'))).toBe(path.join(dir, 'a'));
    expect(fs.statSync(path.join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(makeFolders(path.join(dir, 'a', 'b'))).toBeUndefined();
  });

  test('a file in the way is EEXIST', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pylint-torch-folders-'));
    fs.writeFileSync(path.join(dir, 'f'), '');
    expect(() => makeFolders(path.join(dir, 'f', 'g'))).toThrow(/EEXIST|ENOTDIR/);
  });

  // Node 20's fs.mkdirSync(…, { recursive: true }) never returns for this path
  const linux = fs.existsSync('/proc/self') ? test : test.skip;
  linux('a level that cannot be made under /proc throws instead of looping', () => {
    expect(() => makeFolders('/proc/pylint-torch-no-such/out')).toThrow(/ENOENT: no such file or directory, mkdir '\/proc\/pylint-torch-no-such'/);
  });

  linux('the CLI: -o and --cache-location there fail with a message, not a hang', async () => {
    const dir = tempRepo({ 'a.py': 'import torch\ntorch.load("x")\n' });
    const out = await cli(dir, 'a.py', '-o', '/proc/pylint-torch-no-such/out.txt');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      "cannot write --output-file /proc/pylint-torch-no-such/out.txt: ENOENT: no such file or directory, mkdir '/proc/pylint-torch-no-such'",
    );
    const cached = await cli(dir, 'a.py', '--cache', '--cache-location', '/proc/pylint-torch-no-such/c');
    expect(cached.code).toBe(1);
    expect(cached.stderr).toContain('cannot write the cache /proc/pylint-torch-no-such/c (ENOENT');
  });
});
