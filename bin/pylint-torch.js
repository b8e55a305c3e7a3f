#!/usr/bin/env node
'use strict';
const path = require('node:path');
const cli = path.join(__dirname, '..', 'dist', 'src', 'cli', 'cli.js');
let run;
try {
  ({ run } = require(cli));
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes(cli)) throw error;
  // a source checkout where `npm ci` / `npm install` (which builds dist/) has not run
  process.stderr.write(`pylint-torch: ${cli} is missing: run \`npm install\` (or \`node scripts/build.js\`) first\n`);
  process.exit(2);
}
run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
