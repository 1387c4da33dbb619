/**
 * Fixes for one App Mesh object carry one change. A CRD fix is a JSON merge patch, which replaces
 * `listeners` and `backends` whole (RFC 7386); an API fix is UpdateVirtualNode /
 * UpdateVirtualGateway, which replaces the whole spec. A change per finding, each built from the
 * spec as audited, would put back what the others set; so every fix of the object carries every
 * edit meshgov proposes for it, with the most cautious verdict among them.
 */
import type { AppMeshApiObject, KubeObject, Located } from '../../core/model/inventory';
import { auditModel } from '../../core/audit';
import type { Finding } from '../../core/findings';
import { loadPolicy } from '../../core/policy/load';
import { auditInventory } from '../audit-inventory';
import { buildAppMeshModel } from './index';
import { ACM_CERT_ARN, apiGateway, apiGatewayRoute, apiMesh, apiNode, apiServiceByNode, crd, crdMesh, dns, inventoryOf, listener, namespace, NOW } from './testdata/fixtures';

const TRUST_DOMAIN = 'spiffe://prod-mesh.example.org';
const svid = (workload: string) => `${TRUST_DOMAIN}/ns/store/sa/${workload}`;
const fileCert = (workload: string) => ({ file: { certificateChain: `/certs/${workload}/cert_chain.pem`, privateKey: `/certs/${workload}/key.pem` } });
const fileTrust = { trust: { file: { certificateChain: '/certs/ca/ca_chain.pem' } } };
const sdsTrust = { trust: { sds: { secretName: TRUST_DOMAIN } } };

interface Fleet {
  api: Located<AppMeshApiObject>[];
  kube: Located<KubeObject>[];
}

function audit(fleet: Fleet): Finding[] {
  const model = buildAppMeshModel(inventoryOf({ api: fleet.api, kube: fleet.kube }), { now: NOW });
  return auditModel(model, loadPolicy(), NOW).findings;
}

/** RFC 7386, as the API server applies a merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The fleet after `change`: a merge patch of a CRD, or UpdateVirtualNode / UpdateVirtualGateway (the whole spec; the version goes up by one). */
function applied(fleet: Fleet, change: Record<string, any>): Fleet {
  const copy: Fleet = JSON.parse(JSON.stringify(fleet));
  if (change.operation === 'merge-patch') {
    const t = change.target;
    const i = copy.kube.findIndex((k) => k.doc.kind === t.kind && k.doc.metadata?.name === t.name && k.doc.metadata?.namespace === t.namespace);
    expect(i).toBeGreaterThanOrEqual(0);
    copy.kube[i].doc = mergePatch(copy.kube[i].doc, change.patch) as KubeObject;
    return copy;
  }
  const type = change.operation === 'update-virtual-node' ? 'virtualNode' : 'virtualGateway';
  const nameKey = `${type}Name`;
  const o = copy.api.find((a) => a.doc.type === type && a.doc.data.meshName === change.meshName && a.doc.data[nameKey] === change[nameKey]);
  expect(o).toBeDefined();
  expect(o!.doc.data.metadata.version).toBe(change.expectedVersion);
  o!.doc.data.spec = JSON.parse(JSON.stringify(change.spec));
  o!.doc.data.metadata.version++;
  return copy;
}

/** Every plan of `findings` that `pick` selects, applied in the order given (an identical change once, as the hub does). */
function applyAll(fleet: Fleet, findings: Finding[], pick: (f: Finding) => boolean = () => true): Fleet {
  const seen = new Set<string>();
  for (const f of findings) {
    if (!f.remediation || !pick(f)) continue;
    const key = JSON.stringify(f.remediation.change);
    if (seen.has(key)) continue;
    seen.add(key);
    fleet = applied(fleet, f.remediation.change as Record<string, any>);
  }
  return fleet;
}

const ruleOn = (findings: Finding[], rule: string, name: string) => findings.filter((f) => f.rule === rule && f.resource.name === name);
const keyOf = (f: Finding) => `${f.rule} ${f.resource.kind} ${f.resource.name}${f.resource.port ? `:${f.resource.port}` : ''}`;

describe('CRD VirtualNode: one merge patch for every listener and backend meshgov changes', () => {
  /** store/web calls orders and stock with enforce: false; orders has PERMISSIVE listeners on 8080 and 9090, stock one on 8080. */
  const server = (name: string, ports: Array<[number, string]>) =>
    crd('VirtualNode', 'store', name, {
      podSelector: { matchLabels: { app: name } },
      listeners: ports.map(([port, protocol]) => ({ portMapping: { port, protocol }, tls: { mode: 'PERMISSIVE', certificate: fileCert(name), validation: fileTrust } })),
      serviceDiscovery: { dns: { hostname: `${name}.store.svc.cluster.local` } },
      meshRef: { name: 'shop-mesh' },
    });
  const backend = (name: string) => ({
    virtualService: { virtualServiceRef: { name }, clientPolicy: { tls: { enforce: false, certificate: fileCert('web'), validation: fileTrust } } },
  });
  const service = (name: string) =>
    crd('VirtualService', 'store', name, { awsName: `${name}.store.svc.cluster.local`, provider: { virtualNode: { virtualNodeRef: { name } } }, meshRef: { name: 'shop-mesh' } });
  const fleet = (): Fleet => ({
    api: [],
    kube: [
      crdMesh('shop-mesh', { namespaceSelector: { matchLabels: { mesh: 'shop-mesh' } } }),
      namespace('store', { mesh: 'shop-mesh', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' }),
      server('orders', [
        [8080, 'http'],
        [9090, 'grpc'],
      ]),
      server('stock', [[8080, 'http']]),
      crd('VirtualNode', 'store', 'web', {
        podSelector: { matchLabels: { app: 'web' } },
        listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT', certificate: fileCert('web'), validation: fileTrust } }],
        backends: [backend('orders'), backend('stock')],
        serviceDiscovery: { dns: { hostname: 'web.store.svc.cluster.local' } },
        meshRef: { name: 'shop-mesh' },
      }),
      service('orders'),
      service('stock'),
    ],
  });

  it('two unenforced backends of web: both plans carry both backends enforced, and stay auto', () => {
    const findings = audit(fleet());
    const web = ruleOn(findings, 'mtls-client-not-enforced', 'web');
    expect(web).toHaveLength(2);
    expect(new Set(web.map((f) => f.id)).size).toBe(2);
    expect(web.map((f) => f.remediation!.mode)).toEqual(['auto', 'auto']);
    expect(web[1].remediation!.change).toEqual(web[0].remediation!.change);
    const backends = (web[0].remediation!.change as any).patch.spec.backends;
    expect(backends.map((b: any) => [b.virtualService.virtualServiceRef.name, b.virtualService.clientPolicy.tls.enforce])).toEqual([
      ['orders', true],
      ['stock', true],
    ]);
  });

  it('applying either plan alone, or both in either order, leaves no backend of web unenforced', () => {
    const start = fleet();
    const web = ruleOn(audit(start), 'mtls-client-not-enforced', 'web');
    const [a, b] = web.map((f) => f.remediation!.change as Record<string, any>);
    for (const after of [applied(start, a), applied(start, b), applied(applied(start, a), b), applied(applied(start, b), a)]) {
      expect(ruleOn(audit(after), 'mtls-client-not-enforced', 'web')).toEqual([]);
    }
  });

  it('two PERMISSIVE listeners of orders: one merge patch sets both STRICT, and each plan is that patch', () => {
    const orders = ruleOn(audit(fleet()), 'mtls-not-strict', 'orders');
    expect(orders.map((f) => f.resource.port)).toEqual([8080, 9090]);
    expect(orders[1].remediation!.change).toEqual(orders[0].remediation!.change);
    // web still sends plaintext to both: a person approves, for both findings alike.
    expect(orders.map((f) => f.remediation!.mode)).toEqual(['approval', 'approval']);
    const listeners = (orders[0].remediation!.change as any).patch.spec.listeners;
    expect(listeners.map((l: any) => [l.portMapping.port, l.tls.mode])).toEqual([
      [8080, 'STRICT'],
      [9090, 'STRICT'],
    ]);
  });

  it('converges: the auto plans, then every plan, fix everything without a new finding', () => {
    let current = fleet();
    const first = audit(current);
    current = applyAll(current, first, (f) => f.remediation!.mode === 'auto');
    const second = audit(current);
    expect(ruleOn(second, 'mtls-client-not-enforced', 'web')).toEqual([]);
    // web now sends mTLS: the listener plans no longer wait for a person.
    expect(ruleOn(second, 'mtls-not-strict', 'orders').map((f) => f.remediation!.mode)).toEqual(['auto', 'auto']);
    current = applyAll(current, second, (f) => f.remediation!.mode === 'auto');
    const third = audit(current);
    const before = new Set(first.map(keyOf));
    expect(third.filter((f) => !before.has(keyOf(f)))).toEqual([]);
    expect(third.filter((f) => f.rule === 'mtls-not-strict' || f.rule === 'mtls-client-not-enforced')).toEqual([]);
  });
});

describe('API VirtualNode: one UpdateVirtualNode spec for every listener meshgov changes', () => {
  const node = () =>
    apiNode('orders', {
      listeners: [
        listener(8080, { mode: 'PERMISSIVE', certificate: fileCert('orders'), validation: fileTrust }),
        listener(9090, { mode: 'PERMISSIVE', certificate: fileCert('orders'), validation: fileTrust }, 'grpc'),
      ],
      serviceDiscovery: dns('orders.store.svc.cluster.local'),
      backends: [],
    }, { version: 3 });

  it('both listener plans carry the whole spec with both listeners STRICT, at the audited version', () => {
    const fleet: Fleet = { api: [apiMesh(), node()], kube: [] };
    const orders = ruleOn(audit(fleet), 'mtls-not-strict', 'orders');
    expect(orders).toHaveLength(2);
    expect(orders[1].remediation!.change).toEqual(orders[0].remediation!.change);
    const change = orders[0].remediation!.change as any;
    expect(change).toMatchObject({ operation: 'update-virtual-node', virtualNodeName: 'orders', expectedVersion: 3 });
    expect(change.spec.listeners.map((l: any) => l.tls.mode)).toEqual(['STRICT', 'STRICT']);
    // Everything else of the spec as read.
    expect(change.spec.listeners[1].healthCheck).toEqual(fleet.api[1].doc.data.spec.listeners[1].healthCheck);
    expect(change.spec.serviceDiscovery).toEqual(dns('orders.store.svc.cluster.local'));
    // One write fixes both ports.
    expect(ruleOn(audit(applied(fleet, change)), 'mtls-not-strict', 'orders')).toEqual([]);
  });
});

describe('API VirtualGateway: the listener and the backendDefaults client policy in one UpdateVirtualGateway', () => {
  const catalogSvid = `spiffe://edge.example.org/catalog`;
  /** The reviewer's fleet AM4: gateway PERMISSIVE on 443 (ACM), backendDefaults enforce: false toward catalog (PERMISSIVE, SDS). */
  const fleet = (): Fleet => ({
    api: [
      apiMesh(),
      apiNode('catalog', {
        listeners: [
          listener(8443, {
            mode: 'PERMISSIVE',
            certificate: { sds: { secretName: catalogSvid } },
            validation: { trust: { sds: { secretName: 'spiffe://edge.example.org' } }, subjectAlternativeNames: { match: { exact: ['spiffe://edge.example.org/gateway'] } } },
          }, 'http2'),
        ],
        serviceDiscovery: dns('catalog.edge.local'),
        backends: [],
      }),
      apiServiceByNode('catalog.edge.local', 'catalog'),
      apiGateway('gateway', {
        listeners: [listener(443, { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: 'arn:aws:acm:us-west-2:111122223333:certificate/11111111-2222-3333-4444-555555555555' } } })],
        backendDefaults: {
          clientPolicy: {
            tls: {
              enforce: false,
              certificate: { sds: { secretName: 'spiffe://edge.example.org/gateway' } },
              validation: { trust: { sds: { secretName: 'spiffe://edge.example.org' } }, subjectAlternativeNames: { match: { exact: [catalogSvid] } } },
            },
          },
        },
      }, { version: 4 }),
      apiGatewayRoute('to-catalog', 'gateway', 'catalog.edge.local'),
    ],
    kube: [],
  });

  it('both plans are the same change, held for approval (the listener fix needs a person), with the client policy enforced', () => {
    const findings = audit(fleet());
    const gateway = findings.filter((f) => f.resource.kind === 'VirtualGateway' && (f.rule === 'mtls-not-strict' || f.rule === 'mtls-client-not-enforced'));
    expect(gateway.map((f) => f.rule).sort()).toEqual(['mtls-client-not-enforced', 'mtls-not-strict']);
    expect(gateway[1].remediation!.change).toEqual(gateway[0].remediation!.change);
    // Auto alone would have let the client half run ahead of a change a person has not approved.
    expect(gateway.map((f) => f.remediation!.mode)).toEqual(['approval', 'approval']);
    const client = gateway.find((f) => f.rule === 'mtls-client-not-enforced')!;
    expect(client.remediation!.reason).toMatch(/^preconditions do not hold: .*virtual gateway, the entry to the mesh: its clients are outside it/);
    const spec = (gateway[0].remediation!.change as any).spec;
    expect(spec.listeners[0].tls.mode).toBe('STRICT');
    expect(spec.backendDefaults.clientPolicy.tls.enforce).toBe(true);
  });

  it('applying every plan, in either order, leaves no conflict and nothing unenforced', () => {
    const start = fleet();
    const findings = audit(start);
    for (const order of [findings, [...findings].reverse()]) {
      // Each plan on its own (no de-duplication): a plan applied after another must not undo it.
      let after = start;
      for (const f of order) {
        if (!f.remediation) continue;
        const change = f.remediation.change as Record<string, any>;
        after = applied(after, { ...change, expectedVersion: after.api.find((a) => a.doc.data[`${change.operation === 'update-virtual-node' ? 'virtualNode' : 'virtualGateway'}Name`] === (change.virtualNodeName ?? change.virtualGatewayName))!.doc.data.metadata.version });
      }
      const again = audit(after);
      expect(again.filter((f) => f.rule === 'mtls-conflict')).toEqual([]);
      expect(again.filter((f) => f.rule === 'mtls-client-not-enforced' || f.rule === 'mtls-not-strict')).toEqual([]);
    }
  });
});

describe('the verdict of a joined change is the most cautious of the fixes it joins', () => {
  it("a listener that needs a certificate first does not hold the backend plan back; the person's change carries the backend edit too", () => {
    const fleet: Fleet = {
      api: [
        apiMesh(),
        apiNode('ledger', {
          listeners: [listener(8080, { mode: 'STRICT', certificate: { sds: { secretName: svid('ledger') } }, validation: sdsTrust })],
          serviceDiscovery: dns('ledger.store.svc.cluster.local'),
        }),
        apiServiceByNode('ledger.store.svc.cluster.local', 'ledger'),
        apiNode('web', {
          // 9090 serves plaintext without a certificate: its fix is for a person.
          listeners: [listener(8080, { mode: 'STRICT', certificate: { sds: { secretName: svid('web') } }, validation: sdsTrust }), listener(9090)],
          backends: [
            {
              virtualService: {
                virtualServiceName: 'ledger.store.svc.cluster.local',
                clientPolicy: { tls: { enforce: false, certificate: { sds: { secretName: svid('web') } }, validation: { ...sdsTrust, subjectAlternativeNames: { match: { exact: [svid('ledger')] } } } } },
              },
            },
          ],
          serviceDiscovery: dns('web.store.svc.cluster.local'),
        }),
      ],
      kube: [],
    };
    const findings = audit(fleet);
    const listenerFinding = ruleOn(findings, 'mtls-not-strict', 'web')[0];
    const clientFinding = ruleOn(findings, 'mtls-client-not-enforced', 'web')[0];
    expect(listenerFinding.remediation!.mode).toBe('manual');
    // meshgov may write the backend edit; it leaves 9090 as read, for the person.
    expect(clientFinding.remediation!.mode).not.toBe('manual');
    const written = (clientFinding.remediation!.change as any).spec;
    expect(written.backends[0].virtualService.clientPolicy.tls.enforce).toBe(true);
    expect(written.listeners[1].tls).toBeUndefined();
    // The person's change makes both edits, so applying it after the written one puts nothing back.
    const byHand = (listenerFinding.remediation!.change as any).spec;
    expect(byHand.backends[0].virtualService.clientPolicy.tls.enforce).toBe(true);
    expect(byHand.listeners[1].tls.mode).toBe('STRICT');
  });

  it('two destinations of a gateway that need different backendDefaults: one change, and a person confirms it', () => {
    const destination = (name: string) =>
      apiNode(name, {
        listeners: [listener(8443, { mode: 'STRICT', certificate: { sds: { secretName: svid(name) } }, validation: sdsTrust })],
        serviceDiscovery: dns(`${name}.store.svc.cluster.local`),
      });
    const fleet: Fleet = {
      api: [
        apiMesh(),
        destination('orders'),
        destination('stock'),
        apiServiceByNode('orders.store.svc.cluster.local', 'orders'),
        apiServiceByNode('stock.store.svc.cluster.local', 'stock'),
        // No client policy: each destination's fix would pin its own SVID in backendDefaults, the one policy for both.
        apiGateway('ingress', { listeners: [listener(8443, { mode: 'STRICT', certificate: { sds: { secretName: svid('ingress') } }, validation: sdsTrust })] }),
        apiGatewayRoute('to-orders', 'ingress', 'orders.store.svc.cluster.local'),
        apiGatewayRoute('to-stock', 'ingress', 'stock.store.svc.cluster.local'),
      ],
      kube: [],
    };
    const ingress = ruleOn(audit(fleet), 'mtls-client-not-enforced', 'ingress');
    expect(ingress).toHaveLength(2);
    expect(ingress[1].remediation!.change).toEqual(ingress[0].remediation!.change);
    expect(ingress.map((f) => f.remediation!.mode)).toEqual(['approval', 'approval']);
    expect(ingress[0].remediation!.reason).toMatch(/need different values of backendDefaults\.clientPolicy/);
  });
});

describe('only the edits of findings that are reported join a change', () => {
  /** store/web: a PERMISSIVE listener, and a backend to orders (PERMISSIVE, so no conflict) with enforce: false. */
  const fleet = (annotations: Record<string, string> = {}): Fleet => ({
    api: [],
    kube: [
      crdMesh('shop-mesh', { namespaceSelector: { matchLabels: { mesh: 'shop-mesh' } } }),
      namespace('store', { mesh: 'shop-mesh', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' }),
      crd('VirtualNode', 'store', 'orders', {
        podSelector: { matchLabels: { app: 'orders' } },
        listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: fileCert('orders'), validation: fileTrust } }],
        serviceDiscovery: { dns: { hostname: 'orders.store.svc.cluster.local' } },
        meshRef: { name: 'shop-mesh' },
      }),
      crd('VirtualService', 'store', 'orders', { awsName: 'orders.store.svc.cluster.local', provider: { virtualNode: { virtualNodeRef: { name: 'orders' } } }, meshRef: { name: 'shop-mesh' } }),
      (() => {
        const web = crd('VirtualNode', 'store', 'web', {
          podSelector: { matchLabels: { app: 'web' } },
          listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: fileCert('web'), validation: fileTrust } }],
          backends: [{ virtualService: { virtualServiceRef: { name: 'orders' }, clientPolicy: { tls: { enforce: false, certificate: fileCert('web'), validation: fileTrust } } } }],
          serviceDiscovery: { dns: { hostname: 'web.store.svc.cluster.local' } },
          meshRef: { name: 'shop-mesh' },
        });
        (web.doc.metadata as Record<string, unknown>).annotations = annotations;
        return web;
      })(),
    ],
  });
  const clientPatch = (findings: Finding[]) => {
    const [client] = ruleOn(findings, 'mtls-client-not-enforced', 'web');
    expect(client?.remediation?.mode).toBe('auto');
    return (client!.remediation!.change as any).patch.spec;
  };
  const withPolicy = (edit: (p: ReturnType<typeof loadPolicy>) => void): Finding[] => {
    const policy = loadPolicy();
    edit(policy);
    return auditInventory(inventoryOf({ kube: fleet().kube }), { policy, now: NOW }).findings;
  };

  it("reported, web's listener edit rides on its client plan", () => {
    expect(clientPatch(withPolicy(() => {})).listeners?.[0]?.tls?.mode).toBe('STRICT');
  });

  it.each([
    ['suppressed by its annotation', () => auditInventory(inventoryOf({ kube: fleet({ 'suppress.meshgov.io/mtls-not-strict': 'the ALB health check is plaintext' }).kube }), { policy: loadPolicy(), now: NOW }).findings],
    ['excluded by the policy', () => withPolicy((p) => (p.rules['mtls-not-strict'].exclude = [{ name: 'web', reason: 'ALB health checks' }]))],
    ['its rule switched off', () => withPolicy((p) => (p.rules['mtls-not-strict'].enabled = false))],
  ])("with web's mtls-not-strict %s, the client plan leaves the listener as it is", (_how, findings) => {
    const spec = clientPatch(findings());
    expect(spec.listeners).toBeUndefined();
    expect(spec.backends[0].virtualService.clientPolicy.tls.enforce).toBe(true);
  });
});

describe('a virtual gateway whose destinations need different backendDefaults, one of them by hand', () => {
  it('the writable plan waits for approval too, naming the disagreement', () => {
    const api = [
      apiMesh(),
      apiNode('orders', { listeners: [listener(8443, { mode: 'PERMISSIVE', certificate: { sds: { secretName: svid('orders') } }, validation: sdsTrust })], serviceDiscovery: dns('orders.store.svc.cluster.local') }),
      // stock's ACM certificate: no trust for it is known, so its fix is for a person.
      apiNode('stock', { listeners: [listener(8443, { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })], serviceDiscovery: dns('stock.store.svc.cluster.local') }),
      apiServiceByNode('orders.store.svc.cluster.local', 'orders'),
      apiServiceByNode('stock.store.svc.cluster.local', 'stock'),
      apiGateway('ingress', { listeners: [listener(8443)], backendDefaults: { clientPolicy: { tls: { enforce: false, certificate: { sds: { secretName: svid('ingress') } } } } } }),
      apiGatewayRoute('to-orders', 'ingress', 'orders.store.svc.cluster.local'),
      apiGatewayRoute('to-stock', 'ingress', 'stock.store.svc.cluster.local'),
    ];
    const plans = audit({ api, kube: [] }).filter((f) => f.resource.name === 'ingress' && f.rule === 'mtls-client-not-enforced' && f.remediation);
    expect(plans.length).toBeGreaterThan(0);
    for (const f of plans) {
      expect(f.remediation!.mode).not.toBe('auto');
      expect(f.remediation!.reason).toContain('need different values of backendDefaults.clientPolicy');
    }
  });
});
