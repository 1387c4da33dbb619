import type { KubeObject, Located } from '../../core/model/inventory';
import type { ModelBuilder } from '../../core/model/provider';
import type { LabelSelector } from '../appmesh/types';
import { emptyModel, type ConfigProblem, type FieldLocator, type FleetModel, type MeshMembership } from '../../core/model/types';
import { ambientOnlyNamespaces } from './ambientCallers';
import { embeddedLineFinder } from './blockScalarLine';
import { attachClientFixes } from './clientFixes';
import { buildClients, serviceNeedsDestination } from './clients';
import { callerControlPlanes } from './controlPlanes';
import { collectDestinations } from './destinations';
import { readDestinationRule, type DestinationRulePolicy } from './destinationRule';
import { DestinationRuleIndex } from './destinationRuleIndex';
import { inNamespaces, selectIstioInputs, showsIstio } from './istioInputs';
import { readMeshSettings } from './meshConfig';
import {
  namespaceInMesh,
  namespaceOutsideReason,
  podTemplateEnrols,
  readNamespace,
  unknownNamespace,
  unreadInjectionLabel,
  workloadMembership,
  type NamespaceInfo,
  type PodEvidence,
} from './membership';
import { NamespaceRun } from './namespaceRun';
import { bypassingCaller, outboundBypasses } from './outboundCapture';
import { addPlaintextCallerBlockers } from './plaintextCallers';
import { passthroughCallers, readSidecars } from './sidecarScope';
import { markMultiClusterIngressRoutes } from './multiClusterIngress';
import { markOutsideRoutes } from './outsideRoutes';
import { GmpScrapes } from './podMonitorings';
import { nameOf, namespaceOf, objectKey } from './objectKey';
import { PeerAuthenticationIndex, readPeerAuthentication, type PeerAuthenticationPolicy } from './peerAuthentication';
import { attachServerFixes } from './serverFixes';
import { buildServers } from './servers';
import { readServiceEntry, type ServiceEntryHosts } from './serviceEntry';
import { attachEntryServices, serviceEntryServices } from './serviceEntryEndpoints';
import { readService, ServiceIndex } from './services';
import { WorkloadTable } from './workloadTable';
import { addToPodGroup, cronJobOwnerKey, hasIstioProxy, hasOwner, isTerminatedPod, ownerWorkloadKey, podOwnerOf, readPodGroup, readWorkload, type Workload } from './workloads';

/**
 * The Istio provider's model: servers (workload ports and the mTLS mode their sidecar
 * enforces), clients (what each calling namespace sends to each host), mesh membership and
 * configuration problems, all computed once from PeerAuthentication, DestinationRule,
 * ServiceEntry, the MeshConfig and the Kubernetes objects that give them context.
 */
export const buildIstioModel: ModelBuilder = (inventory, context) => {
  const model: FleetModel = emptyModel();
  const inputs = selectIstioInputs(inventory);
  if (!showsIstio(inputs)) return model;
  const problems: ConfigProblem[] = model.problems;

  // Namespaces: App Mesh's are not Istio's, so their workloads and Services are left alone.
  const namespaces = new Map<string, NamespaceInfo>();
  const appMeshNamespaces = new Set<string>();
  const appMeshSelectors = meshNamespaceSelectors(inputs.appMeshMeshes);
  for (const obj of inputs.namespaces) {
    const info = readNamespace(obj, appMeshSelectors);
    if (info.appMesh) appMeshNamespaces.add(info.name);
    else namespaces.set(info.name, info);
  }
  const namespaceInfo = (name: string): NamespaceInfo => namespaces.get(name) ?? unknownNamespace(name);
  const namespaceInfoRun = new NamespaceRun(namespaceInfo);

  const mesh = readMeshSettings(inputs.meshConfigMaps, context.istioRootNamespace, embeddedLineFinder(inventory.fieldLine));
  problems.push(...mesh.problems);
  const settings = mesh.settings;

  const peerAuthentications: PeerAuthenticationPolicy[] = [];
  for (const obj of inputs.peerAuthentications) {
    const read = readPeerAuthentication(obj);
    problems.push(...read.problems);
    if (read.policy) peerAuthentications.push(read.policy);
  }
  const paIndex = new PeerAuthenticationIndex(peerAuthentications, settings.rootNamespace);

  const destinationRules: DestinationRulePolicy[] = [];
  for (const obj of inputs.destinationRules) {
    const read = readDestinationRule(obj);
    problems.push(...read.problems);
    if (read.rule) destinationRules.push(read.rule);
  }
  const drIndex = new DestinationRuleIndex(destinationRules, settings, context.istioDestinationRuleMerge ? { merge: context.istioDestinationRuleMerge } : {});

  const serviceEntries: ServiceEntryHosts[] = [];
  for (const obj of inputs.serviceEntries) {
    const read = readServiceEntry(obj);
    problems.push(...read.problems);
    if (read.entry) serviceEntries.push(read.entry);
  }

  // Workloads: controllers and standalone Pods. Pods a controller owns only show whether its
  // sidecar is there; when that controller is not among the inputs (`kubectl get pods`), its
  // Pods are the workload, one per controller however many replicas run.
  const { controllers, orphanRuns } = withoutCronJobsJobs(inNamespaces(inputs.controllers, appMeshNamespaces));
  const pods = inNamespaces(inputs.pods, appMeshNamespaces);
  // Evicted, completed and terminating Pods linger after their last traffic: only live ones count.
  const servingPods = pods.filter((p) => !isTerminatedPod(p.doc));
  const workloads: Workload[] = controllers.map(readWorkload);
  // Runs of a CronJob the inputs lack stand for it: one workload whose id outlives each run.
  const runOf = new Map<string, string>();
  const grouped = new Set<string>();
  for (const run of orphanRuns) {
    const cronJob = cronJobOwnerKey(run.doc)!;
    if (!grouped.has(cronJob)) {
      grouped.add(cronJob);
      workloads.push(readPodGroup(run, { kind: 'CronJob', name: cronJob.slice(cronJob.indexOf('/CronJob/') + '/CronJob/'.length) }));
    }
    runOf.set(objectKey('Job', namespaceOf(run.doc), nameOf(run.doc)), cronJob);
  }
  const controllerKeys = new Set<string>();
  for (let i = 0; i < workloads.length; i++) controllerKeys.add(workloads[i]!.key);
  const podGroups = new Map<string, Workload>();
  const evidence = new Map<string, PodEvidence[]>();
  const addEvidence = (key: string, pod: KubeObject): void => {
    let list = evidence.get(key);
    if (!list) evidence.set(key, (list = []));
    const annotations = (pod.metadata?.annotations ?? {}) as Record<string, string>;
    list.push({ podName: nameOf(pod), hasSidecar: hasIstioProxy(pod.spec, annotations) });
  };
  for (const pod of servingPods) {
    if (!hasOwner(pod.doc)) {
      workloads.push(readWorkload(pod));
      continue;
    }
    const ownerKey = ownerWorkloadKey(pod.doc, controllerKeys);
    const owner = ownerKey !== undefined ? (runOf.get(ownerKey) ?? ownerKey) : undefined;
    if (owner !== undefined && controllerKeys.has(owner)) {
      addEvidence(owner, pod.doc);
      continue;
    }
    const podOwner = podOwnerOf(pod.doc);
    if (!podOwner) {
      // Owner references but no controller: nothing manages the Pod, so it is its own workload.
      workloads.push(readWorkload(pod));
      continue;
    }
    const key = objectKey(podOwner.kind, namespaceOf(pod.doc), podOwner.name);
    if (!controllerKeys.has(key)) {
      const group = podGroups.get(key);
      if (group) addToPodGroup(group, pod);
      else {
        const workload = readPodGroup(pod, podOwner);
        podGroups.set(key, workload);
        workloads.push(workload);
      }
    }
    addEvidence(key, pod.doc);
  }

  const workloadTable = new WorkloadTable(workloads, (w) => {
    const pods = evidence.size === 0 ? NO_PODS : (evidence.get(w.key) ?? NO_PODS);
    return workloadMembership(w, namespaceInfoRun.get(w.namespace), pods);
  });

  const services = inNamespaces(inputs.services, appMeshNamespaces).map(readService);
  // Load balancers and gateways of other classes than Istio's send to some Services' pods in plaintext.
  markOutsideRoutes(services, inputs, settings.ingressClass);
  // ServiceEntries that select pods give those pods more hosts, which clients reach like a Service's.
  const entryServices = serviceEntryServices(serviceEntries, services);
  const serviceIndex = new ServiceIndex(entryServices.length > 0 ? [...services, ...entryServices] : services);
  // Each control plane's own MeshConfig serves the sidecars it injected; only auto mTLS differs in what clients send.
  const planes = callerControlPlanes(mesh.revisions, settings, namespaceInfo, inputs.revisionTags, workloadTable);
  const needsDestination = serviceNeedsDestination(drIndex, settings, ...mesh.revisions.values());
  // Every ServiceEntry host gets a destination anyway (destinations.ts): its workloads must be known behind it.
  for (const svc of entryServices) needsDestination.add(svc);
  const serverTable = buildServers(workloadTable, serviceIndex, paIndex, needsDestination, problems);
  markMultiClusterIngressRoutes(serverTable.records, inputs.multiClusterIngress);
  attachServerFixes(serverTable.records, paIndex, settings.enablePrometheusMerge, inputs.gmpScrapeConfigs.length > 0 ? new GmpScrapes(inputs.gmpScrapeConfigs) : undefined);
  // Callers with a sidecar that lets some calls out uncaptured send those in plaintext, as sidecar-less ones do.
  addPlaintextCallerBlockers(serverTable.records, [
    ...outboundBypasses(workloadTable).map(bypassingCaller),
    ...passthroughCallers(readSidecars(inNamespaces(inputs.sidecars, appMeshNamespaces)), workloadTable, settings.rootNamespace, settings.outboundTrafficPolicy),
  ]);
  model.servers = serverTable.records.map((r) => r.endpoint);

  const workloadsByNamespace = new Map<string, Workload[]>();
  const workloadListOf = new NamespaceRun((namespace) => {
    let list = workloadsByNamespace.get(namespace);
    if (!list) workloadsByNamespace.set(namespace, (list = []));
    return list;
  });
  for (let i = 0; i < workloads.length; i++) workloadListOf.get(workloads[i]!.namespace).push(workloads[i]!);
  const callerNamespaces = [...new Set([...workloadsByNamespace.keys(), ...destinationRules.map((r) => r.namespace)])].filter((ns) => !appMeshNamespaces.has(ns));
  // ztunnel's callers send what no DestinationRule or auto mTLS setting decides: they are not judged as clients.
  const ambientCallers = ambientOnlyNamespaces(callerNamespaces, workloadTable, namespaceInfo);
  const clientNamespaces = callerNamespaces.filter((ns) => !ambientCallers.has(ns)).sort();
  const destinations = collectDestinations(services, serviceEntries, destinationRules, needsDestination);
  attachEntryServices(destinations, entryServices);
  const clientRecords = buildClients({
    index: drIndex,
    mesh: settings,
    destinations,
    clientNamespaces,
    workloadsByNamespace,
    servers: serverTable,
    ...(planes ? { planes } : {}),
  });
  attachClientFixes(clientRecords, drIndex);
  model.clients = clientRecords.map((r) => r.policy);

  model.membership = membershipEntries(namespaces, workloadTable, namespaceInfo, inventory.fieldLine);

  model.resourceCount =
    inputs.peerAuthentications.length +
    inputs.destinationRules.length +
    inputs.serviceEntries.length +
    inputs.meshConfigMaps.length +
    namespaces.size +
    services.length +
    controllers.length +
    orphanRuns.length +
    pods.length +
    inputs.ingresses.length +
    inputs.gateways.length +
    inputs.routes.length +
    inputs.multiClusterIngress.length +
    inputs.targetGroupBindings.length +
    inputs.sidecars.length;
  return model;
};

const NO_PODS: readonly PodEvidence[] = Object.freeze([]);

/**
 * The controllers less the Jobs a CronJob made: those run the CronJob's template, so the CronJob
 * is the workload (a person fixes it, not each run), and their Pods its evidence. The runs of a
 * CronJob the inputs lack come back as `orphanRuns`, to stand for it.
 */
function withoutCronJobsJobs(all: Located<KubeObject>[]): { controllers: Located<KubeObject>[]; orphanRuns: Located<KubeObject>[] } {
  let cronJobs: Set<string> | undefined;
  let runs = false;
  for (let i = 0; i < all.length; i++) {
    const doc = all[i]!.doc;
    if (doc.kind === 'CronJob') (cronJobs ??= new Set()).add(objectKey('CronJob', namespaceOf(doc), nameOf(doc)));
    else if (doc.kind === 'Job' && cronJobOwnerKey(doc) !== undefined) runs = true;
  }
  if (!runs) return { controllers: all, orphanRuns: [] };
  const controllers: Located<KubeObject>[] = [];
  const orphanRuns: Located<KubeObject>[] = [];
  for (const c of all) {
    const owner = c.doc.kind === 'Job' ? cronJobOwnerKey(c.doc) : undefined;
    if (owner === undefined) controllers.push(c);
    else if (!cronJobs?.has(owner)) orphanRuns.push(c);
  }
  return { controllers, orphanRuns };
}

/** The Meshes' `namespaceSelector`s; an absent one selects no namespace (App Mesh mesh_types.go). */
function meshNamespaceSelectors(meshes: readonly Located<KubeObject>[]): LabelSelector[] {
  const out: LabelSelector[] = [];
  for (const { doc } of meshes) {
    const selector = doc.spec?.namespaceSelector;
    if (selector && typeof selector === 'object') out.push(selector as LabelSelector);
  }
  return out;
}

/** An `istio-injection` label with a value the injector does not read (`Enabled`) is what to fix: the finding points at its line. */
function injectionLabelLine(ns: NamespaceInfo, fieldLine: FieldLocator | undefined): { line: number } | undefined {
  if (!ns.source || !fieldLine || unreadInjectionLabel(ns) === undefined) return undefined;
  const line = fieldLine(ns.source.file, ns.source.line, 'metadata.labels["istio-injection"]');
  return line === undefined ? undefined : { line };
}

function membershipEntries(
  namespaces: ReadonlyMap<string, NamespaceInfo>,
  table: WorkloadTable,
  namespaceInfo: (name: string) => NamespaceInfo,
  fieldLine: FieldLocator | undefined,
): MeshMembership[] {
  const out: MeshMembership[] = [];
  // A namespace without injection is a finding (and a plaintext caller the gate weighs) only
  // through a workload that needs the namespace: one outside the mesh, or one whose sidecars
  // came from a namespace label since removed (it loses them at its next restart). An empty
  // namespace, or one whose workloads all enrol themselves (the gateway chart's
  // `sidecar.istio.io/inject: "true"` label), calls nobody in plaintext.
  const withOutsideWorkload = new Set<string>();
  for (let i = 0; i < table.workloads.length; i++) {
    const w = table.workloads[i]!;
    if (!table.entries[i]!.membership.inMesh || !podTemplateEnrols(w)) withOutsideWorkload.add(w.namespace);
  }
  for (const ns of namespaces.values()) {
    if (namespaceInMesh(ns) || !withOutsideWorkload.has(ns.name)) continue;
    out.push({
      id: `istio:${ns.name}/Namespace/${ns.name}`,
      provider: 'istio',
      resource: { kind: 'Namespace', name: ns.name, namespace: ns.name, ...ns.source, ...injectionLabelLine(ns, fieldLine) },
      inMesh: false,
      reason: namespaceOutsideReason(ns),
      labels: ns.labels,
    });
  }
  for (let i = 0; i < table.workloads.length; i++) {
    const w = table.workloads[i]!;
    const m = table.entries[i]!.membership;
    // A workload in a namespace outside the mesh is covered by the namespace's entry.
    if (m.inMesh || !m.ownEntry || !namespaceInMesh(namespaceInfo(w.namespace))) continue;
    out.push({
      id: `istio:${w.key}`,
      provider: 'istio',
      resource: { kind: w.kind, name: w.name, namespace: w.namespace, ...w.source },
      inMesh: false,
      reason: m.reason,
      labels: w.labels,
    });
  }
  return out;
}


