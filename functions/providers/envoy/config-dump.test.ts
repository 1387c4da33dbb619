import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as yaml from 'js-yaml';
import { issueCertificate, makeCertChain, makeRootCa, type CertChain, type IssuedCertificate } from '../../../test/support/certs';
import { b64, httpManager, LISTENER, REDACTED, SECRET, sidecarDump as sidecarDumpOf, TS, type SidecarOptions, type SidecarPort } from '../../../test/support/envoy-dumps';
import { shippedPolicy } from '../../../test/support/model';
import { auditInventory } from '../audit-inventory';
import { collectFiles } from '../files/collect';

/** istio-agent's workload certificate: 24 hours from 2026-11-25T09:14:03Z, as SECRET_TTL gives it. */
let workload: CertChain;
/** A mesh root near its end, as istiod's ROOTCA secret sends it. */
let meshRoot: IssuedCertificate;
let dir: string;

beforeAll(() => {
  const current = { root: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') }, intermediate: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2029-01-01T00:00:00Z') } };
  workload = makeCertChain({ leafCN: 'orders.orders.svc', uris: ['spiffe://cluster.local/ns/orders/sa/orders'], notBefore: new Date('2026-11-25T09:14:03Z'), notAfter: new Date('2026-11-26T09:14:03Z'), ...current });
  meshRoot = makeRootCa({ cn: 'Istio CA', organization: 'cluster.local', notBefore: new Date('2016-12-10T00:00:00Z'), notAfter: new Date('2026-12-10T00:00:00Z') });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-config-dump-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function audit(files: Record<string, string>, now: Date) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now });
  return {
    report,
    findings: report.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      kind: f.resource.kind,
      name: f.resource.name,
      port: f.resource.port,
      file: relative(dir, f.resource.file ?? ''),
      line: f.resource.line,
      message: f.message,
      detail: f.detail as Record<string, unknown>,
      fix: f.remediation,
    })),
  };
}

const lineOf = (text: string, needle: string, nth = 0) => text.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []))[nth];

/** The sidecar of the tests: its workload chain, and the chain's own root unless given. */
const sidecarDump = (options: Omit<SidecarOptions, 'chainPem' | 'rootPem'> & { rootPem?: string }) =>
  sidecarDumpOf({ chainPem: workload.leafPem + workload.intermediatePem, rootPem: workload.rootPem, ...options });

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const DUMP = 'orders/orders-v1-7d9c8b6f5-x2x9q.config_dump.json';

describe('Envoy admin /config_dump', () => {
  test("an Istio sidecar: only virtualInbound is a server; a PERMISSIVE workload is one mtls-not-strict per workload port, at that port's plaintext chain, and one for the catch-all chains; the fix is one STRICT PeerAuthentication for the node's workload", async () => {
    const text = json(sidecarDump({ permissive: true }));
    const { findings, report } = await audit({ [DUMP]: text }, new Date('2026-11-25T12:00:00Z'));
    expect(findings.map((f) => [f.rule, f.kind, f.name, f.port, f.detail['mode']])).toEqual([
      ['mtls-not-strict', 'Listener', 'virtualInbound', undefined, 'PERMISSIVE'],
      ['mtls-not-strict', 'Listener', 'virtualInbound', 8080, 'PERMISSIVE'],
    ]);
    const [catchAll, port8080] = findings;
    expect(port8080!.file).toBe(DUMP);
    // At the port's plaintext chain (`destination_port`, then `transport_protocol` raw_buffer), where a reader of the dump finds it.
    expect(port8080!.line).toBe(lineOf(text, '"destination_port": 8080', 1) - 2);
    expect(lineOf(text, '"transport_protocol": "raw_buffer"', 2)).toBe(port8080!.line! + 3);
    // Istio names both of port 8080's chains `0.0.0.0_8080`: the index tells them apart.
    expect(port8080!.message).toContain('Listener virtualInbound port 8080 accepts plaintext as well as mTLS (PERMISSIVE');
    expect(port8080!.message).toContain('on destination port 8080: filter chain #7 (0.0.0.0_8080) accepts plaintext next to TLS chain(s) filter chain #6 (0.0.0.0_8080)');
    // The passthrough chains take every other port: plaintext HTTP (sniffed ALPN) and plaintext TCP.
    expect(catchAll!.line).toBe(lineOf(text, '"transport_protocol": "raw_buffer"') - 2);
    expect(catchAll!.message).toContain(
      'on every destination port without filter chains of its own (all but 8080, 15006), the catch-all chains decide: filter chain #2 (virtualInbound-catchall-http), filter chain #4 (virtualInbound) accept plaintext',
    );
    // The workload's own mode is PERMISSIVE (its catch-all takes plaintext): only `mtls.mode` reaches every port.
    for (const finding of findings) {
      expect(finding.fix).toMatchObject({
        mode: 'manual',
        action: 'istio.peerauthentication.create-strict',
        change: {
          operation: 'create',
          object: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'orders-v1', namespace: 'orders' }, spec: { selector: { matchLabels: { app: 'orders' } }, mtls: { mode: 'STRICT' } } },
        },
      });
      expect(finding.fix!.change).not.toHaveProperty('object.spec.portLevelMtls');
      expect(finding.fix!.reason).toContain('meshgov did not read the PeerAuthentications in force');
    }
    // virtualInbound, virtualOutbound, BlackHoleCluster and the outbound cluster; not the agent's
    // 15090 and 15021 (pilot-agent's statusPort 15020 is not Envoy's), nor the warming listener.
    expect(report.summary.resources).toBe(4);
  });

  test('a STRICT workload with one port PERMISSIVE (portLevelMtls): only that port is mtls-not-strict, at its raw_buffer chain, and the fix sets that port STRICT in portLevelMtls', async () => {
    const ports: SidecarPort[] = [
      { port: 8080, protocol: 'http' },
      { port: 9090, protocol: 'tcp', permissive: true },
    ];
    const text = json(sidecarDump({ permissive: false, ports }));
    const { findings } = await audit({ [DUMP]: text }, new Date('2026-11-25T12:00:00Z'));
    expect(findings.map((f) => [f.rule, f.name, f.port, f.detail['mode']])).toEqual([['mtls-not-strict', 'virtualInbound', 9090, 'PERMISSIVE']]);
    const [finding] = findings;
    expect(finding!.line).toBe(lineOf(text, '"destination_port": 9090', 1) - 2);
    expect(lineOf(text, '"transport_protocol": "raw_buffer"')).toBe(finding!.line! + 3);
    // A TCP port also passes plain TLS through, unterminated.
    expect(finding!.message).toContain('on destination port 9090: filter chain #5 (0.0.0.0_9090) accepts plaintext next to TLS chain(s) filter chain #4 (0.0.0.0_9090), filter chain #6 (0.0.0.0_9090)');
    expect(finding!.fix!.change).toEqual({
      operation: 'create',
      object: {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'orders-v1', namespace: 'orders' },
        // No `mtls`: the other ports keep the namespace's or mesh's mode, which makes them STRICT today.
        spec: { selector: { matchLabels: { app: 'orders' } }, portLevelMtls: { '9090': { mode: 'STRICT' } } },
      },
    });
    expect(finding!.fix!.reason).toContain('sends mTLS to port 9090; Istio heeds only the oldest PeerAuthentication selecting a workload, so where one already selects orders/orders-v1, set port 9090 to STRICT in its portLevelMtls instead');
  });

  test("each port's finding keeps its id when the workload gains another port; all of one sidecar's findings carry the same PeerAuthentication", async () => {
    const one = await audit({ [DUMP]: json(sidecarDump({ permissive: true })) }, new Date('2026-11-25T12:00:00Z'));
    const two = await audit({ [DUMP]: json(sidecarDump({ permissive: true, ports: [{ port: 8080, protocol: 'http' }, { port: 9090, protocol: 'tcp' }] })) }, new Date('2026-11-25T12:00:00Z'));
    expect(two.findings.map((f) => f.port)).toEqual([undefined, 8080, 9090]);
    const ids = (r: typeof one) => new Map(r.report.findings.map((f) => [f.resource.port ?? 'catch-all', f.id]));
    expect(ids(two).get(8080)).toBe(ids(one).get(8080));
    expect(ids(two).get('catch-all')).toBe(ids(one).get('catch-all'));
    expect(new Set(ids(two).values()).size).toBe(3);
    expect(new Set(two.findings.map((f) => JSON.stringify(f.fix!.change))).size).toBe(1);
  });

  test('two STRICT-by-default ports PERMISSIVE: one finding each, and one fix naming both ports', async () => {
    const ports: SidecarPort[] = [
      { port: 8080, protocol: 'http', permissive: true },
      { port: 9090, protocol: 'tcp', permissive: true },
    ];
    const { findings } = await audit({ [DUMP]: json(sidecarDump({ permissive: false, ports })) }, new Date('2026-11-25T12:00:00Z'));
    expect(findings.map((f) => f.port)).toEqual([8080, 9090]);
    for (const finding of findings) expect(finding.fix!.change).toHaveProperty('object.spec', { selector: { matchLabels: { app: 'orders' } }, portLevelMtls: { '8080': { mode: 'STRICT' }, '9090': { mode: 'STRICT' } } });
    expect(findings[0]!.fix!.reason).toContain('set ports 8080, 9090 to STRICT');
  });

  test("the same listener in a dump of no Istio proxy (App Mesh's node) stays one server on its own port, with the Envoy fix", async () => {
    const dump = sidecarDump({ permissive: true }) as { configs: Array<Record<string, unknown>> };
    dump.configs[0] = { '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: { node: { id: 'mesh/prod-mesh/virtualNode/orders', cluster: 'mesh/prod-mesh/virtualNode/orders' } }, last_updated: TS };
    const { findings } = await audit({ [DUMP]: json(dump) }, new Date('2026-11-25T12:00:00Z'));
    const inbound = findings.filter((f) => f.name === 'virtualInbound');
    expect(inbound.map((f) => [f.rule, f.port])).toEqual([['mtls-not-strict', 15006]]);
    expect(inbound[0]!.fix!.action).toBe('envoy.listener.require-client-certificate');
  });

  test('a STRICT sidecar gives no mTLS finding: the outbound capture listener (traffic_direction OUTBOUND) takes only the app beside it', async () => {
    const { findings } = await audit({ [DUMP]: json(sidecarDump({ permissive: false })) }, new Date('2026-11-25T12:00:00Z'));
    expect(findings).toEqual([]);
  });

  test("istio-agent's 24-hour workload certificate is not cert-expiring before the agent is due to rotate it, and is once it is overdue", async () => {
    const text = json(sidecarDump({ permissive: false }));
    // Half its lifetime (SECRET_GRACE_PERIOD_RATIO 0.5) is at 21:14; with the 0.01 jitter and the 5-minute check, due by 21:33:27.
    const early = await audit({ [DUMP]: text }, new Date('2026-11-25T21:00:00Z'));
    expect(early.findings).toEqual([]);

    const late = await audit({ [DUMP]: text }, new Date('2026-11-26T02:00:00Z'));
    expect(late.findings.map((f) => [f.rule, f.severity, f.name])).toEqual([['cert-expiring', 'critical', 'orders.orders.svc']]);
    const [expiring] = late.findings;
    expect(expiring!.message).toBe(
      'The certificate for orders.orders.svc in EnvoySecret default key tls_certificate.certificate_chain expires in 7 hours (2026-11-26T09:14:03.000Z); istio-agent was to renew it on 2026-11-25T21:33:27.000Z and has not; renew it before then.',
    );
    expect(expiring!.line).toBe(lineOf(text, '"certificate_chain": {'));
    // Every listener and cluster that names the `default` SDS secret uses it.
    expect((expiring!.detail['usedBy'] as Array<{ kind: string; name: string }>).map((u) => `${u.kind} ${u.name}`)).toEqual([
      'Listener virtualInbound',
      'Cluster outbound|8080||payments.payments.svc.cluster.local',
    ]);

    const expired = await audit({ [DUMP]: text }, new Date('2026-11-26T10:00:00Z'));
    expect(expired.findings.map((f) => [f.rule, f.name])).toEqual([['cert-expired', 'orders.orders.svc']]);
  });

  test('the mesh root SDS delivered is held to the windows as any CA: 14 days from its end is cert-expiring', async () => {
    const { findings } = await audit({ [DUMP]: json(sidecarDump({ permissive: false, rootPem: meshRoot.certPem })) }, new Date('2026-11-26T00:00:00Z'));
    const root = findings.find((f) => f.name === 'Istio CA');
    expect(root).toMatchObject({ rule: 'cert-expiring', severity: 'high' });
    expect(root!.detail['origin']).toMatchObject({ kind: 'EnvoySecret', name: 'ROOTCA', key: 'validation_context.trusted_ca' });
  });

  test('an SDS secret whose inline_bytes is not base64 is config-invalid at its field, naming the SDS secret', async () => {
    const text = json(sidecarDump({ permissive: false, certificateBytes: workload.leafPem }));
    const { findings } = await audit({ [DUMP]: text }, new Date('2026-11-25T12:00:00Z'));
    expect(findings.map((f) => [f.rule, f.kind, f.name, f.line])).toEqual([['config-invalid', 'EnvoySecret', 'default', lineOf(text, '"certificate_chain": {')]]);
    expect(findings[0]!.message).toContain('inline_bytes of certificate_chain in SDS secret default is not valid base64');
    expect(findings[0]!.detail['field']).toBe('configs[3].dynamic_active_secrets[0].secret.tls_certificate.certificate_chain.inline_bytes');
  });

  test('a plain Envoy dump (no Istio node): a static plaintext listener is judged as in a bootstrap, with the bootstrap as the place to fix it; a 5-day certificate is cert-expiring', async () => {
    const chain = makeCertChain({ leafCN: 'payments-api.payments.svc.cluster.local', dnsNames: ['payments-api.payments.svc.cluster.local'], notBefore: new Date('2026-08-31T00:00:00Z'), notAfter: new Date('2026-12-01T00:00:00Z') });
    const dump = {
      configs: [
        { '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: { node: { id: 'mesh/prod-mesh/virtualNode/payments-api', cluster: 'mesh/prod-mesh/virtualNode/payments-api' } }, last_updated: TS },
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
          static_listeners: [{ listener: { '@type': LISTENER, name: 'payments_plain', address: { socket_address: { address: '0.0.0.0', port_value: 8080 } }, filter_chains: [{ filters: [httpManager('payments_plain', 'local_app')] }] }, last_updated: TS }],
        },
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump',
          dynamic_active_secrets: [{ name: 'payments-api-cert', last_updated: TS, secret: { '@type': SECRET, name: 'payments-api-cert', tls_certificate: { certificate_chain: { inline_bytes: b64(chain.leafPem) }, private_key: { inline_bytes: REDACTED } } } }],
        },
      ],
    };
    const { findings } = await audit({ 'payments/payments-api.config_dump.json': json(dump) }, new Date('2026-11-26T00:00:00Z'));
    expect(findings.map((f) => [f.rule, f.severity, f.kind, f.name])).toEqual([
      ['cert-expiring', 'critical', 'Certificate', 'payments-api.payments.svc.cluster.local'],
      ['mtls-not-strict', 'high', 'Listener', 'payments_plain'],
    ]);
    expect(JSON.stringify(findings[1]!.fix)).toContain('change the bootstrap it started from, then restart it');
  });

  test('a dump written as YAML is read as the JSON one', async () => {
    const { findings } = await audit({ 'orders/dump.yaml': yaml.dump(sidecarDump({ permissive: true })) }, new Date('2026-11-25T12:00:00Z'));
    expect(findings.map((f) => [f.rule, f.name, f.port])).toEqual([
      ['mtls-not-strict', 'virtualInbound', undefined],
      ['mtls-not-strict', 'virtualInbound', 8080],
    ]);
  });

  test('a v2 admin dump is set aside with a note saying why and what to give instead', async () => {
    const dump = { configs: [{ '@type': 'type.googleapis.com/envoy.admin.v2alpha.ListenersConfigDump', static_listeners: [] }] };
    writeFileSync(join(dir, 'dump.json'), json(dump));
    const inventory = await collectFiles([dir]);
    expect(inventory.envoy).toEqual([]);
    expect(inventory.unknown.map((u) => [relative(dir, u.source.file), u.source.line, u.note])).toEqual([
      ['dump.json', 1, 'an Envoy config dump of the v2 admin API (envoy.admin.v2alpha), which Envoy removed in 1.18; give meshgov the /config_dump of an Envoy that serves v3'],
    ]);
  });

  test('a /config_dump?resource= dump (one typed entry per configs element) is read entry by entry', async () => {
    const full = sidecarDump({ permissive: true }) as { configs: Array<Record<string, unknown>> };
    const listeners = full.configs[2]!['dynamic_listeners'] as unknown[];
    const secrets = full.configs[3]!['dynamic_active_secrets'] as unknown[];
    const dump = {
      configs: [
        ...listeners.map((l) => ({ '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump.DynamicListener', ...(l as object) })),
        ...secrets.map((s) => ({ '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret', ...(s as object) })),
      ],
    };
    const text = json(dump);
    const { findings } = await audit({ 'orders/listeners.json': text }, new Date('2026-11-26T02:00:00Z'));
    expect(findings.map((f) => [f.rule, f.name, f.port, f.line])).toEqual([
      ['cert-expiring', 'orders.orders.svc', undefined, lineOf(text, '"certificate_chain": {')],
      ['mtls-not-strict', 'virtualInbound', undefined, lineOf(text, '"transport_protocol": "raw_buffer"') - 2],
      ['mtls-not-strict', 'virtualInbound', 8080, lineOf(text, '"transport_protocol": "raw_buffer"', 2) - 3],
    ]);
    // Without the bootstrap, the `default` and `ROOTCA` secrets say it is istio-agent's.
    expect(findings[0]!.message).toContain('istio-agent was to renew it');
    // Split by port all the same; without the node the workload is unknown, so each port's fix is Envoy's, on its own chains.
    const patched = (f: (typeof findings)[number]) => (f.fix!.change as { filter_chains: Array<{ filter_chain: string }> }).filter_chains.map((c) => c.filter_chain);
    expect(patched(findings[2]!)).toEqual(['filter chain #7 (0.0.0.0_8080)']);
    expect(patched(findings[1]!)).toEqual(['filter chain #2 (virtualInbound-catchall-http)', 'filter chain #4 (virtualInbound)']);
    expect(findings[1]!.fix!.reason).toContain('filter chain #5 (virtualInbound) of listener virtualInbound passes TLS through');
  });

  test('`istioctl proxy-config secret -o json` (a SecretsConfigDump alone, lowerCamelCase): istio-agent rotation applies; the root istio-agent appends to the chain is one finding, on ROOTCA', async () => {
    const root = makeRootCa({ cn: 'Istio CA', organization: 'cluster.local', notBefore: new Date('2016-12-10T00:00:00Z'), notAfter: new Date('2026-12-10T00:00:00Z') });
    const leaf = issueCertificate(root, { cn: 'orders.orders.svc', uris: ['spiffe://cluster.local/ns/orders/sa/orders'], notBefore: new Date('2026-11-25T09:14:03Z'), notAfter: new Date('2026-11-26T09:14:03Z') });
    const secret = (name: string, body: object) => ({ name, versionInfo: '2026-11-25 09:14:03 +0000 UTC', lastUpdated: TS, secret: { '@type': SECRET, name, ...body } });
    const dump = {
      dynamicActiveSecrets: [
        secret('default', { tlsCertificate: { certificateChain: { inlineBytes: b64(leaf.certPem + root.certPem) }, privateKey: { inlineBytes: REDACTED } } }),
        secret('ROOTCA', { validationContext: { trustedCa: { inlineBytes: b64(root.certPem) } } }),
      ],
    };
    const early = await audit({ 'orders/secrets.json': json(dump) }, new Date('2026-11-25T12:00:00Z'));
    expect(early.findings.map((f) => [f.rule, f.severity, f.name])).toEqual([['cert-expiring', 'high', 'Istio CA']]);
    expect(early.findings[0]!.detail['origin']).toMatchObject({ name: 'ROOTCA', key: 'validationContext.trustedCa', copies: ['default tlsCertificate.certificateChain'] });
    const late = await audit({ 'orders/secrets.json': json(dump) }, new Date('2026-11-26T02:00:00Z'));
    expect(late.findings.map((f) => [f.rule, f.name])).toEqual([
      ['cert-expiring', 'orders.orders.svc'],
      ['cert-expiring', 'Istio CA'],
    ]);
  });

  test('an Envoy 1.7 dump (configs as a map by name) is set aside as v2', async () => {
    writeFileSync(join(dir, 'dump.json'), json({ configs: { listeners: { '@type': 'type.googleapis.com/envoy.admin.v2alpha.ListenersConfigDump', static_listeners: [] } } }));
    const inventory = await collectFiles([dir]);
    expect(inventory.unknown.map((u) => u.note)).toEqual([expect.stringContaining('v2 admin API (envoy.admin.v2alpha)')]);
  });
});
