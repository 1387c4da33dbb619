import type { Finding } from '../../core/findings';
import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, serviceYaml as service } from './testInventory';

/*
 * A caller whose sidecar does not capture some of its outbound traffic (pod template annotations
 * traffic.sidecar.istio.io/excludeOutboundPorts, includeOutboundIPRanges, excludeOutboundIPRanges)
 * sends those calls from the application itself, in plaintext. STRICT on a server it may call
 * refuses them, as it refuses a workload without a sidecar: the change is a person's to make.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const API = 'istio:shop/Deployment/api:8080';

/** api serves 8080 behind Service port 80; ui, in another namespace with injection, calls out. */
const fleet = (annotations: Record<string, string>, ...extra: string[]) =>
  docs(
    namespace('shop'),
    namespace('front'),
    deployment('shop', 'api', { ports: [8080] }),
    service('shop', 'api', [{ name: 'http', port: 80, targetPort: 8080 }]),
    deployment('front', 'ui', { ports: [], annotations }),
    ...extra,
  );

const apiFix = (yaml: string) => istioModelOf(yaml).servers.find((s) => s.id === API)!.fix!;
const audit = (yaml: string): Finding[] => evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);

describe('callers whose sidecar lets some calls out uncaptured', () => {
  it('excludeOutboundPorts naming the Service port the caller dials holds STRICT for a person, naming the workload and annotation', () => {
    const finding = audit(fleet({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '80,8080' })).find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'api')!;
    expect(finding.remediation).toMatchObject({
      action: 'istio.peerauthentication.create-strict',
      mode: 'approval',
      reason:
        'preconditions do not hold: front/Deployment/ui sets traffic.sidecar.istio.io/excludeOutboundPorts: "80,8080": its calls to ports 80, 8080 bypass its sidecar and go out in plaintext; it may call port 8080 of shop/Deployment/api (dialed as port 80), which STRICT refuses',
    });
  });

  it('excludeOutboundPorts that leaves the dialed Service port captured changes nothing (the container port is not what the caller dials)', () => {
    expect(apiFix(fleet({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '8080,5432' })).blockers).toEqual([]);
  });

  it.each([
    ['includeOutboundIPRanges', '', 'its sidecar captures none of its calls, which go out in plaintext'],
    ['excludeOutboundIPRanges', '10.0.0.0/8', 'its calls to those addresses bypass its sidecar and go out in plaintext (meshgov cannot tell whether pods or Services are among them)'],
    ['includeOutboundIPRanges', '10.96.0.0/12', 'its calls to any other address bypass its sidecar and go out in plaintext (meshgov cannot tell whether every pod and Service is inside those ranges)'],
  ])('%s "%s" may bypass the sidecar toward any server', (annotation, value, how) => {
    expect(apiFix(fleet({ [`traffic.sidecar.istio.io/${annotation}`]: value })).blockers).toEqual([
      `front/Deployment/ui sets traffic.sidecar.istio.io/${annotation}: "${value}": ${how}; it may call port 8080 of shop/Deployment/api, which STRICT refuses`,
    ]);
  });

  it('leaves alone ranges that hold no pod or Service (the metadata server, loopback) and a capture-all include list', () => {
    expect(apiFix(fleet({ 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '169.254.169.254/32,127.0.0.1/32' })).blockers).toEqual([]);
    expect(apiFix(fleet({ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '*' })).blockers).toEqual([]);
  });

  // istio.io "Prometheus" (TLS settings): the sidecar only writes the mesh certificates, and Prometheus scrapes with them in mTLS.
  it('leaves alone a scraper that calls with the certificates its sidecar writes (OUTPUT_CERTS)', () => {
    const prometheus = {
      'traffic.sidecar.istio.io/includeOutboundIPRanges': '',
      'traffic.sidecar.istio.io/includeInboundPorts': '',
      // As istio.io writes it, a block of YAML; the helper writes each value in double quotes, hence the escapes.
      'proxy.istio.io/config': 'proxyMetadata:\\n  OUTPUT_CERTS: /etc/istio-output-certs\\n',
      'sidecar.istio.io/userVolumeMount': '[{\\"name\\": \\"istio-certs\\", \\"mountPath\\": \\"/etc/istio-output-certs\\"}]',
    };
    expect(apiFix(fleet(prometheus)).blockers).toEqual([]);
  });

  it('names three callers and counts the rest', () => {
    const more = ['a', 'b', 'c', 'd'].map((n) => deployment('front', `job-${n}`, { ports: [], annotations: { 'traffic.sidecar.istio.io/includeOutboundIPRanges': '' } }));
    const blockers = apiFix(fleet({}, ...more)).blockers;
    expect(blockers).toHaveLength(4);
    expect(blockers[0]).toMatch(/^front\/Deployment\/job-a sets /);
    expect(blockers[3]).toBe('and 1 more caller whose sidecar may let plaintext calls out (front/Deployment/job-d)');
  });
});
