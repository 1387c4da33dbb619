/**
 * The App Mesh part of the FleetModel, from the normalised graph: servers (listeners), clients
 * (backends), their fixes, and the certificate files they name.
 */
import type { Located, PemInput } from '../../core/model/inventory';
import { emptyModel, type FleetModel, type ResourceRef } from '../../core/model/types';
import { linkCertificateFiles } from './certificate-links';
import { buildClients } from './clients';
import { AppMeshIndex } from './graph-index';
import { resourceOf } from './ids';
import { listenerStrictFix } from './listener-fix';
import type { NormalizedAppMesh } from './normalize';
import type { CertificateFileUse } from './pem-certificates';
import { VirtualServiceResolver } from './resolve';
import { buildServers, type ServerTable } from './servers';
import { TrustPools } from './trust-pool';
import type { AppMeshGraph, ClientPolicySpec } from './types';

export function buildModelFromGraph(normalized: NormalizedAppMesh, pem: Located<PemInput>[]): FleetModel {
  const { graph } = normalized;
  const problems = [...normalized.problems];
  const model = emptyModel();
  model.resourceCount = normalized.resourceCount;

  const index = new AppMeshIndex(graph, problems);
  const resolver = new VirtualServiceResolver(index);
  const pools = new TrustPools(graph);
  const servers = buildServers([...graph.nodes, ...graph.gateways], problems);

  // Virtual service names are hostnames: each listener answers for the services that reach it.
  for (const { service, destination } of resolver.resolveAll(graph.services)) {
    for (const port of destination.ports) {
      for (const reached of port.listeners) {
        const server = servers.byListener.get(reached.listener);
        if (server && !server.hosts.includes(service.awsName)) server.hosts.push(service.awsName);
      }
    }
  }

  for (const server of servers.servers) {
    if (server.mode === 'STRICT') continue;
    const { owner, listener } = servers.ownerOf.get(server)!;
    server.fix = listenerStrictFix(owner, listener, server.id, pools.poolOf(owner.mesh));
  }

  model.servers = servers.servers;
  model.clients = buildClients(graph, index, resolver, servers, pools);
  // Without PEM files there is nothing to link: skip collecting the uses.
  model.certificates = pem.length > 0 ? linkCertificateFiles(pem, certificateFileUses(graph, servers), problems) : [];
  model.problems = problems;
  return model;
}

/** Every `file.certificateChain` an App Mesh spec names, with who uses it. */
function certificateFileUses(graph: AppMeshGraph, servers: ServerTable): CertificateFileUse[] {
  const uses: CertificateFileUse[] = [];
  const add = (path: unknown, usedBy: ResourceRef) => {
    if (typeof path === 'string' && path) uses.push({ path, usedBy });
  };
  for (const server of servers.servers) {
    const { listener } = servers.ownerOf.get(server)!;
    add(listener.tls?.certificate?.file?.certificateChain, server.resource);
    add(listener.tls?.validation?.trust?.file?.certificateChain, server.resource);
  }
  for (const owner of [...graph.nodes, ...graph.gateways]) {
    const policies: Array<ClientPolicySpec | undefined> = [owner.backendDefaults];
    if (owner.kind === 'VirtualNode') for (const backend of owner.backends) policies.push(backend.clientPolicy);
    let usedBy: ResourceRef | undefined;
    for (const policy of policies) {
      const tls = policy?.tls;
      if (!tls) continue;
      usedBy ??= resourceOf(owner);
      add(tls.certificate?.file?.certificateChain, usedBy);
      add(tls.validation?.trust?.file?.certificateChain, usedBy);
    }
  }
  return uses;
}
