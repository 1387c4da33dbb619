import { deployment, docs, istioModelOf, namespaceYaml, peerAuthenticationYaml } from './testInventory';

/*
 * Which namespaces are App Mesh's, and left out of the Istio audit: Istio's own enrolment labels
 * win over a generic `mesh` label, and Mesh objects' namespaceSelectors decide where present.
 */

/** An App Mesh Mesh CRD, as in examples/aws-app-mesh/eks/mesh.yaml. */
const appMeshMesh = `apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata:
  name: prod-mesh
spec:
  namespaceSelector:
    matchLabels:
      mesh: prod-mesh
  egressFilter:
    type: DROP_ALL
`;

const permissive = peerAuthenticationYaml('istio-system', 'default', 'PERMISSIVE');
const frontend = deployment('shop', 'frontend', { ports: [{ containerPort: 8080, name: 'http' }] });
const serverIds = (yaml: string) => istioModelOf(yaml).servers.map((s) => s.id);

describe('App Mesh namespaces in an Istio audit', () => {
  it('audits a namespace labelled istio-injection=enabled and mesh: istio', () => {
    expect(serverIds(docs(namespaceYaml('shop', { 'istio-injection': 'enabled', mesh: 'istio' }), frontend, permissive))).toEqual(['istio:shop/Deployment/frontend:8080']);
  });

  it('lets istio.io/rev and ambient enrolment win over a mesh label too', () => {
    expect(serverIds(docs(namespaceYaml('shop', { 'istio.io/rev': '1-24-2', mesh: 'istio' }), frontend, permissive))).toHaveLength(1);
    expect(serverIds(docs(namespaceYaml('shop', { 'istio.io/dataplane-mode': 'ambient', mesh: 'istio' }), frontend, permissive))).toHaveLength(1);
  });

  it('leaves out a namespace the App Mesh injector webhook is enabled for', () => {
    expect(serverIds(docs(namespaceYaml('shop', { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' }), frontend, permissive))).toEqual([]);
  });

  it('takes a mesh label without Istio labels for App Mesh when no Mesh object is given', () => {
    expect(serverIds(docs(namespaceYaml('shop', { mesh: 'prod-mesh' }), frontend, permissive))).toEqual([]);
  });

  it('with Mesh objects, leaves out only the namespaces their namespaceSelector selects', () => {
    expect(serverIds(docs(appMeshMesh, namespaceYaml('shop', { mesh: 'prod-mesh' }), frontend, permissive))).toEqual([]);
    expect(serverIds(docs(appMeshMesh, namespaceYaml('shop', { mesh: 'platform-team' }), frontend, permissive))).toEqual(['istio:shop/Deployment/frontend:8080']);
  });
});
