/**
 * An apps/v1 Deployment of one container serving port 8080, as `kubectl get -o yaml` lays it
 * out (for the tests that need a workload and care about its metadata only).
 *
 * @param metadata lines added to `metadata` after the name, indented two spaces
 *   (`  namespace: orders\n`, then `  annotations:` and its entries); '' for none.
 */
export function deploymentYaml(name: string, metadata: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${metadata}spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: ${name}
          image: us-docker.pkg.dev/shop-prod/images/${name}:1.14.2
          ports:
            - containerPort: 8080
`;
}
