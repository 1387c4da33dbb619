/**
 * A side a person accepted as it is (an mtls-not-strict or mtls-client-not-enforced finding
 * excluded in rules/, or accepted by a suppress.meshgov.io annotation) is never tightened by a
 * fix that runs on its own: the acceptance says a client meshgov cannot see needs it so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../../functions/core/findings';
import type { Policy } from '../../../functions/core/policy/types';
import { collectFiles } from '../../../functions/providers/files/collect';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

const NOW = new Date('2026-11-26T00:00:00Z');

const SHOP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: PERMISSIVE
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: ghcr.io/example/shop-api:2.3.1
          ports:
            - containerPort: 8080
            - containerPort: 9090
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector: {app: api}
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;

const LEGACY_WORKER = (annotations: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy-worker
  namespace: shop
${annotations}spec:
  selector:
    matchLabels: {app: legacy-worker}
  template:
    metadata:
      labels: {app: legacy-worker}
    spec:
      containers:
        - name: worker
          image: ghcr.io/example/legacy-worker:1.0.4
          ports:
            - containerPort: 7000
`;

/** checkout's DestinationRule for orders: SIMPLE TLS from checkout, and its conflict with orders' STRICT. */
const ORDERS = `apiVersion: v1
kind: Namespace
metadata:
  name: orders
  labels:
    istio-injection: enabled
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
spec:
  mtls:
    mode: STRICT
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: orders
spec:
  selector:
    matchLabels: {app: orders}
  template:
    metadata:
      labels: {app: orders}
    spec:
      containers:
        - name: orders
          image: ghcr.io/example/orders:4.0.0
          ports:
            - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: orders
  namespace: orders
spec:
  selector: {app: orders}
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: v1
kind: Namespace
metadata:
  name: checkout
  labels:
    istio-injection: enabled
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  namespace: checkout
spec:
  selector:
    matchLabels: {app: checkout}
  template:
    metadata:
      labels: {app: checkout}
    spec:
      containers:
        - name: checkout
          image: ghcr.io/example/checkout:7.1.0
          ports:
            - containerPort: 8080
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: orders
  namespace: checkout
spec:
  host: orders.orders.svc.cluster.local
  trafficPolicy:
    tls:
      mode: SIMPLE
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-accepted-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function audit(files: Record<string, string>, edit: (policy: Policy) => void = () => undefined) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const policy = shippedPolicy();
  edit(policy);
  return auditInventory(await collectFiles([dir]), { policy, now: NOW });
}

const plans = (findings: Finding[]) => findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => [f.resource.name, f.resource.port, f.remediation?.mode]);

describe('a change that would tighten a side accepted as it is', () => {
  it('without any acceptance, the namespace-wide STRICT fix runs on its own', async () => {
    const report = await audit({ 'shop.yaml': SHOP });
    expect(plans(report.findings)).toEqual([
      ['api', 8080, 'auto'],
      ['api', 9090, 'auto'],
    ]);
  });

  it('a port excluded in rules/ holds the namespace-wide STRICT fix of the other port for approval, naming it and the reason', async () => {
    const report = await audit({ 'shop.yaml': SHOP }, (p) => {
      p.rules['mtls-not-strict'].exclude = [{ namespace: 'shop', name: 'api', port: 9090, reason: 'Prometheus scrapes 9090 in plaintext from outside the mesh' }];
    });
    expect(plans(report.findings)).toEqual([['api', 8080, 'approval']]);
    const remediation = report.findings[0]!.remediation!;
    expect(remediation.change).toMatchObject({ target: { kind: 'PeerAuthentication', namespace: 'shop', name: 'default' }, patch: { spec: { mtls: { mode: 'STRICT' } } } });
    expect(remediation.blockers).toEqual([
      'Deployment shop/api port 9090 is excluded from mtls-not-strict in rules/ (Prometheus scrapes 9090 in plaintext from outside the mesh), and this change would make it STRICT',
    ]);
  });

  it('a workload excluded by name holds the fix of its neighbour that shares its namespace policy', async () => {
    const report = await audit({ 'shop.yaml': SHOP, 'legacy.yaml': LEGACY_WORKER('') }, (p) => {
      p.rules['mtls-not-strict'].exclude = [{ namespace: 'shop', name: 'legacy-*' }];
    });
    expect(plans(report.findings)).toEqual([
      ['api', 8080, 'approval'],
      ['api', 9090, 'approval'],
    ]);
    expect(report.findings[0]!.remediation!.blockers).toEqual(['Deployment shop/legacy-worker port 7000 is excluded from mtls-not-strict in rules/, and this change would make it STRICT']);
  });

  it('a workload accepted by its suppress.meshgov.io annotation does the same', async () => {
    const annotated = LEGACY_WORKER('  annotations:\n    suppress.meshgov.io/mtls-not-strict: "batch clients in the on-prem VPC call it in plaintext (ORD-881)"\n');
    const report = await audit({ 'shop.yaml': SHOP, 'legacy.yaml': annotated });
    expect(plans(report.findings)).toEqual([
      ['api', 8080, 'approval'],
      ['api', 9090, 'approval'],
    ]);
    expect(report.findings[0]!.remediation!.reason).toContain(
      'Deployment shop/legacy-worker port 7000 is accepted by its suppress.meshgov.io/mtls-not-strict annotation (batch clients in the on-prem VPC call it in plaintext (ORD-881)), and this change would make it STRICT',
    );
  });

  it('a client excluded from mtls-client-not-enforced holds the fix of its conflict, which would make it send mTLS', async () => {
    // A rules copy that lets conflict fixes run on its own (the shipped one asks for approval).
    const conflictAuto = (p: Policy) => (p.rules['mtls-conflict'].remediation = 'auto');
    const before = await audit({ 'orders.yaml': ORDERS }, conflictAuto);
    expect(before.findings.filter((f) => f.rule !== 'mtls-not-strict').map((f) => [f.rule, f.remediation?.mode])).toEqual([
      ['mtls-conflict', 'auto'],
      ['mtls-client-not-enforced', 'auto'],
    ]);

    const report = await audit({ 'orders.yaml': ORDERS }, (p) => {
      conflictAuto(p);
      p.rules['mtls-client-not-enforced'].exclude = [{ namespace: 'checkout', reason: 'checkout pins the partner CA for orders until PAY-212' }];
    });
    const conflict = report.findings.find((f) => f.rule === 'mtls-conflict')!;
    expect(conflict.remediation).toMatchObject({ action: 'istio.destinationrule.set-istio-mutual', mode: 'approval' });
    expect(conflict.remediation!.reason).toContain('is excluded from mtls-client-not-enforced in rules/ (checkout pins the partner CA for orders until PAY-212), and this change would make it send mTLS');
  });
});
