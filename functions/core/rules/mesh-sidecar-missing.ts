import { describeResource, makeFinding, withLabels, type Rule } from './rule';

/** mesh-sidecar-missing: a namespace or workload is outside the mesh, so no mesh policy protects it. */
export const meshSidecarMissing: Rule = {
  id: 'mesh-sidecar-missing',
  evaluate({ model, settings }) {
    return model.membership
      .filter((m) => !m.inMesh)
      .map((m) =>
        makeFinding(
          'mesh-sidecar-missing',
          settings.severity,
          m.provider,
          m.resource,
          `${describeResource(m.resource)} is outside the mesh (${m.reason}); no mTLS policy protects its traffic. ${m.provider === 'istio' ? 'Enable sidecar injection or ambient mode.' : 'Enable sidecar injection.'}`,
          withLabels({ reason: m.reason }, m.labels),
        ),
      );
  },
};
