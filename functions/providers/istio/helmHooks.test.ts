import { docs, istioModelOf, namespaceYaml, peerAuthenticationYaml } from './testInventory';

/*
 * `helm template` output of a `helm create` chart: the Service, the Deployment, and the
 * templates/tests/test-connection.yaml Pod that `helm test` runs once (a wget, no ports).
 */
const service = `apiVersion: v1
kind: Service
metadata:
  name: frontend
  namespace: shop
  labels:
    helm.sh/chart: shop-0.3.0
    app.kubernetes.io/name: frontend
    app.kubernetes.io/instance: release-name
spec:
  type: ClusterIP
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
      name: http
  selector:
    app.kubernetes.io/name: frontend
    app.kubernetes.io/instance: release-name
`;

const deploymentYaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  namespace: shop
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: frontend
      app.kubernetes.io/instance: release-name
  template:
    metadata:
      labels:
        app.kubernetes.io/name: frontend
        app.kubernetes.io/instance: release-name
    spec:
      containers:
        - name: frontend
          image: "frontend:1.0"
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
`;

/** The chart's test Pod; `labels` as the chart's helpers give them. */
const testConnection = (labels: string, hook = 'test') => `apiVersion: v1
kind: Pod
metadata:
  name: "frontend-test-connection"
  namespace: shop
  labels:
${labels}
  annotations:
    "helm.sh/hook": ${hook}
spec:
  containers:
    - name: wget
      image: busybox
      command: ['wget']
      args: ['frontend:80']
  restartPolicy: Never
`;

/** A pre-install hook Job of the chart: it runs once, before the release's objects. */
const migrateHook = `apiVersion: batch/v1
kind: Job
metadata:
  name: frontend-db-migrate
  namespace: shop
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-delete-policy": before-hook-creation
spec:
  template:
    metadata:
      labels:
        app.kubernetes.io/name: frontend-migrate
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: "frontend-migrate:1.0"
          ports:
            - name: metrics
              containerPort: 9102
`;

const fleet = (...extra: string[]) =>
  istioModelOf(docs(namespaceYaml('shop'), peerAuthenticationYaml('istio-system', 'default', 'PERMISSIVE'), service, deploymentYaml, ...extra));

describe('Helm hooks and workloads with nothing listening', () => {
  it('audits the Deployment, not the helm test Pod', () => {
    const model = fleet(testConnection('    app.kubernetes.io/name: frontend'));
    expect(model.servers.map((s) => s.id)).toEqual(['istio:shop/Deployment/frontend:8080']);
  });

  it('skips a hook Pod even when the Service selects it (the chart gave it the selector labels)', () => {
    const model = fleet(testConnection('    app.kubernetes.io/name: frontend\n    app.kubernetes.io/instance: release-name'));
    expect(model.servers.map((s) => s.id)).toEqual(['istio:shop/Deployment/frontend:8080']);
  });

  it('skips pre-install hook Jobs, however they declare ports', () => {
    expect(fleet(migrateHook).servers.map((s) => s.id)).toEqual(['istio:shop/Deployment/frontend:8080']);
  });

  it('builds no server for a Pod without ports that no Service selects, though it counts as a member', () => {
    const worker = testConnection('    app.kubernetes.io/name: frontend-probe', 'test').replace(/\n  annotations:\n    "helm.sh\/hook": test/, '');
    const model = fleet(worker);
    expect(model.servers.map((s) => s.id)).toEqual(['istio:shop/Deployment/frontend:8080']);
    expect(model.membership).toEqual([]);
  });
});
