#!/usr/bin/env node
// Copies the tree-sitter runtime and Python grammar wasm from the pinned npm packages into wasm/ and checks them
// against wasm/SHA256SUMS. `--check` only verifies (used by scripts/build.js); without it the files are (re)copied first.
// Prints nothing on success: pre-commit installs hooks through `npm pack`, which breaks when `prepare` writes stdout.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const sources = {
  'tree-sitter.wasm': require.resolve('web-tree-sitter/tree-sitter.wasm', { paths: [root] }),
  'tree-sitter-python.wasm': path.join(
    path.dirname(require.resolve('tree-sitter-python/package.json', { paths: [root] })),
    'tree-sitter-python.wasm',
  ),
};
const sumsFile = path.join(root, 'wasm', 'SHA256SUMS');
const expected = new Map(
  fs
    .readFileSync(sumsFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(/\s+/).reverse()),
);
const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

let failed = false;
for (const [name, source] of Object.entries(sources)) {
  const target = path.join(root, 'wasm', name);
  if (!process.argv.includes('--check')) fs.copyFileSync(source, target);
  for (const [label, file] of [
    ['npm package', source],
    ['wasm/', target],
  ]) {
    const actual = fs.existsSync(file) ? sha256(file) : 'missing';
    if (actual !== expected.get(name)) {
      process.stderr.write(
        `vendor-wasm: ${name} from ${label} has sha256 ${actual}, expected ${expected.get(name)} (wasm/SHA256SUMS)\n`,
      );
      failed = true;
    }
  }
}
process.exitCode = failed ? 1 : 0;
