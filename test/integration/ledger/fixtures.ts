/**
 * Ledger records as the pipeline writes them, built on the shared storyline
 * (test/fixtures/shared-events/README.md): alice sets the payments-api listener of prod-mesh to
 * PERMISSIVE at 15:00:49, meshgov asks for approval of `rmd-7c1e9a44d2b0`, carol approves at
 * 15:04:12, and role meshgov-remediator restores STRICT at 15:04:15.
 */
import type { Finding } from '../../../functions/core/findings';
import type { ApprovalRecord, ChangeRecord, FindingRecord } from '../../../functions/core/ledger/types';
import type { ResourceRef } from '../../../functions/core/model/types';
import { expiresAt } from '../../../functions/core/pipeline/observe-findings';
import type { Trigger } from '../../../functions/core/pipeline/trigger';
import { findingId } from '../../../functions/core/rules/finding-id';
import { sharedEvent } from '../../support/shared-events';

/** The moment the tests stand at: after the approval request, before carol's click. */
export const NOW = new Date('2026-11-20T15:02:00Z');
export const ACCOUNT = '111122223333';
export const APPROVAL_ID = 'rmd-7c1e9a44d2b0';
/** carol.ops, who presses Approve in the shared Slack payload. */
export const CAROL = 'U05JX7RB2LM';
/** A second approver clicking at the same moment. */
export const DAVE = 'U05KD2M8QZP';
/** Where the approval request was posted (the shared Slack payload's container). */
export const APPROVAL_MESSAGE = { channel: 'C07PLATSEC9', ts: '1795186890.000200' };

/** The trigger the hub derives from the UpdateVirtualNode CloudTrail event. */
export function cloudTrailTrigger(): Trigger {
  const event = sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json');
  return {
    source: 'cloudtrail',
    eventId: event.id,
    eventTime: event.detail.eventTime,
    actor: event.detail.userIdentity.arn,
    summary: `${event.detail.eventName} ${event.detail.requestParameters.virtualNodeName} by alice@example.com`,
  };
}

/** The payments-api spec as UpdateVirtualNode returned it (listener PERMISSIVE, version 3). */
export function permissiveSpec(): Record<string, any> {
  return sharedEvent('aws/cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode.spec;
}

/** The same spec with the listener back to STRICT, validating clients with the mesh's file trust. */
export function strictSpec(): Record<string, any> {
  const spec = permissiveSpec();
  spec.listeners[0].tls = {
    certificate: spec.listeners[0].tls.certificate,
    mode: 'STRICT',
    validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } },
  };
  return spec;
}

/** mtls-not-strict on VirtualNode prod-mesh/payments-api port 8080, as the engine reports it from the App Mesh API. */
export function paymentsApiFinding(): Finding {
  const resource: ResourceRef = { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 };
  return {
    id: findingId('mtls-not-strict', 'appmesh', resource),
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'appmesh',
    resource,
    message:
      'VirtualNode prod-mesh/payments-api port 8080 accepts plaintext as well as mTLS (PERMISSIVE, set by listener-level VirtualNode prod-mesh/payments-api); require mTLS (STRICT).',
    detail: {
      mode: 'PERMISSIVE',
      cause: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', scope: 'listener' },
      hosts: ['payments-api.payments.svc.cluster.local'],
    },
    remediation: {
      action: 'appmesh.listener.set-strict',
      mode: 'approval',
      reason: 'listener 8080 of payments-api accepts plaintext; every client of it sends mTLS, so STRICT breaks none',
      change: {
        operation: 'update-virtual-node',
        meshName: 'prod-mesh',
        meshOwner: ACCOUNT,
        virtualNodeName: 'payments-api',
        expectedVersion: 3,
        resourceOwner: ACCOUNT,
        spec: strictSpec(),
      },
    },
  };
}

/** mtls-not-strict on an Istio workload port, caused by a namespace-wide PeerAuthentication. */
export function istioFinding(namespace: string, workload: string, mode: 'PERMISSIVE' | 'DISABLED' = 'PERMISSIVE'): Finding {
  const resource: ResourceRef = { kind: 'Deployment', name: workload, namespace, port: 8080 };
  return {
    id: findingId('mtls-not-strict', 'istio', resource),
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'istio',
    resource,
    message: `Deployment ${namespace}/${workload} port 8080 accepts ${mode === 'DISABLED' ? 'only plaintext' : 'plaintext as well as mTLS'} (${mode}, set by namespace-level PeerAuthentication ${namespace}/default); require mTLS (STRICT).`,
    detail: { mode, cause: { kind: 'PeerAuthentication', name: 'default', namespace, scope: 'namespace' }, hosts: [`${workload}.${namespace}.svc.cluster.local`] },
    remediation: null,
  };
}

/** An App Mesh CRD (appmesh.k8s.aws/v1beta2) VirtualNode: the resource has a mesh and a namespace. */
export function crdFinding(): Finding {
  const resource: ResourceRef = { kind: 'VirtualNode', name: 'orders-api', mesh: 'prod-mesh', namespace: 'orders', port: 8080, file: 'k8s/orders/virtualnode.yaml', line: 1 };
  return {
    id: findingId('mtls-not-strict', 'appmesh', resource),
    rule: 'mtls-not-strict',
    severity: 'medium',
    provider: 'appmesh',
    resource,
    message: 'VirtualNode orders/orders-api port 8080 accepts TLS without a verified client certificate (TLS_NO_CLIENT_AUTH, set by listener-level VirtualNode orders/orders-api (k8s/orders/virtualnode.yaml:1)); require mTLS (STRICT).',
    detail: { mode: 'TLS_NO_CLIENT_AUTH', cause: { kind: 'VirtualNode', name: 'orders-api', namespace: 'orders', mesh: 'prod-mesh', scope: 'listener', file: 'k8s/orders/virtualnode.yaml', line: 1 } },
    remediation: null,
  };
}

/** A finding record as observeFinding creates it: new, open, its notification owed. */
export function findingRecord(finding: Finding, over: Partial<FindingRecord> = {}): FindingRecord {
  return {
    id: finding.id,
    status: 'open',
    finding,
    firstSeen: '2026-11-20T15:01:20.000Z',
    lastSeen: '2026-11-20T15:01:20.000Z',
    trigger: cloudTrailTrigger(),
    notificationPending: true,
    version: 1,
    expiresAt: expiresAt(NOW),
    ...over,
  };
}

/** The approval request for the payments-api fix, as govern writes it. */
export function approvalRecord(over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  const finding = paymentsApiFinding();
  return {
    id: APPROVAL_ID,
    findingId: finding.id,
    state: 'PENDING',
    remediation: finding.remediation!,
    finding,
    requestedAt: '2026-11-20T15:01:30.000Z',
    approvalExpiresAt: '2026-11-21T15:01:30.000Z',
    team: 'payments',
    causedBy: cloudTrailTrigger().actor,
    version: 1,
    expiresAt: expiresAt(NOW),
    ...over,
  };
}

/** The change meshgov-remediator made once carol approved. */
export function changeRecord(over: Partial<ChangeRecord> = {}): ChangeRecord {
  const finding = paymentsApiFinding();
  return {
    id: 'chg-01JDQ5K3T8M2',
    findingId: finding.id,
    approvalId: APPROVAL_ID,
    provider: 'appmesh',
    action: 'appmesh.listener.set-strict',
    target: { meshName: 'prod-mesh', meshOwner: ACCOUNT, virtualNodeName: 'payments-api', arn: `arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/prod-mesh/virtualNode/payments-api` },
    before: { version: 3, spec: permissiveSpec() },
    after: { version: 4, spec: strictSpec() },
    reason: finding.remediation!.reason,
    trigger: cloudTrailTrigger(),
    approvedBy: CAROL,
    at: '2026-11-20T15:04:15.000Z',
    outcome: 'verified',
    detail: 'DescribeVirtualNode shows listener 8080 STRICT at version 4',
    service: 'appmesh:prod-mesh/payments-api',
    expiresAt: expiresAt(NOW),
    ...over,
  };
}

/** Epoch seconds one day before NOW: an item TTL would have deleted. */
export const EXPIRED = Math.floor(NOW.getTime() / 1000) - 86_400;
