import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadPolicy } from '../core/policy/load';
import { formatJson } from '../core/report/format-json';
import { formatSarif } from '../core/report/format-sarif';
import { formatTable, summaryLine } from '../core/report/format-table';
import { failsAt } from '../core/report/report';
import type { Severity } from '../core/model/types';
import { auditInventory } from '../providers/audit-inventory';
import { collectFiles, InputPathError } from '../providers/files/collect';
import { mergeInventories } from '../core/model/inventory';
import { collectLive } from './live-sources';
import { UsageError } from './usage';
import type { CliIo } from './io';

const FORMATS = ['table', 'json', 'sarif'] as const;
const FAIL_ON = ['critical', 'high', 'medium', 'low', 'never'] as const;

export const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');

/** `meshgov audit`: collect → model → evaluate → plan → report, then the contract's exit status. */
export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      rules: { type: 'string' },
      format: { type: 'string', default: 'table' },
      now: { type: 'string' },
      'fail-on': { type: 'string', default: 'high' },
      output: { type: 'string', short: 'o' },
      'appmesh-region': { type: 'string' },
      'kube-context': { type: 'string' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
    },
  });
  const format = oneOf(values.format!, FORMATS, '--format');
  const failOn = oneOf(values['fail-on']!, FAIL_ON, '--fail-on');
  const now = parseNow(values.now);
  const live = values['appmesh-region'] !== undefined || values['kube-context'] !== undefined;
  if (values['appmesh-region'] === '') throw new UsageError('--appmesh-region needs a region such as us-west-2');
  const policy = loadPolicy(values.rules);
  // With a live source and no PATH, only the live source is audited, not the example fleet.
  const paths = positionals.length > 0 ? positionals : live ? [] : [EXAMPLES_DIR];

  let inventory;
  try {
    inventory = mergeInventories([
      await collectFiles(paths),
      ...(live ? await collectLive({ appmeshRegion: values['appmesh-region'], kubeContext: values['kube-context'], meshes: policy.sources.appmesh?.meshes }) : []),
    ]);
  } catch (err) {
    if (err instanceof InputPathError) {
      io.stderr(`meshgov: ${err.message}\n`);
      return 2;
    }
    if (live) {
      io.stderr(`meshgov: the live source could not be read: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
  if (!live && inventory.files.length === 0) {
    io.stderr(`meshgov: no input files found in ${paths.join(', ')}\n`);
    return 2;
  }
  const recognised = inventory.kubernetes.length + inventory.appmeshApi.length + inventory.envoy.length + inventory.pem.length + inventory.certificates.length;
  const report = auditInventory(inventory, { policy, now });
  if (recognised === 0 && !live) {
    for (const p of inventory.problems) io.stderr(`meshgov: ${p.file}:${p.line}: ${p.message}\n`);
    io.stderr(`meshgov: no input could be read: no Istio, Kubernetes, App Mesh, Envoy or certificate document in ${paths.join(', ')}\n`);
    return 2;
  }
  if (inventory.unknown.length > 0) {
    io.stderr(`meshgov: skipped ${inventory.unknown.length} document(s) of a kind meshgov does not audit\n`);
  }

  const color = values['no-color'] ? false : (values.color ?? (io.isTTY && !values.output && !process.env.NO_COLOR));
  const text =
    format === 'json'
      ? formatJson(report)
      : format === 'sarif'
        ? formatSarif(report, { baseDir: process.cwd(), toolVersion: io.version })
        : formatTable(report, { color });
  if (values.output) {
    writeFileSync(values.output, text);
    io.stderr(`${summaryLine(report)}; report written to ${values.output}\n`);
  } else {
    io.stdout(text);
  }
  return failsAt(report, failOn as Severity | 'never') ? 1 : 0;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

/** `--now` fixes the certificate clock; only a full ISO-8601 date or date-time is accepted. */
export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(`--now must be an ISO-8601 date or date-time such as 2026-11-26T00:00:00Z (got "${value}")`);
  }
  return new Date(value);
}
