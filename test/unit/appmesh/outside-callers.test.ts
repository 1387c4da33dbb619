/**
 * A listener going STRICT takes only TLS, so every caller the mesh configuration does not name is
 * reset: a load balancer, pods without the Envoy sidecar, ECS tasks outside the audit. The gate
 * may plan STRICT on its own only when the audit shows who calls and all of them send mTLS.
 * Inputs: the App Mesh SDS walkthrough (aws/aws-app-mesh-examples howto-k8s-mtls-sds-based)
 * with its front Service as a LoadBalancer, and a batch Deployment beside a PERMISSIVE ledger.
 */
import { auditModel } from '../../../functions/core/audit';
import type { Finding } from '../../../functions/core/findings';
import type { KubeObject, Located } from '../../../functions/core/model/inventory';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import { apiNode, dns, inventoryOf, kube, listener, NOW } from '../../../functions/providers/appmesh/testdata/fixtures';

const NS = 'howto-k8s-mtls-sds-based';
const TRUST = { trust: { sds: { secretName: `spiffe://${NS}.aws` } } };
const sdsCert = (name: string) => ({ sds: { secretName: `spiffe://${NS}.aws/${name}` } });

function audit(objects: Located<KubeObject>[], api = [] as Parameters<typeof inventoryOf>[0]['api']): Finding[] {
  const model = buildAppMeshModel(inventoryOf({ kube: objects, api }), { now: NOW });
  return auditModel(model, loadPolicy(), NOW).findings;
}

const doc = (d: Record<string, unknown>, line: number): Located<KubeObject> => kube(d as unknown as KubeObject, 'k8s/manifest.yaml', line);

function namespaceObj(name: string, labels: Record<string, string>): Located<KubeObject> {
  return doc({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }, 1);
}

function mesh(name: string): Located<KubeObject> {
  return doc({ apiVersion: 'appmesh.k8s.aws/v1beta2', kind: 'Mesh', metadata: { name }, spec: { namespaceSelector: { matchLabels: { mesh: name } } } }, 10);
}

function virtualNode(namespace: string, name: string, podLabels: Record<string, string>, extra: Record<string, unknown> = {}): Located<KubeObject> {
  return doc(
    {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name, namespace },
      spec: {
        podSelector: { matchLabels: podLabels },
        listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: sdsCert(name), validation: TRUST } }],
        serviceDiscovery: { dns: { hostname: `${name}.${namespace}.svc.cluster.local` } },
        ...extra,
      },
    },
    20,
  );
}

function deployment(namespace: string, name: string, labels: Record<string, string>, annotations: Record<string, string> = {}): Located<KubeObject> {
  return doc(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace },
      spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels, annotations }, spec: { containers: [{ name: 'app', image: `example/${name}:1`, ports: [{ containerPort: 8080 }] }] } },
      },
    },
    40,
  );
}

function service(namespace: string, name: string, selector: Record<string, string>, type?: string): Located<KubeObject> {
  return doc({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ...(type ? { type } : {}), selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } }, 60);
}

const injected = { mesh: NS, 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' };
const notStrict = (findings: Finding[], name: string) => findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === name)!;

describe('STRICT on an App Mesh listener waits for a person while callers outside the mesh may exist', () => {
  const front = virtualNode(NS, 'front', { app: 'front' });
  const base = [namespaceObj(NS, injected), mesh(NS), front, deployment(NS, 'front', { app: 'front' })];

  test('every caller shown and meshed: auto', () => {
    const f = notStrict(audit([...base, service(NS, 'front', { app: 'front' })]), 'front');
    expect(f.remediation!.mode).toBe('auto');
  });

  test('a LoadBalancer Service selects the pods: approval, and the client plan carrying the same change too', () => {
    const calling = virtualNode(NS, 'front', { app: 'front' }, { backends: [{ virtualService: { virtualServiceRef: { name: 'color' } } }] });
    const findings = audit([namespaceObj(NS, injected), mesh(NS), calling, deployment(NS, 'front', { app: 'front' }), service(NS, 'front', { app: 'front' }, 'LoadBalancer')]);
    const f = notStrict(findings, 'front');
    expect(f.remediation!.mode).toBe('approval');
    expect(f.remediation!.reason).toContain(`Service ${NS}/front is a LoadBalancer`);
    const client = findings.find((c) => c.rule === 'mtls-client-not-enforced' && c.resource.name === 'front')!;
    // The client's change carries the STRICT listener too (one change per object), so it is never auto either.
    expect((client.remediation!.change as any).patch.spec.listeners[0].tls.mode).toBe('STRICT');
    expect(client.remediation!.mode).not.toBe('auto');
  });

  test('an Ingress sends to the ClusterIP Service of the pods: approval', () => {
    const ingress = doc(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'front', namespace: NS, annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } },
        spec: { ingressClassName: 'alb', rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'front', port: { number: 80 } } } }] } }] },
      },
      80,
    );
    const f = notStrict(audit([...base, service(NS, 'front', { app: 'front' }), ingress]), 'front');
    expect(f.remediation!.mode).toBe('approval');
    expect(f.remediation!.reason).toContain(`Ingress ${NS}/front sends to Service ${NS}/front`);
  });

  describe('a TargetGroupBinding (AWS Load Balancer Controller) registers the pods behind a Service port', () => {
    const ARN = 'arn:aws:elasticloadbalancing:us-west-2:111122223333:targetgroup/front-tg/6d0ecf831eec9f09';
    const binding = (port: number | string) =>
      doc({ apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'TargetGroupBinding', metadata: { name: 'front-tgb', namespace: NS }, spec: { serviceRef: { name: 'front', port }, targetGroupARN: ARN, targetType: 'ip' } }, 90);
    const twoPorts = doc(
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'front', namespace: NS }, spec: { selector: { app: 'front' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'admin', port: 9901, targetPort: 9901 }] } },
      60,
    );

    test.each([80, 'http'])('by port %s: the load balancer made outside the cluster sends plaintext, so STRICT waits for a person', (port) => {
      const f = notStrict(audit([...base, twoPorts, binding(port)]), 'front');
      expect(f.remediation!.mode).toBe('approval');
      expect(f.remediation!.reason).toContain(`TargetGroupBinding ${NS}/front-tgb (target group ${ARN}) sends to Service ${NS}/front port ${port}: its clients outside the mesh send plaintext to port 8080 of the pods of`);
    });

    test('a binding of another port of the Service leaves the listener to its known clients', () => {
      expect(notStrict(audit([...base, twoPorts, binding('admin')]), 'front').remediation!.mode).toBe('auto');
    });
  });

  test('a Deployment in a namespace without the injector label may call in plaintext: approval', () => {
    const batch = [namespaceObj('batch', {}), deployment('batch', 'nightly-report', { app: 'nightly-report' })];
    const f = notStrict(audit([...base, ...batch]), 'front');
    expect(f.remediation!.mode).toBe('approval');
    expect(f.remediation!.reason).toContain('Deployment batch/nightly-report has no Envoy sidecar and may call');
  });

  test('a pod that opts out of injection in an injected namespace is an unmeshed caller too', () => {
    const optOut = deployment(NS, 'migrate', { app: 'migrate' }, { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'disabled' });
    const migrateNode = virtualNode(NS, 'migrate', { app: 'migrate' });
    const f = notStrict(audit([...base, migrateNode, optOut]), 'front');
    expect(f.remediation!.reason).toContain(`Deployment ${NS}/migrate has no Envoy sidecar`);
  });

  test('no workload of the node read: no evidence of outside callers, so the gate goes by the clients it knows (DESIGN.md)', () => {
    const f = notStrict(audit([namespaceObj(NS, injected), mesh(NS), front]), 'front');
    expect(f.remediation!.mode).toBe('auto');
  });

  test('App Mesh API objects only, as the hub reads them: the known clients decide, as DESIGN.md says', () => {
    const node = apiNode('ledger', {
      listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: sdsCert('ledger'), validation: TRUST })],
      serviceDiscovery: dns('ledger.prod.local'),
    });
    const f = notStrict(audit([], [node]), 'ledger');
    expect(f.remediation!.mode).toBe('auto');
    expect(f.remediation!.reason).toContain('every known client sends mTLS');
  });
});
