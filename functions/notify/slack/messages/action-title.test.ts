import type { Finding } from '../../../core/findings';
import { actionTitle } from './describe-finding';

const ledgerPostgres: Finding = {
  id: 'deeff0455a839381b0ef98f7',
  rule: 'mtls-not-strict',
  severity: 'high',
  provider: 'istio',
  resource: { kind: 'Deployment', name: 'ledger', namespace: 'payments', port: 5432, file: 'k8s/payments/ledger.yaml', line: 1 },
  message: 'Deployment payments/ledger port 5432 accepts only plaintext (DISABLED, set by workload-level Deployment payments/ledger annotation traffic.sidecar.istio.io/excludeInboundPorts); require mTLS (STRICT).',
  detail: { mode: 'DISABLED' },
  remediation: null,
};

describe('actionTitle', () => {
  it("names the port a pod's sidecar should capture again", () => {
    const change = {
      operation: 'merge-patch',
      target: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'payments', name: 'ledger' },
      patch: { spec: { template: { metadata: { annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': null } } } } },
    };
    expect(actionTitle({ action: 'istio.workload.capture-inbound-port', change }, ledgerPostgres)).toMatch(/^let the sidecar of .*ledger.* capture port 5432$/);
  });
});
