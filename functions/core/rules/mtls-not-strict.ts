import { scopePrefix, type CauseRef } from '../model/types';
import { describeResource, makeFinding, where, withLabels, type Rule } from './rule';

/** mtls-not-strict: an in-mesh server side accepts plaintext, or TLS without a verified client certificate. */
export const mtlsNotStrict: Rule = {
  id: 'mtls-not-strict',
  evaluate({ model, settings }) {
    return model.servers
      .filter((s) => s.inMesh && s.mode !== 'STRICT')
      .map((s) => ({
        ...makeFinding(
          'mtls-not-strict',
          settings.severity,
          s.provider,
          s.resource,
          `${describeResource(s.resource)} ${ACCEPTS[s.mode]} (${s.mode}, set by ${describeCause(s.cause)}${where(s.cause.source)})${s.modeReason ? `: ${s.modeReason}` : ''}; require mTLS (STRICT).`,
          withLabels({ mode: s.mode, cause: causeDetail(s.cause), hosts: s.hosts, ...(s.modeReason ? { reason: s.modeReason } : {}) }, s.labels),
          s.findingKey,
        ),
        fixSource: { serverId: s.id },
      }));
  },
};

const ACCEPTS: Record<string, string> = {
  PERMISSIVE: 'accepts plaintext as well as mTLS',
  DISABLED: 'accepts only plaintext',
  TLS_NO_CLIENT_AUTH: 'accepts TLS without a verified client certificate',
  STRICT: 'requires mTLS',
};

export function describeCause(c: CauseRef): string {
  if (c.scope === 'default') return 'no policy (the mesh default)';
  return `${c.scope ? `${c.scope}-level ` : ''}${c.kind} ${scopePrefix(c)}${c.name}${c.field ? ` ${c.field}` : ''}`;
}

export function causeDetail(c: CauseRef): Record<string, unknown> {
  return {
    kind: c.kind,
    name: c.name,
    ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
    ...(c.mesh !== undefined ? { mesh: c.mesh } : {}),
    ...(c.scope !== undefined ? { scope: c.scope } : {}),
    ...(c.field !== undefined ? { field: c.field } : {}),
    ...(c.path !== undefined ? { path: c.path } : {}),
    ...(c.source ? { file: c.source.file, line: c.source.line } : {}),
  };
}
