import type { ClientSends, ServerEndpoint } from '../model/types';
import { causeDetail } from './mtls-not-strict';
import { describeResource, makeFinding, withLabels, type Rule, type RuleFinding } from './rule';

/**
 * Whether a client's traffic fails at a server, and why. AUTO (Istio auto mTLS) adapts to the
 * destination: mTLS to sidecars, plaintext otherwise, except where the server says auto mTLS
 * guesses its mode wrong (`autoMtls`). A server without a sidecar has no proxy to terminate the
 * mesh's mTLS, so a client presenting the mesh identity reaches an application that cannot
 * take it; TLS with certificates of the client's own may reach an application serving TLS
 * itself, which no configuration here tells, so it is not called a failure.
 */
export function conflictBetween(sends: ClientSends, server: Pick<ServerEndpoint, 'mode' | 'inMesh' | 'autoMtls'>, meshIdentity = false): string | undefined {
  if (sends === 'AUTO') {
    const auto = server.autoMtls;
    if (!auto || !server.inMesh) return undefined;
    if (auto.sends === 'MTLS') return server.mode === 'DISABLED' ? `auto mTLS sends mTLS (${auto.reason}) and the port accepts only plaintext` : undefined;
    return server.mode === 'STRICT' ? `auto mTLS sends plaintext (${auto.reason}) and the server requires mTLS` : undefined;
  }
  if (!server.inMesh) {
    return sends === 'MTLS' && meshIdentity ? 'the client sends Istio mTLS and the server has no sidecar to take it' : undefined;
  }
  const mode = server.mode;
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
        const why = conflictBetween(c.sends, s, c.meshIdentity) ?? c.refusesCertificateOf?.[s.id];
        if (!why) continue;
        out.push({
          ...makeFinding(
            'mtls-conflict',
            settings.severity,
            c.provider,
            c.resource,
            `Calls from ${describeResource(c.resource)} to ${describeResource(s.resource)} fail: ${why} (client ${c.reason}, server ${s.inMesh ? s.mode : 'without a sidecar'}).`,
            withLabels(
              {
                sends: c.sends,
                reason: why,
                clientCause: causeDetail(c.cause),
                server: { ...s.resource, mode: s.mode, provider: s.provider, cause: causeDetail(s.cause), ...(s.inMesh ? {} : { inMesh: false }) },
              },
              c.labels,
            ),
            c.findingKey !== undefined ? `${s.id}#${c.findingKey}` : s.id,
          ),
          // Plaintext-only servers are the odd side out; otherwise the client is.
          fixSource: s.mode === 'DISABLED' ? { serverId: s.id } : { clientId: c.id },
        });
      }
    }
    return out;
  },
};
