/**
 * scripts/vendor-wasm.js --check (run by every build): wasm/ must hold the very grammar and runtime of the pinned
 * tree-sitter-python and web-tree-sitter packages (wasm/SHA256SUMS). Run on a copy of the script and wasm/, so that
 * a copy can be altered.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempRepo } from './helpers/cli';

const root = path.join(__dirname, '..');

function copyOfCheckout(): string {
  const dir = tempRepo({});
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(path.join(root, 'scripts', 'vendor-wasm.js'), path.join(dir, 'scripts', 'vendor-wasm.js'));
  fs.cpSync(path.join(root, 'wasm'), path.join(dir, 'wasm'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}
const check = (dir: string) => spawnSync(process.execPath, [path.join(dir, 'scripts', 'vendor-wasm.js'), '--check'], { encoding: 'utf8' });

test('wasm/ matches the pinned packages: --check passes silently', () => {
  const { status, stdout, stderr } = check(copyOfCheckout());
  expect({ status, stdout, stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
});

test('a wasm/ grammar that is not the pinned one fails the check, saying which', () => {
  const dir = copyOfCheckout();
  fs.appendFileSync(path.join(dir, 'wasm', 'tree-sitter-python.wasm'), Buffer.from([0]));
  const { status, stderr } = check(dir);
  expect(status).toBe(1);
  expect(stderr).toMatch(/^vendor-wasm: tree-sitter-python\.wasm from wasm\/ has sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \(wasm\/SHA256SUMS\)\n$/);
});
