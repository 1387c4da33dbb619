import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

/*
 * Bad Istio input names the file, the line and the field: read from files, each problem points
 * at the line a person edits (the misspelled key, the quoted port, the bad line inside a
 * MeshConfig block), not at the object's `apiVersion:`.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-istio-lines-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the file and audits the directory; `lineOf` finds the 1-based line holding a marker. */
async function audit(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') });
  const lines = text.split('\n');
  const lineOf = (marker: string) => lines.findIndex((l) => l.includes(marker)) + 1;
  return { findings: report.findings, lineOf, file };
}

const shopNamespace = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
`;

it('a misspelled key and a port number written as a string point at their own lines', async () => {
  const { findings, lineOf } = await audit(
    'shop.yaml',
    `${shopNamespace}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mdoe: STRICT
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: web
  namespace: shop
spec:
  host: web.shop.svc.cluster.local
  trafficPolicy:
    portLevelSettings:
    - port:
        number: "80"
      tls:
        mode: DISABLE
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: legacy
  namespace: shop
spec:
  hosts: [legacy.internal]
  location: MESH_INTERNAL
  ports:
  - number: 99999
    name: http
`,
  );
  const invalid = findings.filter((f) => f.rule === 'config-invalid').map((f) => ({ name: f.resource.name, namespace: f.resource.namespace, line: f.resource.line, field: f.detail['field'] }));
  expect(invalid).toEqual(
    expect.arrayContaining([
      { name: 'default', namespace: 'shop', line: lineOf('mdoe: STRICT'), field: 'spec.mtls.mdoe' },
      { name: 'web', namespace: 'shop', line: lineOf('number: "80"'), field: 'spec.trafficPolicy.portLevelSettings[0].port.number' },
      { name: 'legacy', namespace: 'shop', line: lineOf('number: 99999'), field: 'spec.ports[0].number' },
    ]),
  );
  expect(invalid).toHaveLength(3);
});

it('an unquoted Service selector value is reported at its line', async () => {
  const { findings, lineOf } = await audit(
    'web.yaml',
    `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
    tier: 2
  ports:
  - name: http
    port: 80
    targetPort: 8080
`,
  );
  expect(findings.filter((f) => f.rule === 'config-invalid')).toEqual([
    expect.objectContaining({
      resource: expect.objectContaining({ kind: 'Service', name: 'web', line: lineOf('tier: 2') }),
      message: expect.stringContaining('spec.selector.tier: v1 Service web: selector label "tier" must have a string value, not the number 2: quote it'),
    }),
  ]);
});

it('a Service port written as a string is reported at its line, and the Service is left out, as the API server refuses it', async () => {
  const fleet = (port: string) => `${shopNamespace}---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - name: http
    port: ${port}
    targetPort: 8080
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: web-plaintext
  namespace: shop
spec:
  host: web.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
`;
  // Written as a number, the Service carries the DestinationRule's plaintext to the STRICT workload.
  const good = await audit('shop.yaml', fleet('80'));
  expect(good.findings.filter((f) => f.rule === 'mtls-conflict')).toHaveLength(1);

  const { findings, lineOf } = await audit('shop.yaml', fleet('"80"'));
  expect(findings.filter((f) => f.rule === 'config-invalid')).toEqual([
    expect.objectContaining({
      resource: expect.objectContaining({ kind: 'Service', name: 'web', line: lineOf('port: "80"') }),
      message: expect.stringContaining('spec.ports[0].port: v1 Service web: port must be an integer, not the string "80": the API server refuses the Service, so it is left out'),
    }),
  ]);
  expect(findings.filter((f) => f.rule === 'mtls-conflict')).toEqual([]);
});

describe('the MeshConfig ConfigMap', () => {
  const configMap = (mesh: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-canary
  namespace: istio-system
data:
${mesh}`;

  it.each([
    ['|-', '  mesh: |-\n    accessLogFile: /dev/stdout\n    defaultConfig:\n      discoveryAddress: istiod.istio-system.svc:15012\n     tracing: {}\n    enableAutoMtls: false\n', '     tracing: {}'],
    ['>', '  mesh: >\n    enableAutoMtls: false\n    rootNamespace: istio-system\n', '    rootNamespace: istio-system'],
  ])('a YAML error inside mesh: %s is at the file line of the offending text, with no embedded coordinates', async (_style, mesh, offending) => {
    const { findings, lineOf } = await audit('istio.yaml', configMap(mesh));
    const invalid = findings.filter((f) => f.rule === 'config-invalid');
    expect(invalid).toEqual([expect.objectContaining({ resource: expect.objectContaining({ kind: 'ConfigMap', name: 'istio-canary', namespace: 'istio-system', line: lineOf(offending) }) })]);
    expect(invalid[0]!.detail['field']).toBe('data.mesh');
    expect(invalid[0]!.message).toMatch(/data\.mesh: MeshConfig in data\.mesh is not valid YAML: bad indentation of a mapping entry$/);
  });

  it('in JSON, the error is at the mesh key and says where in the text it is', async () => {
    const { findings, lineOf } = await audit(
      'istio.json',
      `{
  "apiVersion": "v1",
  "kind": "ConfigMap",
  "metadata": {"name": "istio", "namespace": "istio-system"},
  "data": {
    "mesh": "rootNamespace: [istio-system\\nenableAutoMtls: false\\n"
  }
}
`,
    );
    const invalid = findings.filter((f) => f.rule === 'config-invalid');
    expect(invalid).toEqual([expect.objectContaining({ resource: expect.objectContaining({ name: 'istio', line: lineOf('"mesh"') }) })]);
    expect(invalid[0]!.message).toMatch(/of the data\.mesh text\)$/);
  });

  it('a mesh written as a mapping is reported at its line', async () => {
    const { findings, lineOf } = await audit('istio.yaml', configMap('  mesh:\n    enableAutoMtls: false\n'));
    expect(findings.filter((f) => f.rule === 'config-invalid')).toEqual([
      expect.objectContaining({ resource: expect.objectContaining({ name: 'istio-canary', line: lineOf('  mesh:') }), message: expect.stringContaining('must be a string holding MeshConfig YAML (write "mesh: |")') }),
    ]);
  });
});

it('a namespace outside the mesh for its istio-injection value points at that label', async () => {
  const { findings, lineOf } = await audit(
    'pay.yaml',
    `apiVersion: v1
kind: Namespace
metadata:
  name: pay
  labels:
    team: payments
    istio-injection: Enabled
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: pay
spec:
  mtls:
    mode: STRICT
---
# A workload runs there: an empty namespace is no entry whatever its labels.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pay-api
  namespace: pay
spec:
  selector:
    matchLabels:
      app: pay-api
  template:
    metadata:
      labels:
        app: pay-api
    spec:
      containers:
      - name: pay-api
        image: registry.example.com/pay/pay-api:1.0.0
`,
  );
  expect(findings.filter((f) => f.rule === 'mesh-sidecar-missing')).toEqual([
    expect.objectContaining({ resource: expect.objectContaining({ kind: 'Namespace', name: 'pay', line: lineOf('istio-injection: Enabled') }), message: expect.stringContaining('istio-injection="Enabled"') }),
  ]);
});
