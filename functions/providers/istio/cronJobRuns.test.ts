import { docs, istioModelOf, namespaceYaml, peerAuthenticationYaml } from './testInventory';
import { podOwnerOf } from './workloads';

/** A running Pod of the Job `nightly-report-<minutes>` the CronJob made, as `kubectl get pods -o yaml` shows it. */
const runPod = (minutes: number, suffix: string) => `apiVersion: v1
kind: Pod
metadata:
  name: nightly-report-${minutes}-${suffix}
  namespace: batch
  labels:
    app: nightly-report
    batch.kubernetes.io/controller-uid: 8d2707d7-fe69-4199-926c-8264a521${suffix}
    batch.kubernetes.io/job-name: nightly-report-${minutes}
    controller-uid: 8d2707d7-fe69-4199-926c-8264a521${suffix}
    job-name: nightly-report-${minutes}
  annotations:
    sidecar.istio.io/inject: "false"
  ownerReferences:
  - apiVersion: batch/v1
    blockOwnerDeletion: true
    controller: true
    kind: Job
    name: nightly-report-${minutes}
    uid: 23ec7597-9615-432e-71b5-ff5581${suffix}
spec:
  restartPolicy: OnFailure
  containers:
  - name: report
    image: registry.example.com/batch/nightly-report:2.3.0
status:
  phase: Running
`;

/** The Job itself, with the CronJob's controller reference (the CronJob is not exported). */
const runJob = (minutes: number) => `apiVersion: batch/v1
kind: Job
metadata:
  name: nightly-report-${minutes}
  namespace: batch
  ownerReferences:
  - apiVersion: batch/v1
    blockOwnerDeletion: true
    controller: true
    kind: CronJob
    name: nightly-report
    uid: 0c5f1e2d-3a4b-4c6d-8e9f-a0b1c2d3e4f5
spec:
  template:
    metadata:
      labels:
        app: nightly-report
        batch.kubernetes.io/job-name: nightly-report-${minutes}
        job-name: nightly-report-${minutes}
      annotations:
        sidecar.istio.io/inject: "false"
    spec:
      restartPolicy: OnFailure
      containers:
      - name: report
        image: registry.example.com/batch/nightly-report:2.3.0
`;

const base = [namespaceYaml('batch'), peerAuthenticationYaml('istio-system', 'default', 'STRICT')];

describe('CronJob runs whose CronJob the inputs lack', () => {
  it('reads a Pod of a Job named <cronjob>-<scheduled minutes> as the CronJob', () => {
    const model = istioModelOf(docs(...base, runPod(29870000, 'ed421'), runPod(29870060, 'bc735')));
    expect(model.membership.map((m) => [m.id, m.resource.kind, m.resource.name])).toEqual([['istio:batch/CronJob/nightly-report', 'CronJob', 'nightly-report']]);
  });

  it('gives the same id whatever run is running, so a baseline keeps absorbing it', () => {
    const first = istioModelOf(docs(...base, runPod(29870000, 'ed421')));
    const next = istioModelOf(docs(...base, runPod(29870060, 'bc735')));
    expect(first.membership.map((m) => m.id)).toEqual(next.membership.map((m) => m.id));
    // Per-run labels do not reach the workload's labels.
    expect(first.membership[0]!.labels).toEqual({ app: 'nightly-report' });
  });

  it('groups exported Jobs under the CronJob their controller reference names', () => {
    const model = istioModelOf(docs(...base, runJob(29870000), runJob(29870060), runPod(29870060, 'bc735')));
    expect(model.membership.map((m) => m.id)).toEqual(['istio:batch/CronJob/nightly-report']);
  });

  it('leaves a Job whose name does not end in a schedule time as a Job', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'batch', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'db-migrate-42', uid: 'u', controller: true }] } };
    expect(podOwnerOf(pod)).toEqual({ kind: 'Job', name: 'db-migrate-42' });
    pod.metadata.ownerReferences[0]!.name = 'nightly-report-29870060';
    expect(podOwnerOf(pod)).toEqual({ kind: 'CronJob', name: 'nightly-report' });
  });
});
