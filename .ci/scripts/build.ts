/**
 * `npm run build`: every deployable artefact the repository produces.
 * - dist/gcp: the GCP agent's Cloud Functions source (build-gcp.ts).
 * The Lambda handlers need no step here: `cdk synth` bundles them.
 */
import { buildGcp } from './build-gcp';

async function main(): Promise<void> {
  const gcp = await buildGcp();
  console.log(`built ${gcp.outDir} (${(gcp.bytes / 1024).toFixed(0)} KiB; external: ${gcp.external.join(', ')})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
