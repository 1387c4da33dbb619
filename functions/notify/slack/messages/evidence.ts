import type { Finding } from '../../../core/findings';
import { code, link } from './escape';

/** Where the consoles live, for findings that carry no region or cluster of their own. */
export interface EvidenceContext {
  /** The hub's region (AWS_REGION), for App Mesh resources read without an ARN. */
  awsRegion?: string;
  /** The GKE cluster the Istio agent audits, for Cloud Console links. */
  gke?: { project: string; location: string; cluster: string };
}

/** A place to look: a console URL, or a location to read (a file and line, an API path). */
export interface Evidence {
  url?: string;
  label: string;
}

const APPMESH_CONSOLE_PATHS: Record<string, string> = {
  virtualNode: 'virtual-nodes',
  virtualGateway: 'virtual-gateways',
  virtualService: 'virtual-services',
  virtualRouter: 'virtual-routers',
};

const APPMESH_KIND_TYPES: Record<string, string> = {
  VirtualNode: 'virtualNode',
  VirtualGateway: 'virtualGateway',
  VirtualService: 'virtualService',
  VirtualRouter: 'virtualRouter',
};

/** The workload kinds the GKE console has a details page for, by the path segment it uses. */
const GKE_WORKLOAD_PATHS: Record<string, string> = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset', Job: 'job', CronJob: 'cronjob', Pod: 'pod' };

/**
 * The evidence for a finding:
 * - App Mesh: the App Mesh console page of the resource (the shared approval message's link
 *   form: `console.aws.amazon.com/appmesh/meshes/<mesh>/virtual-nodes/<name>?region=…`), from
 *   the resource ARN the live reader records as its source, or the hub's region;
 * - ACM certificates: the ACM console page of the certificate ARN;
 * - Istio workloads on GKE: the Cloud Console workload page, when the cluster is configured;
 * - anything read from a file (or a Kubernetes API path): that location, to open.
 */
export function evidenceFor(finding: Finding, context: EvidenceContext = {}): Evidence | undefined {
  const r = finding.resource;
  const arn = r.file?.startsWith('arn:aws') ? r.file : undefined;
  if (finding.provider === 'appmesh') {
    const fromArn = arn ? appMeshConsoleFromArn(arn) : undefined;
    if (fromArn) return fromArn;
    const type = APPMESH_KIND_TYPES[r.kind];
    if (!arn && r.namespace === undefined && r.mesh && type && context.awsRegion && !r.file) {
      return { url: appMeshConsoleUrl(context.awsRegion, r.mesh, type, r.name), label: 'Open in the App Mesh console' };
    }
  }
  const acmArn = acmArnOf(finding) ?? (arn?.startsWith('arn:aws:acm:') ? arn : undefined);
  if (acmArn) {
    const [, , , region, , resource] = acmArn.split(':');
    const id = resource?.split('/')[1];
    if (region && id) return { url: `https://console.aws.amazon.com/acm/home?region=${region}#/certificates/${id}`, label: 'Open in the ACM console' };
  }
  if (finding.provider === 'istio' && context.gke && r.namespace && GKE_WORKLOAD_PATHS[r.kind]) {
    const { project, location, cluster } = context.gke;
    const path = [GKE_WORKLOAD_PATHS[r.kind], location, cluster, r.namespace, r.name].map(encodeURIComponent).join('/');
    return { url: `https://console.cloud.google.com/kubernetes/${path}/details?project=${encodeURIComponent(project)}`, label: 'Open in the Google Cloud console' };
  }
  if (r.file && !arn) return { label: r.line ? `${r.file}:${r.line}` : r.file };
  return undefined;
}

/** The evidence as a line of mrkdwn: a link, or the location to open in a code span (a path may be long: capped). */
export function evidenceMrkdwn(evidence: Evidence): string {
  return evidence.url ? link(evidence.url, evidence.label) : `Evidence: ${code(evidence.label, 500)}`;
}

/** `arn:aws:appmesh:<region>:<account>:mesh/<mesh>/<type>/<name>` → its console page. */
function appMeshConsoleFromArn(arn: string): Evidence | undefined {
  const m = /^arn:aws[\w-]*:appmesh:([a-z0-9-]+):\d{12}:mesh\/([^/]+)(?:\/(virtualNode|virtualGateway|virtualService|virtualRouter)\/([^/]+))?/.exec(arn);
  if (!m) return undefined;
  const [, region, mesh, type, name] = m;
  if (!type || !name) return { url: `https://console.aws.amazon.com/appmesh/meshes/${encodeURIComponent(mesh)}?region=${region}`, label: 'Open in the App Mesh console' };
  return { url: appMeshConsoleUrl(region, mesh, type, name), label: 'Open in the App Mesh console' };
}

function appMeshConsoleUrl(region: string, mesh: string, type: string, name: string): string {
  return `https://console.aws.amazon.com/appmesh/meshes/${encodeURIComponent(mesh)}/${APPMESH_CONSOLE_PATHS[type]}/${encodeURIComponent(name)}?region=${encodeURIComponent(region)}`;
}

function acmArnOf(finding: Finding): string | undefined {
  const origin = finding.detail.origin as { arn?: unknown } | undefined;
  return typeof origin?.arn === 'string' && origin.arn.startsWith('arn:aws:acm:') ? origin.arn : undefined;
}
