import { evaluateModel } from '../../core/rules/engine';
import type { Finding } from '../../core/findings';
import type { FleetModel } from '../../core/model/types';
import { shippedPolicy } from '../../../test/support/model';
import type { IstioClientPolicy } from './clients';
import { deployment, docs, istioModelOf, namespaceYaml as namespace } from './testInventory';

/*
 * DestinationRule subsets (istio.io DestinationRule `subsets`, pilot `MergeTrafficPolicy`): each
 * subset gets its own cluster, whose TLS is the subset's portLevelSettings entry for the port,
 * else the subset's `tls`, else what the rule's top level gives for the port. The cluster carries
 * traffic only when a VirtualService routes to the subset, so the records say "when a route sends to it".
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const API = 'api.shop.svc.cluster.local';

const meshStrict = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
`;

/** api-v2 is being migrated and still takes plaintext. */
const v2Permissive = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: api-v2
  namespace: shop
spec:
  selector:
    matchLabels:
      app: api
      version: v2
  mtls:
    mode: PERMISSIVE
`;

const apiService = `apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector:
    app: api
  ports:
  - name: http
    port: 8080
    targetPort: 8080
  - name: grpc
    port: 9090
    targetPort: 9090
`;

const fleet = (...extra: string[]) =>
  docs(
    namespace('shop'),
    namespace('web'),
    meshStrict,
    v2Permissive,
    apiService,
    deployment('shop', 'api-v1', { labels: { app: 'api', version: 'v1' }, ports: [8080, 9090] }),
    deployment('shop', 'api-v2', { labels: { app: 'api', version: 'v2' }, ports: [8080, 9090] }),
    deployment('web', 'frontend', { labels: { app: 'frontend' } }),
    ...extra,
  );

/** `subsets` is written as YAML list items, indented under `spec`. */
const rule = (subsets: string, opts: { name?: string; topLevel?: string; resourceVersion?: string; created?: string } = {}) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${opts.name ?? 'api'}
  namespace: shop
${opts.resourceVersion ? `  resourceVersion: "${opts.resourceVersion}"\n` : ''}${opts.created ? `  creationTimestamp: "${opts.created}"\n` : ''}spec:
  host: api
${opts.topLevel ?? ''}  subsets:
${subsets}`;

const clientsOf = (model: FleetModel) => (model.clients as IstioClientPolicy[]).filter((c) => c.destination.hosts.includes(API));
const client = (model: FleetModel, id: string) => {
  const c = model.clients.find((x) => x.id === id);
  if (!c) throw new Error(`no client ${id}; have ${model.clients.map((x) => x.id).join(', ')}`);
  return c;
};
const audit = (model: FleetModel): Finding[] => evaluateModel(model, shippedPolicy(), NOW);
const byRule = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule);
const serverOf = (f: Finding) => {
  const s = f.detail.server as { name: string; port: number };
  return `${s.name}:${s.port}`;
};

describe('DestinationRule subsets', () => {
  it('a DISABLE subset toward STRICT workloads gives client-not-enforced and a conflict per selected workload port', () => {
    const model = istioModelOf(
      fleet(
        rule(`  - name: v1
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: DISABLE
  - name: v2
    labels:
      version: v2
`),
      ),
    );
    const subset = client(model, `istio:shop/DestinationRule/api->${API}:*#v1`);
    expect(subset).toMatchObject({
      sends: 'PLAINTEXT',
      reason: 'DISABLE in subset v1 (when a route sends to it)',
      resource: { kind: 'DestinationRule', name: 'api', namespace: 'shop' },
      cause: { kind: 'DestinationRule', name: 'api', namespace: 'shop', scope: 'namespace' },
      destination: { hosts: [API], serverIds: ['istio:shop/Deployment/api-v1:8080', 'istio:shop/Deployment/api-v1:9090'] },
    });
    expect(subset.resource.port).toBeUndefined();
    // The top level (auto mTLS) keeps its record; v2 has no policy of its own and adds none.
    expect(clientsOf(model).map((c) => c.id)).toEqual([`istio:shop/DestinationRule/api->${API}:*`, `istio:shop/DestinationRule/api->${API}:*#v1`]);

    const findings = audit(model);
    const notEnforced = byRule(findings, 'mtls-client-not-enforced');
    expect(notEnforced).toHaveLength(1);
    expect(notEnforced[0]!.detail.reason).toBe('DISABLE in subset v1 (when a route sends to it)');
    const conflicts = byRule(findings, 'mtls-conflict');
    expect(conflicts.map(serverOf).sort()).toEqual(['api-v1:8080', 'api-v1:9090']);
    expect(new Set(conflicts.map((f) => f.id)).size).toBe(2);
  });

  it('a subset whose labels select no STRICT workload gives client-not-enforced but no conflict', () => {
    const model = istioModelOf(
      fleet(
        rule(`  - name: v2
    labels:
      version: v2
    trafficPolicy:
      tls:
        mode: DISABLE
`),
      ),
    );
    expect(client(model, `istio:shop/DestinationRule/api->${API}:*#v2`).destination.serverIds).toEqual([
      'istio:shop/Deployment/api-v2:8080',
      'istio:shop/Deployment/api-v2:9090',
    ]);
    const findings = audit(model);
    expect(byRule(findings, 'mtls-client-not-enforced')).toHaveLength(1);
    expect(byRule(findings, 'mtls-conflict')).toEqual([]);
  });

  it("a subset's portLevelSettings entry overrides the subset's tls for its port, and does not inherit it", () => {
    const model = istioModelOf(
      fleet(
        rule(`  - name: v1
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: ISTIO_MUTUAL
      portLevelSettings:
      - port:
          number: 9090
        tls:
          mode: DISABLE
  - name: v1-canary
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: DISABLE
      portLevelSettings:
      - port:
          number: 9090
        loadBalancer:
          simple: LEAST_REQUEST
`),
      ),
    );
    const port = client(model, `istio:shop/DestinationRule/api->${API}:9090#v1`);
    expect(port).toMatchObject({
      sends: 'PLAINTEXT',
      reason: 'DISABLE in subset v1 portLevelSettings for port 9090 (when a route sends to it)',
      resource: { name: 'api', port: 9090 },
      cause: { scope: 'port' },
      destination: { port: 9090, serverIds: ['istio:shop/Deployment/api-v1:9090'] },
    });
    // The subset's other ports send mTLS.
    expect(client(model, `istio:shop/DestinationRule/api->${API}:*#v1`)).toMatchObject({
      sends: 'MTLS',
      destination: { serverIds: ['istio:shop/Deployment/api-v1:8080'] },
    });
    // An entry without tls means no TLS settings (auto mTLS, as the top level), not the subset's DISABLE.
    expect(clientsOf(model).filter((c) => c.id.endsWith('#v1-canary')).map((c) => c.id)).toEqual([`istio:shop/DestinationRule/api->${API}:*#v1-canary`]);
    expect(client(model, `istio:shop/DestinationRule/api->${API}:*#v1-canary`).destination.serverIds).toEqual(['istio:shop/Deployment/api-v1:8080']);

    const conflicts = byRule(audit(model), 'mtls-conflict');
    expect(conflicts.map((f) => `${serverOf(f)} ${f.detail.sends}`).sort()).toEqual(['api-v1:8080 PLAINTEXT', 'api-v1:9090 PLAINTEXT']);
  });

  it("a subset's tls replaces the rule's portLevelSettings entry for the subset's cluster", () => {
    const topLevel = `  trafficPolicy:
    portLevelSettings:
    - port:
        number: 9090
      tls:
        mode: ISTIO_MUTUAL
`;
    const model = istioModelOf(
      fleet(
        rule(
          `  - name: v1
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: SIMPLE
`,
          { topLevel },
        ),
      ),
    );
    expect(client(model, `istio:shop/DestinationRule/api->${API}:9090#v1`)).toMatchObject({
      sends: 'TLS',
      reason: 'SIMPLE in subset v1 (when a route sends to it)',
      resource: { port: 9090 },
      cause: { scope: 'namespace' },
      destination: { serverIds: ['istio:shop/Deployment/api-v1:9090'] },
    });
    expect(client(model, `istio:shop/DestinationRule/api->${API}:*#v1`).destination.serverIds).toEqual(['istio:shop/Deployment/api-v1:8080']);
  });

  it('the top level and each subset that fails get findings of their own, with distinct ids', () => {
    const topLevel = `  trafficPolicy:
    tls:
      mode: DISABLE
`;
    const subsets = `  - name: v1
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: SIMPLE
  - name: canary
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: SIMPLE
`;
    const findings = audit(istioModelOf(fleet(rule(subsets, { topLevel }))));
    const notEnforced = byRule(findings, 'mtls-client-not-enforced');
    expect(notEnforced.map((f) => f.detail.reason).sort()).toEqual(['DISABLE', 'SIMPLE in subset canary (when a route sends to it)', 'SIMPLE in subset v1 (when a route sends to it)']);
    expect(new Set(notEnforced.map((f) => f.id)).size).toBe(3);
    // api-v1 is STRICT on both ports: the top level and both subsets conflict with it.
    expect(byRule(findings, 'mtls-conflict').filter((f) => serverOf(f).startsWith('api-v1')).length).toBe(6);
  });

  it('subsets without their own tls, or with the same tls as the top level, add no record', () => {
    const topLevel = `  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`;
    const model = istioModelOf(
      fleet(
        rule(
          `  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
    trafficPolicy:
      loadBalancer:
        simple: ROUND_ROBIN
  - name: pinned
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: ISTIO_MUTUAL
`,
          { topLevel },
        ),
      ),
    );
    expect(clientsOf(model).map((c) => c.id)).toEqual([`istio:shop/DestinationRule/api->${API}:*`]);
    expect(audit(model).filter((f) => f.resource.kind === 'DestinationRule')).toEqual([]);
  });

  it('subsets of a later rule merged for the same host are read against the first rule’s top level', () => {
    const first = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-mtls
  namespace: shop
  creationTimestamp: "2026-01-05T10:00:00Z"
spec:
  host: api.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`;
    const second = rule(
      `  - name: v1
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: DISABLE
`,
      { name: 'api-versions', created: '2026-02-05T10:00:00Z' },
    );
    const model = istioModelOf(fleet(first, second));
    expect(clientsOf(model).map((c) => c.id)).toEqual([
      `istio:shop/DestinationRule/api-mtls->${API}:*`,
      `istio:shop/DestinationRule/api-versions->${API}:*#v1`,
    ]);
    expect(client(model, `istio:shop/DestinationRule/api-versions->${API}:*#v1`).fix!.change).toMatchObject({
      target: { name: 'api-versions' },
      patch: { spec: { subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }] } },
    });
  });
});

describe('subset fixes', () => {
  const subsets = `  - name: v1
    labels:
      version: v1
    trafficPolicy:
      connectionPool:
        tcp:
          maxConnections: 100
      tls:
        mode: SIMPLE
        sni: api.shop.example.com
  - name: v2
    labels:
      version: v2
    trafficPolicy:
      portLevelSettings:
      - port:
          number: 8080
        loadBalancer:
          simple: LEAST_REQUEST
      - port:
          number: 9090
        tls:
          mode: DISABLE
`;

  it("sets every failing subset's tls, or its portLevelSettings entry, in one patch that sends the whole subsets list", () => {
    // One patch per subset would each carry the whole list, and the second would put back what the first set.
    const model = istioModelOf(fleet(rule(subsets, { resourceVersion: '771203' })));
    const target = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace: 'shop', name: 'api', resourceVersion: '771203' };
    const v1 = client(model, `istio:shop/DestinationRule/api->${API}:*#v1`);
    const v2 = client(model, `istio:shop/DestinationRule/api->${API}:9090#v2`);
    expect(v1.fix).toEqual({
      action: 'istio.destinationrule.set-istio-mutual',
      change: {
        operation: 'merge-patch',
        target,
        patch: {
          spec: {
            subsets: [
              { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } }, tls: { mode: 'ISTIO_MUTUAL' } } },
              {
                name: 'v2',
                labels: { version: 'v2' },
                trafficPolicy: {
                  portLevelSettings: [
                    { port: { number: 8080 }, loadBalancer: { simple: 'LEAST_REQUEST' } },
                    { port: { number: 9090 }, tls: { mode: 'ISTIO_MUTUAL' } },
                  ],
                },
              },
            ],
          },
        },
      },
      affectsServers: [],
      affectsClients: [v1.id, v2.id],
      blockers: [],
    });
    expect(v2.fix).toBe(v1.fix);
    // The top level (auto mTLS) is not touched.
    expect(client(model, `istio:shop/DestinationRule/api->${API}:*`).fix).toBeUndefined();
  });

  it('a selected workload without a sidecar blocks the fix', () => {
    const legacy = deployment('shop', 'api-legacy', {
      labels: { app: 'api', version: 'legacy' },
      ports: [8080, 9090],
      annotations: { 'sidecar.istio.io/inject': 'false' },
    });
    const model = istioModelOf(
      fleet(
        legacy,
        rule(`  - name: legacy
    labels:
      version: legacy
    trafficPolicy:
      tls:
        mode: DISABLE
`),
      ),
    );
    expect(client(model, `istio:shop/DestinationRule/api->${API}:*#legacy`).fix!.blockers).toEqual(['Deployment shop/api-legacy port 8080 has no sidecar to accept mTLS', 'Deployment shop/api-legacy port 9090 has no sidecar to accept mTLS']);
  });
});

describe('reading subsets', () => {
  const problemsOf = (model: FleetModel) => model.problems.map((p) => `${p.field}: ${p.message}`);

  it.each([
    ['labels that are not a map', `  - name: v1\n    labels: [version, v1]\n`, 'spec.subsets[0].labels'],
    ['a label value that is not a string', `  - name: v1\n    labels:\n      version: 1\n`, 'spec.subsets[0].labels'],
    ['a subset without a name', `  - labels:\n      version: v1\n`, 'spec.subsets[0].name'],
    ['a subset that is not a mapping', `  - v1\n`, 'spec.subsets[0]'],
    ['an unknown tls mode', `  - name: v1\n  - name: v2\n    trafficPolicy:\n      tls:\n        mode: STRICT\n`, 'spec.subsets[1].trafficPolicy.tls.mode'],
    [
      'a port-level entry without a port number',
      `  - name: v1\n    trafficPolicy:\n      portLevelSettings:\n      - tls:\n          mode: DISABLE\n`,
      'spec.subsets[0].trafficPolicy.portLevelSettings[0].port.number',
    ],
  ])('%s is a problem with its field, and the rule is dropped', (_what, subsets, field) => {
    const model = istioModelOf(fleet(rule(subsets)));
    expect(model.problems.map((p) => p.field)).toEqual([field]);
    expect(model.problems[0]).toMatchObject({ kind: 'DestinationRule', name: 'api' });
    expect(clientsOf(model)).toEqual([]);
  });

  it('subsets that are not a list are a problem on spec.subsets', () => {
    const model = istioModelOf(fleet(rule('    name: v1\n')));
    expect(problemsOf(model)).toEqual(['spec.subsets: subsets must be a list']);
  });

  it('a label named "error" is a label, not a reading error', () => {
    const model = istioModelOf(
      fleet(
        deployment('shop', 'api-budget', { labels: { app: 'api', error: 'budget' } }),
        rule(`  - name: v1
    labels:
      error: budget
    trafficPolicy:
      tls:
        mode: DISABLE
`),
      ),
    );
    expect(model.problems).toEqual([]);
    expect(client(model, `istio:shop/DestinationRule/api->${API}:*#v1`).sends).toBe('PLAINTEXT');
  });
});
