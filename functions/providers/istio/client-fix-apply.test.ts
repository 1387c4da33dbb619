import { dump, loadAll } from 'js-yaml';
import { evaluateModel } from '../../core/rules/engine';
import type { Finding } from '../../core/findings';
import type { FleetModel, ProviderFix } from '../../core/model/types';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, meshConfigYaml, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml } from './testInventory';

/** DestinationRule shop/api for the api Service, with the rest of its spec as given. */
const apiRule = (rest: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api
  namespace: shop
spec:
  host: api.shop.svc.cluster.local
${rest}`;

/*
 * DestinationRule fixes judged by what they leave behind: apply each planned create or JSON
 * merge patch to the input objects, audit again, and expect no caller of the host to send
 * plaintext any more, and no conflict or client-not-enforced finding about it.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const API = 'api.shop.svc.cluster.local';
const PLAINTEXT_RULES = ['mtls-conflict', 'mtls-client-not-enforced'];

const audit = (model: FleetModel): Finding[] => evaluateModel(model, shippedPolicy(), NOW);
const plaintextFindings = (model: FleetModel) => audit(model).filter((f) => PLAINTEXT_RULES.includes(f.rule));
const clientsOf = (model: FleetModel) => model.clients.filter((c) => c.destination.hosts.includes(API));

/** The distinct DestinationRule fixes the model plans, in record order. */
function ruleFixes(model: FleetModel): ProviderFix[] {
  const out: ProviderFix[] = [];
  for (const c of model.clients) if (c.fix?.action.startsWith('istio.destinationrule.') && !out.includes(c.fix)) out.push(c.fix);
  return out;
}

/** RFC 7386: objects merge key by key, null deletes, anything else (lists too) replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The input with every fix applied, as the API server would store it. */
function applied(yaml: string, fixes: readonly ProviderFix[]): string {
  const objects = loadAll(yaml).filter(isObject);
  for (const { change } of fixes) {
    if (change['operation'] === 'create') {
      objects.push(change['object'] as Record<string, unknown>);
      continue;
    }
    const target = change['target'] as { kind: string; namespace: string; name: string };
    const i = objects.findIndex((o) => {
      const meta = o['metadata'] as { name?: string; namespace?: string };
      return o['kind'] === target.kind && meta.name === target.name && meta.namespace === target.namespace;
    });
    if (i < 0) throw new Error(`no ${target.kind} ${target.namespace}/${target.name} to patch`);
    objects[i] = mergePatch(objects[i], change['patch']) as Record<string, unknown>;
  }
  return docs(...objects.map((o) => dump(o)));
}

/** Plans, applies, audits again: the model after the fixes. */
function afterFixes(yaml: string): FleetModel {
  const fixes = ruleFixes(istioModelOf(yaml));
  expect(fixes.length).toBeGreaterThan(0);
  return istioModelOf(applied(yaml, fixes));
}

const meshStrict = peerAuthentication('istio-system', 'default', 'STRICT');

/** api-v1 and api-v2 behind Service api (80 → http, 9000 → grpc), under a STRICT mesh. */
const versionedApi = (rule: string) =>
  docs(
    namespace('istio-system', {}),
    namespace('shop'),
    namespace('web'),
    meshStrict,
    deployment('shop', 'api-v1', { labels: { app: 'api', version: 'v1' }, ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090, name: 'grpc' }] }),
    deployment('shop', 'api-v2', { labels: { app: 'api', version: 'v2' }, ports: [{ containerPort: 8081, name: 'http' }, { containerPort: 9091, name: 'grpc' }] }),
    serviceYaml('shop', 'api', [
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'grpc', port: 9000, targetPort: 'grpc' },
    ]),
    deployment('web', 'frontend'),
    rule,
  );

describe('set-istio-mutual rewrites the subsets that repeat the mode it replaces', () => {
  // Istio MergeTrafficPolicy: a subset's own tls replaces the rule's for its cluster, so a
  // subset that says DISABLE like the top level keeps sending plaintext after the top changes.
  const topLevelRule = apiRule(`  trafficPolicy:
    tls:
      mode: DISABLE
  subsets:
  - name: v1
    labels:
      version: v1
    trafficPolicy:
      connectionPool:
        tcp:
          maxConnections: 50
      tls:
        mode: DISABLE
  - name: v2
    labels:
      version: v2
`);

  it('top level: one patch sets the top-level tls and carries every subset, v1 set to ISTIO_MUTUAL', () => {
    const model = istioModelOf(versionedApi(topLevelRule));
    const fixes = ruleFixes(model);
    expect(fixes).toHaveLength(1);
    expect(fixes[0]!.change['patch']).toEqual({
      spec: {
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
        subsets: [
          { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { connectionPool: { tcp: { maxConnections: 50 } }, tls: { mode: 'ISTIO_MUTUAL' } } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    });
  });

  it('top level: after the patch no caller of the host sends plaintext', () => {
    const after = afterFixes(versionedApi(topLevelRule));
    expect(plaintextFindings(after)).toEqual([]);
    expect(clientsOf(after).map((c) => c.sends)).toEqual(['MTLS']);
  });

  const portLevelRule = apiRule(`  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
    portLevelSettings:
    - port:
        number: 80
      loadBalancer:
        simple: LEAST_REQUEST
      tls:
        mode: DISABLE
    - port:
        number: 9000
      tls:
        mode: DISABLE
  subsets:
  - name: v1
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: DISABLE
  - name: v2
    labels:
      version: v2
    trafficPolicy:
      loadBalancer:
        simple: ROUND_ROBIN
      portLevelSettings:
      - port:
          number: 9000
        tls:
          mode: DISABLE
`);

  it("port level: one patch sets the rule's entries, the subset's tls that replaces them, and the subset's own entry for the port", () => {
    const fixes = ruleFixes(istioModelOf(versionedApi(portLevelRule)));
    expect(fixes).toHaveLength(1);
    expect(fixes[0]!.change['patch']).toEqual({
      spec: {
        trafficPolicy: {
          portLevelSettings: [
            { port: { number: 80 }, loadBalancer: { simple: 'LEAST_REQUEST' }, tls: { mode: 'ISTIO_MUTUAL' } },
            { port: { number: 9000 }, tls: { mode: 'ISTIO_MUTUAL' } },
          ],
        },
        subsets: [
          { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
          {
            name: 'v2',
            labels: { version: 'v2' },
            trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 9000 }, tls: { mode: 'ISTIO_MUTUAL' } }] },
          },
        ],
      },
    });
  });

  it('port level: after the patch no caller of the host sends plaintext', () => {
    const after = afterFixes(versionedApi(portLevelRule));
    expect(plaintextFindings(after)).toEqual([]);
    expect(new Set(clientsOf(after).map((c) => c.sends))).toEqual(new Set(['MTLS']));
  });

  it('joins the fix of a subset that fails on its own: two patches of the subsets list would each put back what the other set', () => {
    // v1 repeats the top level (DISABLE); v2 has a record of its own (SIMPLE).
    const rule = apiRule(`  trafficPolicy:
    tls:
      mode: DISABLE
  subsets:
  - name: v1
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: DISABLE
  - name: v2
    labels:
      version: v2
    trafficPolicy:
      tls:
        mode: SIMPLE
        sni: api.shop.example.com
`);
    const model = istioModelOf(versionedApi(rule));
    const fixes = ruleFixes(model);
    expect(fixes).toHaveLength(1);
    expect(fixes[0]!.affectsClients).toEqual([`istio:shop/DestinationRule/api->${API}:*`, `istio:shop/DestinationRule/api->${API}:*#v2`]);
    expect((fixes[0]!.change['patch'] as { spec: { subsets: unknown } }).spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
      { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    ]);
    const after = afterFixes(versionedApi(rule));
    expect(plaintextFindings(after)).toEqual([]);
  });

  it('leaves a subset alone that sends mTLS already, and one whose mode differs and needs nothing', () => {
    const rule = apiRule(`  trafficPolicy:
    tls:
      mode: DISABLE
  subsets:
  - name: v1
    labels:
      version: v1
    trafficPolicy:
      tls:
        mode: ISTIO_MUTUAL
`);
    const fixes = ruleFixes(istioModelOf(versionedApi(rule)));
    expect(fixes.map((f) => f.change['patch'])).toEqual([{ spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } }]);
  });
});

/** api is STRICT while its namespace DISABLEs mTLS, so auto mTLS sends it plaintext (Istio infers from the namespace). */
const strictApiInDisabledNamespace = (...extra: string[]) =>
  docs(
    namespace('istio-system', {}),
    namespace('shop'),
    namespace('web'),
    peerAuthentication('shop', 'default', 'DISABLE'),
    peerAuthentication('shop', 'api-strict', 'STRICT', { app: 'api' }),
    deployment('shop', 'api', { ports: [{ containerPort: 8080, name: 'http' }] }),
    serviceYaml('shop', 'api', [{ name: 'http', port: 80, targetPort: 'http' }]),
    deployment('web', 'frontend'),
    ...extra,
  );

const createdRule = (model: FleetModel) => {
  const fix = ruleFixes(model).find((f) => f.action === 'istio.destinationrule.create-istio-mutual');
  if (!fix) throw new Error('no create-istio-mutual fix');
  return fix.change['object'] as { metadata: { name: string; namespace: string }; spec: Record<string, unknown> };
};

describe('create-istio-mutual', () => {
  it('exports the rule to every namespace: under defaultDestinationRuleExportTo ["."] callers elsewhere would not see it', () => {
    const yaml = strictApiInDisabledNamespace(meshConfigYaml('rootNamespace: istio-system\ndefaultDestinationRuleExportTo:\n- "."'));
    expect(createdRule(istioModelOf(yaml))).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'api-istio-mutual', namespace: 'shop' },
      spec: { host: API, exportTo: ['*'], trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    });
    const after = afterFixes(yaml);
    expect(plaintextFindings(after)).toEqual([]);
    // web's callers use the new rule too.
    expect(clientsOf(after)).toEqual([expect.objectContaining({ sends: 'MTLS', clientNamespaces: expect.arrayContaining(['shop', 'web']) })]);
  });

  it('takes a free name when a rule of the namespace has the usual one (the create would fail 409)', () => {
    const legacy = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-istio-mutual
  namespace: shop
spec:
  host: api-legacy.shop.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 10
`;
    const yaml = strictApiInDisabledNamespace(legacy);
    expect(createdRule(istioModelOf(yaml)).metadata).toEqual({ name: 'api-istio-mutual-2', namespace: 'shop' });
    expect(plaintextFindings(afterFixes(yaml))).toEqual([]);
  });

  it('sees names that no client record shows: a selector rule that picks no workload', () => {
    const selectorRule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-istio-mutual
  namespace: shop
spec:
  host: reports.shop.svc.cluster.local
  workloadSelector:
    matchLabels:
      app: reports-batch
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`;
    const taken2 = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-istio-mutual-2
  namespace: shop
spec:
  host: ledger.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`;
    const model = istioModelOf(strictApiInDisabledNamespace(selectorRule, taken2));
    expect(model.clients.some((c) => c.resource.kind === 'DestinationRule' && c.resource.name === 'api-istio-mutual')).toBe(false);
    expect(createdRule(model).metadata.name).toBe('api-istio-mutual-3');
  });
});
