import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { appMeshApiObjects, appMeshCrdDocuments, type AppMeshNamespacePlan } from './fleet/appmesh-namespace';
import { istioNamespaceDocuments, type IstioNamespacePlan } from './fleet/istio-namespace';
import { DOMAINS, ROLES } from './fleet/names';
import { createRandom, type Random } from './fleet/random';

/** What generateFleet wrote. */
export interface FleetSummary {
  dir: string;
  workloads: number;
  istioWorkloads: number;
  appMeshWorkloads: number;
  files: number;
  bytes: number;
  documents: number;
}

/** Share of the workloads that run on Istio; the rest run on App Mesh. */
const ISTIO_SHARE = 0.6;
const WORKLOADS_PER_NAMESPACE = 20;
/** Namespaces per rendered Helm bundle: a bundle file is a few hundred KB, as in real repos. */
const NAMESPACES_PER_BUNDLE = 8;
/** Namespaces per describe-* JSON array. */
const NAMESPACES_PER_API_EXPORT = 5;
/** One App Mesh workload in this many shares its hostname with an Istio one (a migration). */
const SHARED_HOST_EVERY = 25;
const MESH = 'prod-mesh';

/**
 * Writes a mixed Istio + App Mesh fleet of `workloads` workloads under `dir`, laid out the
 * way real configuration repositories are: rendered multi-document YAML bundles, a separate
 * mesh-policy tree, `kubectl get -o yaml` Lists, `aws appmesh describe-*` JSON arrays,
 * controller CRDs and a few PEM files. The same seed always writes the same bytes.
 *
 * @example
 *   const summary = generateFleet('/tmp/fleet-10k', 10_000);
 *   // summary.files ≈ 240, summary.bytes ≈ 30 MB
 */
export function generateFleet(dir: string, workloads: number, seed = 1): FleetSummary {
  const random = createRandom(seed);
  const istioCount = Math.round(workloads * ISTIO_SHARE);
  const appMeshCount = workloads - istioCount;
  const writer = new FleetWriter(dir);

  const istioNamespaces = planNamespaces('', istioCount, random);
  writeIstio(writer, istioNamespaces, random);

  const istioHosts = istioNamespaces.flatMap((ns) => ns.workloads.map((w) => `${w}.${ns.name}.svc.cluster.local`));
  const appMeshNamespaces = planNamespaces('eks-', appMeshCount, random);
  writeAppMesh(writer, appMeshNamespaces, istioHosts, random);

  writer.copyPemFiles(path.resolve(__dirname, '../examples/certs'));
  return { dir, workloads, istioWorkloads: istioCount, appMeshWorkloads: appMeshCount, ...writer.totals() };
}

interface NamespaceSketch {
  name: string;
  team: string;
  workloads: string[];
}

function planNamespaces(prefix: string, count: number, random: Random): NamespaceSketch[] {
  const out: NamespaceSketch[] = [];
  for (let i = 0, planned = 0; planned < count; i++) {
    const domain = DOMAINS[i % DOMAINS.length];
    const size = Math.min(count - planned, WORKLOADS_PER_NAMESPACE);
    const roles = random.shuffle(ROLES).slice(0, size);
    out.push({ name: `${prefix}${domain}-${Math.floor(i / DOMAINS.length) + 1}`, team: domain, workloads: roles.map((r) => `${domain}-${r}`) });
    planned += size;
  }
  return out;
}

function writeIstio(writer: FleetWriter, sketches: NamespaceSketch[], random: Random): void {
  writer.yaml('istio/prod-gke/istio-system.yaml', istioSystemDocuments());
  for (let b = 0; b * NAMESPACES_PER_BUNDLE < sketches.length; b++) {
    const bundle = sketches.slice(b * NAMESPACES_PER_BUNDLE, (b + 1) * NAMESPACES_PER_BUNDLE);
    const rendered: object[] = [];
    const policy: object[] = [];
    for (const sketch of bundle) {
      const roll = random.next();
      const plan: IstioNamespacePlan = { ...sketch, injection: roll < 0.04 ? 'none' : roll < 0.34 ? 'revision' : 'label' };
      const docs = istioNamespaceDocuments(plan, random);
      policy.push(...docs.policy);
      // About one namespace in ten is exported with `kubectl get … -o yaml` instead of rendered by Helm.
      if (random.chance(0.1)) writer.yaml(`istio/prod-gke/kubectl/${plan.name}.yaml`, [kubectlList(docs.workloads)]);
      else rendered.push(...docs.workloads);
    }
    const name = `bundle-${String(b + 1).padStart(3, '0')}.yaml`;
    if (rendered.length > 0) writer.yaml(`istio/prod-gke/rendered/${name}`, rendered, '# Source: shop-services/templates/');
    if (policy.length > 0) writer.yaml(`istio/prod-gke/mesh-policy/${name}`, policy);
  }
}

function istioSystemDocuments(): object[] {
  const mesh = (revision: string) =>
    [
      'accessLogFile: /dev/stdout',
      'defaultConfig:',
      `  discoveryAddress: ${revision === 'default' ? 'istiod' : `istiod-${revision}`}.istio-system.svc:15012`,
      'enableAutoMtls: true',
      'rootNamespace: istio-system',
      'trustDomain: cluster.local',
    ].join('\n');
  const configMap = (name: string, revision: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'istio-system', labels: { 'istio.io/rev': revision, release: name } },
    data: { mesh: mesh(revision), meshNetworks: 'networks: {}' },
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { team: 'platform' } } },
    configMap('istio', 'default'),
    configMap('istio-1-24', '1-24'),
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } },
  ];
}

function kubectlList(items: object[]): object {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
}

function writeAppMesh(writer: FleetWriter, sketches: NamespaceSketch[], istioHosts: string[], random: Random): void {
  const meshUid = random.uuid();
  writer.yaml('appmesh/prod-eks/mesh.yaml', [
    {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'Mesh',
      metadata: { name: MESH, uid: meshUid },
      spec: { namespaceSelector: { matchLabels: { mesh: MESH } }, egressFilter: { type: 'DROP_ALL' } },
    },
  ]);
  writer.json('appmesh/api/describe-mesh.json', {
    mesh: { meshName: MESH, metadata: { arn: `arn:aws:appmesh:us-west-2:111122223333:mesh/${MESH}`, uid: meshUid, version: 1 }, spec: { egressFilter: { type: 'DROP_ALL' } }, status: { status: 'ACTIVE' } },
  });
  let shared = 0;
  let apiExport: object[] = [];
  let apiNamespaces = 0;
  sketches.forEach((sketch, index) => {
    const sharedHosts = new Map<string, string>();
    for (const w of sketch.workloads) {
      if (shared++ % SHARED_HOST_EVERY === 0 && istioHosts.length > 0) sharedHosts.set(w, istioHosts[(shared * 7) % istioHosts.length]);
    }
    const plan: AppMeshNamespacePlan = { ...sketch, mesh: MESH, meshUid, sharedHosts };
    // Half the namespaces were created with Terraform (the API view), half by the controller.
    if (index % 2 === 0) {
      apiExport.push(...appMeshApiObjects(plan, random));
      if (++apiNamespaces % NAMESPACES_PER_API_EXPORT === 0) {
        writer.json(`appmesh/api/${MESH}-export-${String(apiNamespaces / NAMESPACES_PER_API_EXPORT).padStart(3, '0')}.json`, apiExport);
        apiExport = [];
      }
    } else {
      writer.yaml(`appmesh/prod-eks/${plan.name}.yaml`, appMeshCrdDocuments(plan, random));
    }
  });
  if (apiExport.length > 0) writer.json(`appmesh/api/${MESH}-export-last.json`, apiExport);
}

/** Writes files under the fleet root and keeps count of what it wrote. */
class FleetWriter {
  private files = 0;
  private bytes = 0;
  private documents = 0;

  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  /** A multi-document YAML file; `sourceComment` adds Helm's `# Source:` line before each document. */
  yaml(relative: string, docs: object[], sourceComment?: string): void {
    const text = docs
      .map((doc) => {
        const body = yaml.dump(doc, { lineWidth: -1, noRefs: true });
        const kind = (doc as { kind?: string }).kind ?? 'resource';
        return sourceComment ? `${sourceComment}${kind.toLowerCase()}.yaml\n${body}` : body;
      })
      .join('---\n');
    this.write(relative, text, docs.length);
  }

  json(relative: string, value: object): void {
    this.write(relative, `${JSON.stringify(value, null, 2)}\n`, Array.isArray(value) ? value.length : 1);
  }

  copyPemFiles(sourceDir: string): void {
    if (!existsSync(sourceDir)) return;
    for (const file of listFiles(sourceDir).filter((f) => /\.(pem|crt)$/.test(f))) {
      const target = path.join(this.root, 'certs', path.relative(sourceDir, file));
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(file, target);
      this.files++;
      this.documents++;
      this.bytes += statSync(target).size;
    }
  }

  totals(): { files: number; bytes: number; documents: number } {
    return { files: this.files, bytes: this.bytes, documents: this.documents };
  }

  private write(relative: string, text: string, documents: number): void {
    const target = path.join(this.root, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
    this.files++;
    this.documents += documents;
    this.bytes += Buffer.byteLength(text);
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}
