import type { ObservedIstioChange } from '../../functions/core/link/messages';

/**
 * bob's `kubectl patch` of payments/default to PERMISSIVE, as the agent observes it from the GKE
 * audit entry (the object from the entry's response) and reports it to the hub.
 */
export function bobsPeerAuthenticationPatch(): ObservedIstioChange {
  return {
    id: 'chg-gke-audit-7e2b9c41-5d8a-4f3e-b1c6-0a9d8e7f6c52',
    verb: 'patch',
    kind: 'PeerAuthentication',
    apiVersion: 'security.istio.io/v1',
    namespace: 'payments',
    name: 'default',
    actor: 'bob@example.com',
    at: '2026-11-20T14:47:12.483917Z',
    object: {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'payments', uid: '9b4d6f8a-2c1e-4a3b-8d5f-7e9a1c3b5d60', resourceVersion: '48213377', generation: 3 },
      spec: { mtls: { mode: 'PERMISSIVE' } },
    },
    objectFrom: 'audit-response',
    services: ['istio:payments/ledger', 'istio:payments/payments-api'],
  };
}
