/**
 * The App Mesh part of the FleetModel, from the normalised graph: servers (listeners), clients
 * (backends), their fixes, and the certificate files they name.
 */
import type { KubeObject, Located, PemInput } from '../../core/model/inventory';
import { emptyModel, type FleetModel, type ResourceRef } from '../../core/model/types';
import { describeResource } from '../../core/rules/rule';
import { linkCertificateFiles, PemFileNames } from './certificate-links';
import { CallerReach } from './caller-reach';
import { ListenerCallers } from './caller-trust';
import { ClusterCallers } from './cluster-callers';
import { buildClients } from './clients';
import { CertificateFiles, DestinationTrusts } from './destination-trust';
import { AppMeshIndex } from './graph-index';
import { resourceOf } from './ids';
import { SanPins } from './san-pins';
import { listenerStrictFix } from './listener-fix';
import type { NormalizedAppMesh } from './normalize';
import type { CertificateFileUse } from './pem-certificates';
import { VirtualServiceResolver } from './resolve';
import { buildServers, type ListenerOwner, type ServerTable } from './servers';
import { TrustPools } from './trust-pool';
import { TrustRefusals } from './trust-refusals';
import type { AppMeshGraph, AppMeshVirtualNode, ClientPolicySpec } from './types';

/**
 * @param kubernetes the Kubernetes objects read with the App Mesh ones: the workloads, Services
 *   and Ingresses that show who calls each virtual node (cluster-callers.ts); none when the audit
 *   reads App Mesh alone, and then nothing shows it.
 */
export function buildModelFromGraph(
  normalized: NormalizedAppMesh,
  pem: Located<PemInput>[],
  fileIdentity?: (file: string) => string,
  kubernetes: readonly Located<KubeObject>[] = [],
): FleetModel {
  const { graph } = normalized;
  const problems = [...normalized.problems];
  const model = emptyModel();
  model.resourceCount = normalized.resourceCount;

  const index = new AppMeshIndex(graph, problems);
  const resolver = new VirtualServiceResolver(index);
  const pools = new TrustPools(graph);
  const servers = buildServers(graph, problems);

  addServiceHosts(graph, resolver, servers);
  const files = new CertificateFiles(pem, fileIdentity);
  const callers = new ListenerCallers();
  const sanPins = new SanPins(files);
  const reach = new CallerReach();
  model.clients = buildClients(graph, index, resolver, servers, pools, new DestinationTrusts(files), callers, sanPins, new TrustRefusals(files), reach);
  // After the clients: a listener's fix checks its trust and SAN pins against the certificates of its callers.
  addListenerFixes(servers, pools, callers, files, sanPins, reach, new ClusterCallers(kubernetes, graph));
  model.servers = servers.servers;
  // Without PEM files there is nothing to link: skip collecting the uses.
  model.certificates = pem.length > 0 ? linkCertificateFiles(pem, certificateFileUses(graph, servers, new PemFileNames(pem)), fileIdentity) : [];
  model.problems = problems;
  return model;
}

/** Virtual service names are hostnames: each listener answers for the services that reach it. */
function addServiceHosts(graph: AppMeshGraph, resolver: VirtualServiceResolver, servers: ServerTable): void {
  for (let i = 0; i < graph.services.length; i++) {
    const service = graph.services[i];
    const ports = resolver.resolveOwn(service).ports;
    for (let p = 0; p < ports.length; p++) {
      const reached = ports[p].listeners;
      for (let r = 0; r < reached.length; r++) {
        const server = servers.byListener.get(reached[r]);
        // `concat`, not `push`: the list may be the owner's own (servers.ts), and a pushed array
        // reserves room for 17 where a server has a few hosts.
        if (server && !server.hosts.includes(service.awsName)) server.hosts = server.hosts.concat(service.awsName);
      }
    }
  }
}

/** A fix for every listener that accepts more than mTLS. */
function addListenerFixes(
  servers: ServerTable,
  pools: TrustPools,
  callers: ListenerCallers,
  files: CertificateFiles,
  sanPins: SanPins,
  reach: CallerReach,
  cluster: ClusterCallers,
): void {
  for (let i = 0; i < servers.served.length; i++) {
    const { server, owner, listener } = servers.served[i];
    if (server.mode === 'STRICT') continue;
    const unreached = reach.blockersOf(server.id);
    // A gateway's clients are all outside the mesh, which its fix says already (listener-fix.ts).
    if (owner.kind === 'VirtualNode') {
      const takesPlaintext = server.mode === 'PERMISSIVE' || server.mode === 'DISABLED';
      unreached.push(...cluster.blockersOf(owner, listener.port!, describeResource(server.resource), takesPlaintext));
    }
    server.fix = listenerStrictFix(owner, listener, server, pools.poolOf(owner), callers.of(server.id), files, sanPins, unreached);
  }
}

/**
 * Every `file.certificateChain` an App Mesh spec names, with who uses it. Only paths whose file
 * name is one of the PEM files read are kept: no other path can link to a file.
 */
function certificateFileUses(graph: AppMeshGraph, servers: ServerTable, pemNames: PemFileNames): CertificateFileUse[] {
  const uses: CertificateFileUse[] = [];
  for (let i = 0; i < servers.served.length; i++) {
    const { server, listener } = servers.served[i];
    const tls = listener.tls;
    if (!tls) continue;
    const chain = tls.certificate?.file?.certificateChain;
    if (isLinkable(chain, pemNames)) uses.push({ path: chain, usedBy: server.resource });
    const trustChain = tls.validation?.trust?.file?.certificateChain;
    if (isLinkable(trustChain, pemNames)) uses.push({ path: trustChain, usedBy: server.resource });
  }
  for (let i = 0; i < graph.nodes.length; i++) addPolicyUses(uses, graph.nodes[i], pemNames);
  for (let i = 0; i < graph.gateways.length; i++) addPolicyUses(uses, graph.gateways[i], pemNames);
  return uses;
}

function isLinkable(path: unknown, pemNames: PemFileNames): path is string {
  return typeof path === 'string' && path !== '' && pemNames.includesNameOf(path);
}

/** The certificate files of an owner's client policies; one ResourceRef for all of them. */
function addPolicyUses(uses: CertificateFileUse[], owner: ListenerOwner, pemNames: PemFileNames): void {
  let usedBy: ResourceRef | undefined;
  const policyCount = owner.kind === 'VirtualNode' ? owner.backends.length + 1 : 1;
  for (let p = 0; p < policyCount; p++) {
    const policy: ClientPolicySpec | undefined = p === 0 ? owner.backendDefaults : (owner as AppMeshVirtualNode).backends[p - 1].clientPolicy;
    const tls = policy?.tls;
    if (!tls) continue;
    const chain = tls.certificate?.file?.certificateChain;
    if (isLinkable(chain, pemNames)) uses.push({ path: chain, usedBy: (usedBy ??= resourceOf(owner)) });
    const trustChain = tls.validation?.trust?.file?.certificateChain;
    if (isLinkable(trustChain, pemNames)) uses.push({ path: trustChain, usedBy: (usedBy ??= resourceOf(owner)) });
  }
}
