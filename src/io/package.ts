/** The package's own facts: where it is installed and its version (package.json). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package folder (this file runs from src/io/ under Jest and from dist/src/io/ when built). */
export const packageRoot = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

export const VERSION: string = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version;
