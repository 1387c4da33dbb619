/**
 * Writes one Cloud Monitoring AlertPolicy JSON file per Istio SLO of the rules to
 * dist/gcp-alert-policies/<slo-name>.json (outside dist/gcp, so the policies are not uploaded
 * with the functions' source), for the GCP deployment, which runs this script itself with the
 * Pub/Sub notification channel it made and then, per file:
 *
 *   gcloud alpha monitoring policies create --policy-from-file=dist/gcp-alert-policies/<slo-name>.json
 *
 * (functions/gcp/deploy/deploy-agent.sh; `update` for a policy whose `meshgov-slo` label already
 * names the SLO). By hand:
 *   npx tsx .ci/scripts/generate-alert-policies.ts [--rules DIR] [--out DIR] [--notification-channel projects/P/notificationChannels/ID ...]
 * Without --notification-channel the files carry ${MESHGOV_NOTIFICATION_CHANNEL}, for envsubst.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { alertPoliciesForSlos } from '../../functions/gcp/monitoring/alert-policies';
import { loadPolicy } from '../../functions/core/policy/load';
import { slosOfPolicy } from '../../functions/core/slo/definition';

const REPO_ROOT = path.resolve(__dirname, '../..');

export interface GenerateAlertPoliciesOptions {
  rulesDir?: string;
  outDir?: string;
  notificationChannels?: string[];
}

/** Writes the files and returns their paths (an empty list when the rules declare no Istio SLO). */
export function generateAlertPolicies(options: GenerateAlertPoliciesOptions = {}): string[] {
  const outDir = options.outDir ?? path.join(REPO_ROOT, 'dist/gcp-alert-policies');
  const slos = slosOfPolicy(loadPolicy(options.rulesDir));
  // Policies of SLOs removed from the rules must not linger.
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir)) if (name.endsWith('.json')) rmSync(path.join(outDir, name));
  const written: string[] = [];
  for (const { sloName, policy } of alertPoliciesForSlos(slos, { notificationChannels: options.notificationChannels })) {
    const file = path.join(outDir, `${sloName}.json`);
    writeFileSync(file, `${JSON.stringify(policy, null, 2)}\n`);
    written.push(file);
  }
  return written;
}

function parseArgs(argv: string[]): GenerateAlertPoliciesOptions {
  const options: GenerateAlertPoliciesOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${argv[i]} needs a value`);
    if (argv[i] === '--rules') options.rulesDir = value;
    else if (argv[i] === '--out') options.outDir = value;
    else if (argv[i] === '--notification-channel') options.notificationChannels = [...(options.notificationChannels ?? []), value];
    else throw new Error(`unknown argument ${argv[i]}; usage: generate-alert-policies.ts [--rules DIR] [--out DIR] [--notification-channel NAME]...`);
    i++;
  }
  return options;
}

if (require.main === module) {
  try {
    const files = generateAlertPolicies(parseArgs(process.argv.slice(2)));
    console.log(files.length === 0 ? 'no Istio SLOs in the rules: no alert policy written' : files.map((f) => `wrote ${path.relative(process.cwd(), f)}`).join('\n'));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
