import * as fs from 'node:fs';
import * as path from 'node:path';
import { discoverFiles } from '../src/project/discover';
import { tempRepo } from './helpers/cli';

const noIgnores = (dir: string) => ({ patterns: [], baseDir: dir });

describe('discoverFiles', () => {
  test('a folder that cannot be listed is recorded, and the rest is still found', async () => {
    const dir = tempRepo({ 'ok.py': '', 'locked/x.py': '', 'deep/locked/y.py': '', 'deep/z.py': '' });
    const failing = new Set([path.join(dir, 'locked'), path.join(dir, 'deep', 'locked')]);
    const listDir = ((target: fs.PathLike, ...rest: unknown[]) => {
      const callback = rest[rest.length - 1] as (error: NodeJS.ErrnoException | null, entries?: unknown) => void;
      if (failing.has(path.resolve(String(target)))) return callback(Object.assign(new Error('denied'), { code: 'EACCES' }));
      return (fs.readdir as (...args: unknown[]) => void)(target, ...rest);
    }) as typeof fs.readdir;
    const found = await discoverFiles(['.'], dir, noIgnores, { listDir });
    expect(found.files.map((f) => path.relative(dir, f))).toEqual(['deep/z.py', 'ok.py']);
    expect(found.unreadable.map((u) => [path.relative(dir, u.path), u.reason]).sort()).toEqual([
      ['deep/locked', 'EACCES'],
      ['locked', 'EACCES'],
    ]);
  });

  test('missing arguments are listed, not thrown', async () => {
    const dir = tempRepo({ 'a.py': '' });
    const found = await discoverFiles(['a.py', 'nope', 'nope.py'], dir, noIgnores);
    expect(found.missing).toEqual(['nope', 'nope.py']);
    expect(found.files).toEqual([path.join(dir, 'a.py')]);
  });

  test('symbolic links: to files are linted, to folders are not entered but reported', async () => {
    const dir = tempRepo({ 'pkg/a.py': '' });
    fs.symlinkSync(path.join(dir, 'pkg'), path.join(dir, 'loop'));
    fs.symlinkSync(path.join(dir, 'pkg', 'a.py'), path.join(dir, 'link.py'));
    fs.symlinkSync(path.join(dir, 'missing.py'), path.join(dir, 'dangling.py'));
    const found = await discoverFiles(['.'], dir, noIgnores);
    // a link to a file that is linted anyway is the same file: linted once, under its real path
    expect(found.files.map((f) => path.relative(dir, f))).toEqual(['pkg/a.py']);
    expect(found.aliases.map((a) => [path.relative(dir, a.path), path.relative(dir, a.file)])).toEqual([['link.py', 'pkg/a.py']]);
    expect(found.skippedLinks.map((f) => path.relative(dir, f))).toEqual(['loop']);
    // alone, the link is linted (and written through, inside the roots)
    const alone = await discoverFiles(['link.py'], dir, noIgnores);
    expect([alone.files, alone.aliases]).toEqual([[path.join(dir, 'link.py')], []]);
  });
});
