/**
 * Runs every `bench/*.bench.ts` in sequence, each in its own process so one bench's memory
 * does not weigh on the next. `tsx bench/run.ts [name-filter]`; exits 1 when any bench fails
 * a target or crashes.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

const TSX_REQUIRE = require.resolve('tsx/cjs');
const filter = process.argv[2] ?? '';

const benches = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();
if (benches.length === 0) {
  process.stderr.write(`no bench matches "${filter}" in ${__dirname}\n`);
  process.exitCode = 2;
}
const failed: string[] = [];
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench} ===\n`);
  const result = spawnSync(process.execPath, ['--require', TSX_REQUIRE, path.join(__dirname, bench)], { stdio: 'inherit' });
  if (result.status !== 0) failed.push(`${bench} (${result.status ?? result.signal})`);
}
if (failed.length > 0) {
  process.stdout.write(`\nfailed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
