#!/usr/bin/env node
'use strict';
require('../dist/src/cli/cli.js').run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
