/**
 * What "the fix held" means when the writer reads the resource back, judged with the same
 * functions the model uses (effectiveListenerMode, effectiveClientPolicy), so the writer and
 * the audit agree on what STRICT and mTLS are.
 */
import { effectiveClientPolicy, effectiveListenerMode } from '../index';
import type { ClientPolicySpec } from '../types';
import { sameJson } from '../../../core/approvals/same-json';

type Spec = Record<string, any>;

/** Returns why the live spec falls short, or undefined when it holds. */
export type SpecCheck = (live: Spec) => string | undefined;

function listeners(spec: Spec): Spec[] {
  return Array.isArray(spec.listeners) ? spec.listeners : [];
}

function backends(spec: Spec): Spec[] {
  return Array.isArray(spec.backends) ? spec.backends : [];
}

function backendPolicy(spec: Spec, index: number): ClientPolicySpec | undefined {
  return backends(spec)[index]?.virtualService?.clientPolicy;
}

function defaultsPolicy(spec: Spec): ClientPolicySpec | undefined {
  return spec.backendDefaults?.clientPolicy;
}

function portOf(listener: Spec | undefined): string {
  const port = listener?.portMapping?.port;
  return typeof port === 'number' ? ` (port ${port})` : '';
}

/**
 * `appmesh.listener.set-strict`: every listener whose `tls` the change alters must come back
 * STRICT with client validation. Undefined when the change alters no listener's TLS.
 */
export function strictListenersCheck(before: Spec, intended: Spec): SpecCheck | undefined {
  const changed = listeners(intended)
    .map((_listener, i) => i)
    .filter((i) => !sameJson(listeners(before)[i]?.tls, listeners(intended)[i]?.tls));
  if (changed.length === 0) return undefined;
  return (live) => {
    const problems: string[] = [];
    for (const i of changed) {
      const effective = effectiveListenerMode(listeners(live)[i]?.tls);
      if (effective.mode !== 'STRICT') problems.push(`listener ${i}${portOf(listeners(live)[i])} is ${effective.mode} (${effective.reason})`);
    }
    return problems.length > 0 ? problems.join('; ') : undefined;
  };
}

/**
 * `appmesh.client-policy.enforce`: every backend whose own client policy the change alters,
 * and the defaults when it alters them, must come back sending mTLS. Undefined when the change
 * alters no client policy.
 */
export function enforcedClientsCheck(before: Spec, intended: Spec): SpecCheck | undefined {
  const changedBackends = backends(intended)
    .map((_backend, i) => i)
    .filter((i) => !sameJson(backendPolicy(before, i), backendPolicy(intended, i)));
  const defaultsChanged = !sameJson(defaultsPolicy(before), defaultsPolicy(intended));
  if (changedBackends.length === 0 && !defaultsChanged) return undefined;
  return (live) => {
    const problems: string[] = [];
    for (const i of changedBackends) {
      const effective = effectiveClientPolicy(backendPolicy(live, i), defaultsPolicy(live));
      if (effective.sends !== 'MTLS') {
        problems.push(`backend ${backends(live)[i]?.virtualService?.virtualServiceName ?? i} sends ${effective.sends} (${effective.reason})`);
      }
    }
    if (defaultsChanged) {
      const effective = effectiveClientPolicy(undefined, defaultsPolicy(live));
      if (effective.sends !== 'MTLS') problems.push(`backendDefaults sends ${effective.sends} (${effective.reason})`);
    }
    return problems.length > 0 ? problems.join('; ') : undefined;
  };
}

/** An undo: the live spec must have the TLS posture of the spec restored, listener by listener and client by client. */
export function samePostureCheck(restored: Spec): SpecCheck {
  return (live) => {
    const problems: string[] = [];
    const count = Math.max(listeners(restored).length, listeners(live).length);
    for (let i = 0; i < count; i++) {
      const want = effectiveListenerMode(listeners(restored)[i]?.tls).mode;
      const got = effectiveListenerMode(listeners(live)[i]?.tls).mode;
      if (want !== got) problems.push(`listener ${i}${portOf(listeners(live)[i])} is ${got}, expected ${want}`);
    }
    const backendCount = Math.max(backends(restored).length, backends(live).length);
    for (let i = 0; i < backendCount; i++) {
      const want = effectiveClientPolicy(backendPolicy(restored, i), defaultsPolicy(restored)).sends;
      const got = effectiveClientPolicy(backendPolicy(live, i), defaultsPolicy(live)).sends;
      if (want !== got) problems.push(`backend ${i} sends ${got}, expected ${want}`);
    }
    const wantDefaults = effectiveClientPolicy(undefined, defaultsPolicy(restored)).sends;
    const gotDefaults = effectiveClientPolicy(undefined, defaultsPolicy(live)).sends;
    if (wantDefaults !== gotDefaults) problems.push(`backendDefaults sends ${gotDefaults}, expected ${wantDefaults}`);
    return problems.length > 0 ? problems.join('; ') : undefined;
  };
}
