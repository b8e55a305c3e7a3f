#!/usr/bin/env node
// Checks what `npm pack` would put in the tarball (`npm pack --dry-run`): the built dist/, the binary, the wasm
// grammar and the license must be there (a tarball installed globally runs them with no build step), the sources and
// tests must not. Run by .ci/run after `npm ci` (which builds dist/); exit 1, with what is wrong, when the list is off.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const REQUIRED = [
  'LICENSE',
  'README.md',
  'package.json',
  'bin/pylint-torch.js',
  'dist/src/index.js',
  'dist/src/index.d.ts',
  'dist/src/cli/cli.js',
  'dist/rules/index.js',
  'wasm/SHA256SUMS',
  'wasm/tree-sitter.wasm',
  'wasm/tree-sitter-python.wasm',
];
const FORBIDDEN = /^(src|test|rules|node_modules|examples|\.ci)\//;

let listing;
try {
  // --ignore-scripts: packing must not need a lifecycle script (pre-commit reads `npm pack`'s stdout as the name)
  listing = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
} catch (error) {
  process.stderr.write(`check-pack: npm pack --dry-run failed: ${error.stderr || error.message}\n`);
  process.exit(1);
}
const files = JSON.parse(listing)[0].files.map((f) => f.path);
const missing = REQUIRED.filter((f) => !files.includes(f));
const extra = files.filter((f) => FORBIDDEN.test(f));
if (missing.length) process.stderr.write(`check-pack: missing from the tarball: ${missing.join(', ')}\n`);
if (extra.length) process.stderr.write(`check-pack: must not be in the tarball: ${extra.join(', ')}\n`);
if (missing.length && missing.some((f) => f.startsWith('dist/')))
  process.stderr.write('check-pack: dist/ is built by `npm ci` / `npm install` (scripts/build.js)\n');
process.exitCode = missing.length || extra.length ? 1 : 0;
if (!process.exitCode) process.stdout.write(`check-pack: ${files.length} files, dist/, bin/, wasm/ and LICENSE in\n`);
