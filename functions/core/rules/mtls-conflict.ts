import type { ClientSends, ServerMode } from '../model/types';
import { causeDetail } from './mtls-not-strict';
import { describeResource, makeFinding, type Rule, type RuleFinding } from './rule';

/**
 * Whether a client's traffic fails at a server, and why. AUTO (Istio auto mTLS) adapts to
 * the destination, so it never conflicts (Istio picks mTLS only for sidecar destinations
 * whose PeerAuthentication does not DISABLE it).
 */
export function conflictBetween(sends: ClientSends, mode: ServerMode): string | undefined {
  if (sends === 'AUTO') return undefined;
  if (mode === 'STRICT' && sends === 'PLAINTEXT') return 'the client sends plaintext and the server requires mTLS';
  if (mode === 'STRICT' && sends === 'TLS') return 'the client sends TLS without a client certificate and the server requires one';
  if (mode === 'DISABLED' && sends === 'MTLS') return 'the client sends mTLS and the server accepts only plaintext';
  if (mode === 'DISABLED' && sends === 'TLS') return 'the client sends TLS and the server accepts only plaintext';
  if (mode === 'TLS_NO_CLIENT_AUTH' && sends === 'PLAINTEXT') return 'the client sends plaintext and the server accepts only TLS';
  return undefined;
}

/** mtls-conflict: client and server settings are incompatible, so the calls fail. One finding per client and server. */
export const mtlsConflict: Rule = {
  id: 'mtls-conflict',
  evaluate({ model, index, settings }) {
    const out: RuleFinding[] = [];
    // Indexed loops: cold for…of allocates an iterator result per step.
    const clients = model.clients;
    for (let i = 0; i < clients.length; i++) {
      const c = clients[i]!;
      const servers = index.serversOf(c);
      for (let j = 0; j < servers.length; j++) {
        const s = servers[j]!;
        // A server outside the mesh has no proxy enforcing its mode; its posture is mesh-sidecar-missing.
        if (!s.inMesh) continue;
        const why = conflictBetween(c.sends, s.mode);
        if (!why) continue;
        out.push({
          ...makeFinding(
            'mtls-conflict',
            settings.severity,
            c.provider,
            c.resource,
            `Calls from ${describeResource(c.resource)} to ${describeResource(s.resource)} fail: ${why} (client ${c.reason}, server ${s.mode}).`,
            {
              sends: c.sends,
              reason: why,
              clientCause: causeDetail(c.cause),
              server: { ...s.resource, mode: s.mode, provider: s.provider, cause: causeDetail(s.cause) },
            },
            s.id,
          ),
          // Plaintext-only servers are the odd side out; otherwise the client is.
          fixSource: s.mode === 'DISABLED' ? { serverId: s.id } : { clientId: c.id },
        });
      }
    }
    return out;
  },
};
