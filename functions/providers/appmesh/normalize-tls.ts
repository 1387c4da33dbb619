/**
 * Listener and client-policy normalisation shared by the API and CRD readers: spelling, types
 * and the enum checks App Mesh itself applies (API Reference `ListenerTls`, `PortMapping`,
 * `ClientPolicyTls`, `ClientTlsCertificate`).
 */
import { isLooseRecord as isObject } from '../../core/is-record';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import { lacksValidation } from './client-policy';
import { tlsFromCrdSpelling } from './spelling';
import type { AppMeshListener, ClientPolicySpec, ClientPolicyTls, ListenerTls, Origin } from './types';

export const LISTENER_TLS_MODES = ['STRICT', 'PERMISSIVE', 'DISABLED'] as const;

/** API `PortProtocol`; a virtual gateway listener has no `tcp` (`VirtualGatewayPortProtocol`). */
const NODE_PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'];
const GATEWAY_PROTOCOLS = ['http', 'http2', 'grpc'];

/**
 * Who is being read, for the problems it may cause. A reader keeps one and moves it from object
 * to object (problems copy what they need): one context per object read was 10k allocations.
 */
export interface ReadContext {
  origin: Origin;
  source: SourceRef;
  kind: string;
  name: string;
  /** The object's mesh, once known (a CRD's `spec.meshRef` or selecting Mesh); API objects get theirs from `meshName` later. */
  mesh?: string;
  problems: ConfigProblem[];
}

export function reportProblem(ctx: ReadContext, field: string | undefined, message: string, port?: number): void {
  const problem: ConfigProblem = { file: ctx.source.file, line: ctx.source.line, message, kind: ctx.kind, name: ctx.name };
  if (field) problem.field = field;
  if (ctx.mesh !== undefined) problem.mesh = ctx.mesh;
  if (port !== undefined) problem.port = port;
  ctx.problems.push(problem);
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function toCanonical<T>(value: T, origin: Origin): T {
  return origin === 'crd' ? tlsFromCrdSpelling(value) : value;
}

/*
 * Field paths such as `spec.listeners[0].tls` are built only when a problem is reported: every
 * listener and backend of a 10k fleet is read, and almost none has a problem.
 */

function listenerPath(index: number, rest = ''): string {
  return `spec.listeners[${index}]${rest}`;
}

/** Where a client policy sits: `backendIndex` for a backend's own, undefined for `backendDefaults`. */
export function clientPolicyPath(backendIndex: number | undefined, rest = ''): string {
  const at = backendIndex === undefined ? 'spec.backendDefaults.clientPolicy' : `spec.backends[${backendIndex}].virtualService.clientPolicy`;
  return at + rest;
}

export function normalizeListeners(raw: unknown, gateway: boolean, ctx: ReadContext): AppMeshListener[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    reportProblem(ctx, 'spec.listeners', 'listeners must be a list');
    return [];
  }
  const protocols = gateway ? GATEWAY_PROTOCOLS : NODE_PROTOCOLS;
  // Sized up front: a pushed array reserves room for 17, and every node keeps its list.
  const listeners = new Array<AppMeshListener>(raw.length);
  for (let index = 0; index < raw.length; index++) listeners[index] = normalizeListener(raw[index], index, protocols, ctx);
  return listeners;
}

function normalizeListener(entry: unknown, index: number, protocols: string[], ctx: ReadContext): AppMeshListener {
  // Every field set, so that every listener has one hidden class (types.ts, AppMeshObjectBase).
  const listener: AppMeshListener = { index, port: undefined, protocol: undefined, tls: undefined };
  if (!isObject(entry)) {
    reportProblem(ctx, listenerPath(index), 'listener must be an object');
    return listener;
  }
  const portMapping = entry.portMapping;
  if (!isObject(portMapping)) {
    reportProblem(ctx, listenerPath(index, '.portMapping'), 'listener has no portMapping; App Mesh requires a port and protocol for every listener');
  } else {
    if (isPort(portMapping.port)) listener.port = portMapping.port;
    else reportProblem(ctx, listenerPath(index, '.portMapping.port'), `listener port ${JSON.stringify(portMapping.port)} is not a port number (1-65535)`);
    if (typeof portMapping.protocol === 'string' && protocols.includes(portMapping.protocol)) listener.protocol = portMapping.protocol;
    else reportProblem(ctx, listenerPath(index, '.portMapping.protocol'), `listener protocol ${JSON.stringify(portMapping.protocol)} is not one of ${protocols.join(', ')}`);
  }
  if (entry.tls !== undefined && entry.tls !== null) {
    if (!isObject(entry.tls)) reportProblem(ctx, listenerPath(index, '.tls'), 'tls must be an object', listener.port);
    else listener.tls = normalizeListenerTls(entry.tls, index, ctx, listener.port);
  }
  return listener;
}

function normalizeListenerTls(raw: Record<string, any>, index: number, ctx: ReadContext, port: number | undefined): ListenerTls {
  const tls = toCanonical(raw, ctx.origin) as ListenerTls;
  if (!(LISTENER_TLS_MODES as readonly unknown[]).includes(tls.mode)) {
    reportProblem(ctx, listenerPath(index, '.tls.mode'), `TLS mode ${JSON.stringify(tls.mode)} is not one of ${LISTENER_TLS_MODES.join(', ')}`, port);
  }
  // API `ListenerTls.certificate` is required (CRD `ListenerTLS.Certificate`, `json:"certificate"`):
  // App Mesh rejects the spec. The listener is still modelled from its mode.
  if (tls.certificate === undefined || tls.certificate === null) {
    reportProblem(ctx, listenerPath(index, '.tls.certificate'), 'listener tls has no certificate; App Mesh requires one (acm, file or sds) for every listener tls', port);
  }
  // API `ListenerTlsValidationContext.trust` is required: a validation without one is refused.
  const validation = tls.validation;
  if (validation !== undefined && validation !== null && (validation.trust === undefined || validation.trust === null)) {
    reportProblem(ctx, listenerPath(index, '.tls.validation'), 'listener tls validation has no trust; App Mesh requires one (file or sds) to check client certificates', port);
  }
  // API `ListenerTlsValidationContextTrust` has only `file` and `sds`: a listener cannot validate
  // client certificates against ACM Private CA.
  if (tls.validation?.trust?.acm) {
    reportProblem(ctx, listenerPath(index, '.tls.validation.trust.acm'), 'a listener validation trust can only be file or sds; acm is not allowed here', port);
  }
  return tls;
}

/**
 * Normalises a `clientPolicy` object; undefined when absent.
 * @param backendIndex the backend it belongs to; undefined for `backendDefaults.clientPolicy`
 */
export function normalizeClientPolicy(raw: unknown, backendIndex: number | undefined, ctx: ReadContext): ClientPolicySpec | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    reportProblem(ctx, clientPolicyPath(backendIndex), 'clientPolicy must be an object');
    return {};
  }
  if (raw.tls === undefined || raw.tls === null) return {};
  if (!isObject(raw.tls)) {
    reportProblem(ctx, clientPolicyPath(backendIndex, '.tls'), 'tls must be an object');
    return {};
  }
  const tls = toCanonical(raw.tls, ctx.origin) as ClientPolicyTls;
  if (tls.enforce !== undefined && typeof tls.enforce !== 'boolean') {
    reportProblem(ctx, clientPolicyPath(backendIndex, '.tls.enforce'), `enforce must be true or false, not ${JSON.stringify(tls.enforce)}`);
  }
  if (tls.ports !== undefined && (!Array.isArray(tls.ports) || !tls.ports.every(isPort))) {
    reportProblem(ctx, clientPolicyPath(backendIndex, '.tls.ports'), 'ports must be a list of port numbers (1-65535)');
  }
  // API `ClientPolicyTls.validation` is required (CRD `ClientPolicyTLS.Validation`, `json:"validation"`):
  // App Mesh rejects the spec, so what the client sends is unknown (client-policy.ts).
  if (tls.validation === undefined || tls.validation === null) {
    reportProblem(ctx, clientPolicyPath(backendIndex, '.tls.validation'), 'client policy tls has no validation; App Mesh requires one (a trust for the server certificate) for every client policy tls');
  } else if (lacksValidation(tls)) {
    // API `TlsValidationContext.trust` is required too.
    reportProblem(ctx, clientPolicyPath(backendIndex, '.tls.validation'), 'client policy tls validation has no trust; App Mesh requires one (acm, file or sds) to check the server certificate');
  }
  // API `ClientTlsCertificate` is a union of `file` and `sds` only.
  if (tls.certificate?.acm) {
    reportProblem(ctx, clientPolicyPath(backendIndex, '.tls.certificate.acm'), 'a client certificate can only come from file or sds; an ACM certificate is not allowed here');
  }
  return { tls };
}
