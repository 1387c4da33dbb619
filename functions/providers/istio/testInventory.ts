import { loadAll } from 'js-yaml';
import { emptyInventory, type Inventory, type KubeObject } from '../../core/model/inventory';
import type { FleetModel } from '../../core/model/types';
import { buildIstioModel } from './buildIstioModel';

/**
 * Test helper: an Inventory from multi-document Kubernetes YAML, the way the file loader hands
 * it over (one entry per document, `kind: List` flattened, 1-based line of each document).
 */
export function inventoryFromYaml(text: string, file = 'fleet.yaml'): Inventory {
  const inventory = emptyInventory();
  inventory.files.push(file);
  const lines = text.split('\n');
  let start = 0;
  const flush = (end: number): void => {
    const chunk = lines.slice(start, end).join('\n');
    const firstContent = lines.slice(start, end).findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    if (firstContent >= 0) {
      for (const doc of loadAll(chunk)) {
        if (!doc || typeof doc !== 'object') continue;
        const line = start + firstContent + 1;
        const k = doc as KubeObject & { items?: KubeObject[] };
        if (k.kind === 'List' && Array.isArray(k.items)) for (const item of k.items) inventory.kubernetes.push({ doc: item, source: { file, line } });
        else inventory.kubernetes.push({ doc: k, source: { file, line } });
      }
    }
    start = end + 1;
  };
  lines.forEach((l, i) => {
    if (/^---(\s|$)/.test(l)) flush(i);
  });
  flush(lines.length);
  return inventory;
}

/** Test helper: an Inventory from objects, each as if it were its own document in `file`. */
export function inventoryOf(objects: KubeObject[], file = 'fleet.yaml'): Inventory {
  const inventory = emptyInventory();
  inventory.files.push(file);
  objects.forEach((doc, i) => inventory.kubernetes.push({ doc, source: { file, line: i * 10 + 1 } }));
  return inventory;
}

export function istioModelOf(yaml: string, file?: string): FleetModel {
  return buildIstioModel(inventoryFromYaml(yaml, file), { now: new Date('2026-11-26T00:00:00Z') });
}

/** A Deployment with one container, as `kubectl create deployment` writes it. */
export function deployment(
  namespace: string,
  name: string,
  opts: { labels?: Record<string, string>; ports?: Array<number | { containerPort: number; name: string }>; annotations?: Record<string, string>; kind?: 'Deployment' | 'StatefulSet' | 'DaemonSet' } = {},
): string {
  const labels = opts.labels ?? { app: name };
  const kind = opts.kind ?? 'Deployment';
  const ports = (opts.ports ?? [8080]).map((p) =>
    typeof p === 'number' ? `        - containerPort: ${p}\n          protocol: TCP` : `        - containerPort: ${p.containerPort}\n          name: ${p.name}\n          protocol: TCP`,
  );
  const annotations = opts.annotations
    ? `      annotations:\n${Object.entries(opts.annotations).map(([k, v]) => `        ${k}: "${v}"`).join('\n')}\n`
    : '';
  return `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${kind === 'StatefulSet' ? `  serviceName: ${name}\n` : ''}  selector:
    matchLabels:
${Object.entries(labels).map(([k, v]) => `      ${k}: "${v}"`).join('\n')}
  template:
    metadata:
      labels:
${Object.entries(labels).map(([k, v]) => `        ${k}: "${v}"`).join('\n')}
${annotations}    spec:
      containers:
      - name: ${name}
        image: registry.example.com/${namespace}/${name}:1.4.2
${ports.length > 0 ? `        ports:\n${ports.join('\n')}` : ''}
`;
}

/** Documents of one multi-document YAML stream. */
export const docs = (...parts: string[]): string => parts.join('---\n');

/** A Namespace; by default labelled for sidecar injection. */
export function namespaceYaml(name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }): string {
  const entries = Object.entries(labels);
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
${entries.length > 0 ? `  labels:\n${entries.map(([k, v]) => `    ${k}: ${v}`).join('\n')}\n` : ''}`;
}

/** The MeshConfig ConfigMap `istio` of istio-system, its `mesh` key holding `mesh` (YAML lines). */
export function meshConfigYaml(mesh: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
${mesh
  .trimEnd()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
`;
}

/** A Service port that sends to another container port (a number, or a container port's name). */
export interface ServicePortYaml {
  name: string;
  port: number;
  targetPort: number | string;
}

/** A Service selecting `app: <name>`; a numbered port sends to the same container port. */
export function serviceYaml(namespace: string, name: string, ports: Array<number | ServicePortYaml> = [8080]): string {
  const entry = (p: number | ServicePortYaml) =>
    typeof p === 'number' ? `  - name: http-${p}\n    port: ${p}\n    targetPort: ${p}` : `  - name: ${p.name}\n    port: ${p.port}\n    protocol: TCP\n    targetPort: ${p.targetPort}`;
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    app: ${name}
  ports:
${ports.map(entry).join('\n')}
`;
}

/** A PeerAuthentication: namespace-wide (mesh-wide in istio-system), or for `app` with optional portLevelMtls. */
export function peerAuthenticationYaml(namespace: string, name: string, mode: string, opts: { app?: string; ports?: Record<number, string> } = {}): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: ${namespace}
  creationTimestamp: "2026-03-02T09:14:00Z"
spec:
${opts.app ? `  selector:\n    matchLabels:\n      app: ${opts.app}\n` : ''}  mtls:
    mode: ${mode}
${opts.ports ? `  portLevelMtls:\n${Object.entries(opts.ports).map(([p, m]) => `    ${p}:\n      mode: ${m}`).join('\n')}\n` : ''}`;
}
