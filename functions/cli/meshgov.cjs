#!/usr/bin/env node
// The `meshgov` command. tsx runs the TypeScript sources directly, so `npx meshgov` works
// straight after `npm ci`, with no build step.
'use strict';
require('tsx/cjs');
const { main } = require('./main.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`meshgov: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
