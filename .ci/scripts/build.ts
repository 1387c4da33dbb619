/**
 * `npm run build`: every deployable artefact the repository produces.
 * - dist/gcp: the GCP agent's Cloud Functions source (build-gcp.ts), rules/ validated into its snapshot.
 * The Lambda handlers need no step here: `cdk synth` bundles them (and validates rules/).
 */
import * as path from 'node:path';
import { buildGcp } from './build-gcp';

async function main(): Promise<void> {
  const gcp = await buildGcp();
  const vendor = gcp.vendor.map((v) => `${path.basename(v.file)} ${(v.bytes / 1024).toFixed(0)} KiB`).join(', ');
  console.log(`built ${gcp.outDir} (index.js ${(gcp.bytes / 1024).toFixed(0)} KiB; loaded on first use: ${vendor}; external: ${gcp.external.join(', ')})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
