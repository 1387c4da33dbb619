import { causeDetail } from './mtls-not-strict';
import { describeResource, makeFinding, where, withLabels, type Rule } from './rule';

/**
 * mtls-client-not-enforced: a client may send plaintext, or TLS without its own certificate,
 * to an in-mesh destination. Istio auto mTLS (AUTO) counts as enforced: it sends mTLS to
 * every destination with a sidecar.
 */
export const mtlsClientNotEnforced: Rule = {
  id: 'mtls-client-not-enforced',
  evaluate({ model, index, settings }) {
    return model.clients
      .filter((c) => (c.sends === 'PLAINTEXT' || c.sends === 'TLS') && index.isInMeshDestination(c))
      .map((c) => ({
        ...makeFinding(
          'mtls-client-not-enforced',
          settings.severity,
          c.provider,
          c.resource,
          `${describeResource(c.resource)} sends ${c.sends === 'TLS' ? 'TLS without a client certificate' : 'plaintext'} to in-mesh ${c.destination.hosts.join(', ')}${c.destination.port !== undefined ? ` port ${c.destination.port}` : ''} (${c.reason}${where(c.cause.source)}); enforce mTLS on the client side.`,
          withLabels({ sends: c.sends, reason: c.reason, destination: c.destination.hosts, destinationPort: c.destination.port, cause: causeDetail(c.cause) }, c.labels),
          `${c.destination.hosts.join(',')}:${c.destination.port ?? ''}${c.findingKey !== undefined ? `#${c.findingKey}` : ''}`,
        ),
        fixSource: { clientId: c.id },
      }));
  },
};
