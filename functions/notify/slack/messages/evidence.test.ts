import type { Finding } from '../../../core/findings';
import { istioFinding, paymentsApiFinding } from '../../../../test/integration/ledger/fixtures';
import { evidenceFor } from './evidence';

const ARN = 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/payments-api';

describe('evidenceFor', () => {
  test('an App Mesh resource read live links to its console page, region from its ARN', () => {
    const finding = paymentsApiFinding();
    finding.resource.file = ARN;
    finding.resource.line = 1;
    expect(evidenceFor(finding)).toEqual({
      url: 'https://console.aws.amazon.com/appmesh/meshes/prod-mesh/virtual-nodes/payments-api?region=us-west-2',
      label: 'Open in the App Mesh console',
    });
  });

  test('an App Mesh virtual gateway by ARN', () => {
    const finding = paymentsApiFinding();
    finding.resource = { kind: 'VirtualGateway', name: 'prod-mesh', mesh: 'prod-mesh', file: 'arn:aws:appmesh:eu-central-1:111122223333:mesh/prod-mesh/virtualGateway/prod-mesh', line: 1 };
    expect(evidenceFor(finding)?.url).toBe('https://console.aws.amazon.com/appmesh/meshes/prod-mesh/virtual-gateways/prod-mesh?region=eu-central-1');
  });

  test('an App Mesh resource with no ARN uses the hub region', () => {
    expect(evidenceFor(paymentsApiFinding(), { awsRegion: 'us-west-2' })?.url).toBe(
      'https://console.aws.amazon.com/appmesh/meshes/prod-mesh/virtual-nodes/payments-api?region=us-west-2',
    );
    expect(evidenceFor(paymentsApiFinding())).toBeUndefined();
  });

  test('an App Mesh file finding points at the file and line', () => {
    const finding = paymentsApiFinding();
    finding.resource.file = 'examples/aws-app-mesh/api/describe-virtual-node-payments-api.json';
    finding.resource.line = 1;
    expect(evidenceFor(finding, { awsRegion: 'us-west-2' })).toEqual({ label: 'examples/aws-app-mesh/api/describe-virtual-node-payments-api.json:1' });
  });

  test('an Istio workload on GKE links to the Cloud Console when the cluster is known', () => {
    const finding = istioFinding('payments', 'payments-api');
    expect(evidenceFor(finding, { gke: { project: 'meshgov-demo', location: 'us-central1', cluster: 'prod-gke' } })).toEqual({
      url: 'https://console.cloud.google.com/kubernetes/deployment/us-central1/prod-gke/payments/payments-api/details?project=meshgov-demo',
      label: 'Open in the Google Cloud console',
    });
  });

  test.each([
    ['CronJob', 'cronjob'],
    ['Job', 'job'],
    ['Pod', 'pod'],
  ])('an Istio %s on GKE links to its own Cloud Console page', (kind, segment) => {
    const finding: Finding = { ...istioFinding('payments', 'payments-api'), resource: { kind, name: 'nightly-settlement', namespace: 'payments', port: 8080 } };
    expect(evidenceFor(finding, { gke: { project: 'meshgov-demo', location: 'us-central1', cluster: 'prod-gke' } })?.url).toBe(
      `https://console.cloud.google.com/kubernetes/${segment}/us-central1/prod-gke/payments/nightly-settlement/details?project=meshgov-demo`,
    );
  });

  test('an Istio object read from the API shows its API path', () => {
    const finding: Finding = {
      ...istioFinding('payments', 'payments-api'),
      resource: { kind: 'PeerAuthentication', name: 'default', namespace: 'payments', file: '/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default', line: 1 },
    };
    expect(evidenceFor(finding, { gke: { project: 'meshgov-demo', location: 'us-central1', cluster: 'prod-gke' } })).toEqual({
      label: '/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default:1',
    });
  });

  test('an ACM certificate links to the ACM console', () => {
    const finding: Finding = {
      id: 'c1',
      rule: 'cert-expiring',
      severity: 'high',
      provider: 'acm',
      resource: { kind: 'Certificate', name: 'payments-api.payments.svc.cluster.local', file: 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48', line: 1 },
      message: 'expires in 12 days',
      detail: { daysLeft: 12, origin: { kind: 'AcmCertificate', arn: 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48' } },
      remediation: null,
    };
    expect(evidenceFor(finding)?.url).toBe('https://console.aws.amazon.com/acm/home?region=us-west-2#/certificates/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48');
  });
});
