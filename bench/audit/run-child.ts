import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseMeasurement, type Measurement } from './measurement';

/** tsx's CommonJS hook, so a child runs the TypeScript sources directly. */
const TSX_REQUIRE = require.resolve('tsx/cjs');

/**
 * Runs one measuring script of this folder in a fresh Node process, so its peak RSS and its
 * JIT state belong to that measurement alone.
 */
export function runMeasurement(script: string, args: string[]): Measurement {
  const result = spawnSync(process.execPath, ['--require', TSX_REQUIRE, path.join(__dirname, script), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${script} ${args.join(' ')} exited with ${result.status ?? result.signal}: ${why}`);
  }
  return parseMeasurement(result.stdout);
}
