import { deployment, docs, istioModelOf, namespaceYaml } from './testInventory';

/*
 * The provider reads a fleet only on positive evidence of Istio. A chart's opt-out
 * (`sidecar.istio.io/inject: "false"`) says nothing about the mesh the cluster runs.
 */

/** A CronJob run's Pod of a chart that opts out of Istio injection, as on an App Mesh EKS cluster. */
const chartJobPod = (inject: string) => `apiVersion: v1
kind: Pod
metadata:
  name: cleanup-29870000-ecf45
  namespace: karpenter
  labels:
    app: cleanup
  annotations:
    sidecar.istio.io/inject: "${inject}"
  ownerReferences:
  - apiVersion: batch/v1
    blockOwnerDeletion: true
    controller: true
    kind: Job
    name: cleanup-29870000
    uid: 99f86c8d-f845-4ed9-913d-d1a6e9d40f2b
spec:
  restartPolicy: OnFailure
  containers:
  - name: c
    image: busybox
status:
  phase: Running
`;

/** A pure App Mesh EKS cluster's namespaces and workloads. */
const eks = [
  namespaceYaml('appmesh-system', {}),
  namespaceYaml('amazon-cloudwatch', {}),
  namespaceYaml('karpenter', {}),
  deployment('appmesh-system', 'appmesh-controller', { ports: [9443] }),
  deployment('amazon-cloudwatch', 'cloudwatch-agent', { kind: 'DaemonSet', ports: [4315] }),
  deployment('karpenter', 'karpenter', { ports: [8000] }),
];

describe('positive evidence of Istio', () => {
  it('reads nothing of an App Mesh cluster whose only Istio key is an opt-out', () => {
    const model = istioModelOf(docs(...eks, chartJobPod('false')));
    expect(model.membership).toEqual([]);
    expect(model.servers).toEqual([]);
  });

  it('nor of one with a namespace labelled istio-injection=disabled', () => {
    expect(istioModelOf(docs(...eks, namespaceYaml('legacy', { 'istio-injection': 'disabled' }))).servers).toEqual([]);
  });

  it('reads the fleet when a pod opts in, or a namespace enrols its pods', () => {
    expect(istioModelOf(docs(...eks, chartJobPod('true'))).servers.length).toBeGreaterThan(0);
    expect(istioModelOf(docs(...eks, namespaceYaml('shop', { 'istio-injection': 'enabled' }))).servers.length).toBeGreaterThan(0);
    expect(istioModelOf(docs(...eks, namespaceYaml('shop', { 'istio.io/rev': '1-24-2' }))).servers.length).toBeGreaterThan(0);
    expect(istioModelOf(docs(...eks, namespaceYaml('shop', { 'istio.io/dataplane-mode': 'ambient' }))).servers.length).toBeGreaterThan(0);
  });

  it('reads the fleet when a pod carries the injector’s status annotation', () => {
    const injected = deployment('shop', 'cart', { annotations: { 'sidecar.istio.io/status': '{\\"containers\\":[\\"istio-proxy\\"]}' } });
    expect(istioModelOf(docs(...eks, injected)).servers.length).toBeGreaterThan(0);
  });
});
