#!/usr/bin/env node
'use strict';
// Builds dist/ in a source checkout: `npm ci` / `npm install` run this as the package's `install` script (not
// `prepare`, whose banner npm prints into `npm pack`'s output, which pre-commit reads as the tarball's name). In an
// installed package there is no src/: nothing to do.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
if (!fs.existsSync(path.join(root, 'src')) || !fs.existsSync(path.join(root, 'tsconfig.build.json'))) process.exit(0);
execFileSync(process.execPath, [path.join(root, 'scripts', 'vendor-wasm.js'), '--check'], { stdio: 'inherit' });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
