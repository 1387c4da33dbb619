import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { parseFileText } from '../../../functions/providers/files/parse-documents';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

/** YAML aliases that make a small document stand for billions of nodes, refused as kubectl refuses them. */

/** Anchors a0 to a`last`, each a list of nine aliases of the one before: 9^(last+1) strings once expanded. */
const anchors = (last: number) =>
  ['  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: last }, (_, i) => `  a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`)].join('\n');

const STRICT_DEFAULT = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
`;

/** A workload policy whose selector label is the last anchor: a message quoting it would expand it. */
const bomb = (last: number) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: checkout
  namespace: shop
x-anchors:
${anchors(last)}
spec:
  selector:
    matchLabels:
      app: *a${last}
  mtls:
    mode: DISABLE
`;
/** 9^10 strings: a message quoting it ran out of memory after minutes. */
const BOMB = bomb(9);

describe('a YAML document whose aliases expand it too far', () => {
  it('is a config-invalid problem at its line, as kubectl refuses it, and the documents beside it are read', () => {
    const text = `${STRICT_DEFAULT}---\n${BOMB}`;
    const started = Date.now();
    const { documents, problems } = parseFileText('policies.yaml', text);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(documents.map((d) => (d.body as { metadata: { name: string } }).metadata.name)).toEqual(['default']);
    expect(problems).toEqual([{ file: 'policies.yaml', line: 10, message: expect.stringMatching(/^invalid YAML: document contains excessive aliasing: its aliases expand \d+ nodes to [\d,]+, as kubectl refuses it$/) }]);
  });

  it('is refused on the careful path too, after a document that does not parse', () => {
    const text = `apiVersion: v1\nkind: Service\nmetadata: {name: web\n---\n${BOMB}`;
    const { problems } = parseFileText('shop.yaml', text);
    expect(problems.map((p) => [p.line, p.message.slice(0, 50)])).toEqual([
      [3, expect.stringMatching(/^invalid YAML/)],
      [5, 'invalid YAML: document contains excessive aliasing'],
    ]);
  });

  // 9^6 strings, so that reading it as before fails in a second (a 3 MB message) rather than in minutes.
  it('costs the audit only that document: the rest is audited and the finding names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-alias-'));
    try {
      writeFileSync(join(dir, 'mesh.yaml'), STRICT_DEFAULT);
      writeFileSync(join(dir, 'checkout.yaml'), bomb(5));
      const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') });
      const invalid = report.findings.filter((f) => f.rule === 'config-invalid');
      expect(invalid.map((f) => [f.resource.file, f.resource.line])).toEqual([[join(dir, 'checkout.yaml'), 1]]);
      expect(invalid[0]!.message.length).toBeLessThan(400);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an alias inside its own anchor (a cycle in the parsed value) is refused', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: loop\n  namespace: shop\ndata: &data\n  self: *data\n`;
    expect(parseFileText('loop.yaml', text)).toEqual({
      documents: [],
      problems: [{ file: 'loop.yaml', line: 1, message: 'invalid YAML: an alias stands inside the node of its own anchor, which would repeat it without end' }],
    });
  });

  it('aliases that nest the value deeper than 100 levels are refused, as js-yaml refuses such nesting written out', () => {
    const chain = Array.from({ length: 120 }, (_, i) => `  l${i + 1}: &l${i + 1} [*l${i}]`).join('\n');
    const text = `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: deep, namespace: shop}\nx:\n  l0: &l0 [end]\n${chain}\nspec:\n  mtls:\n    mode: *l120\n`;
    expect(parseFileText('deep.yaml', text).problems).toEqual([{ file: 'deep.yaml', line: 1, message: 'invalid YAML: nesting exceeded maxDepth (100) once aliases are expanded' }]);
  });
});

describe('aliases people really write still read', () => {
  it('merge keys in sixty Deployments of a List, each pod spec and container merged from an anchor (6,600 nodes, 43% from aliases)', () => {
    const deployment = (i: number) => `- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: worker-${i}, namespace: shop, labels: {app: worker-${i}, team: fulfilment}}
  spec:
    replicas: 2
    selector: {matchLabels: {app: worker-${i}}}
    template:
      metadata: {labels: {app: worker-${i}}, annotations: {sidecar.istio.io/inject: "true"}}
      spec:
        <<: *podspec
        containers:
        - <<: *container
          name: worker
          ports: [{containerPort: ${8000 + i}}]`;
    const text = `apiVersion: v1
kind: List
x-defaults:
  podspec: &podspec
    serviceAccountName: worker
    securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
    tolerations: [{key: dedicated, operator: Equal, value: workers, effect: NoSchedule}]
  container: &container
    image: registry.example.com/shop/worker:1.42.0
    imagePullPolicy: IfNotPresent
    resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
    securityContext: {readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
    env: [{name: LOG_LEVEL, value: info}, {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel-collector.observability:4317"}]
items:
${Array.from({ length: 60 }, (_, i) => deployment(i)).join('\n')}
`;
    const { documents, problems } = parseFileText('workers.yaml', text);
    expect(problems).toEqual([]);
    const items = (documents[0]!.body as any).items;
    expect(items).toHaveLength(60);
    expect(items[59].spec.template.spec).toMatchObject({ serviceAccountName: 'worker', containers: [{ name: 'worker', image: 'registry.example.com/shop/worker:1.42.0', ports: [{ containerPort: 8059 }] }] });
  });

  it('wildcard hosts and a cron schedule are stars, not aliases', () => {
    const text = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: partner-apis
  namespace: shop
spec:
  hosts: ["*.partner.example.com", '*']
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: NONE
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cert-report, namespace: shop}
spec:
  schedule: "*/5 * * * *"
  jobTemplate: {spec: {template: {spec: {containers: [{name: r, image: report:1}], restartPolicy: Never}}}}
`;
    const { documents, problems } = parseFileText('shop.yaml', text);
    expect(problems).toEqual([]);
    expect((documents[0]!.body as any).spec.hosts).toEqual(['*.partner.example.com', '*']);
    expect((documents[1]!.body as any).spec.schedule).toBe('*/5 * * * *');
  });
});
