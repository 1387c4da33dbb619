import type { ConfigProblem, Provider, ResourceRef } from '../model/types';
import { findingId } from './finding-id';
import { makeFinding, type Rule } from './rule';

/** config-invalid: an input or rule file could not be read, parsed or validated. */
export const configInvalid: Rule = {
  id: 'config-invalid',
  evaluate({ model, settings }) {
    return model.problems.map((p) => {
      const provider = providerOf(p);
      const resource: ResourceRef = {
        kind: p.kind ?? 'File',
        name: p.name ?? p.file,
        ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
        ...(p.mesh !== undefined ? { mesh: p.mesh } : {}),
        ...(p.port !== undefined ? { port: p.port } : {}),
        file: p.file,
        line: p.line,
      };
      const finding = makeFinding('config-invalid', settings.severity, provider, resource, `${p.file}:${p.line}${p.field ? ` ${p.field}` : ''}: ${p.message}`, {
        field: p.field,
        error: p.message,
      });
      // The file is the problem's identity: named as ids name files, so the id does not move with the path's spelling.
      const file = p.fileIdentity ?? p.file;
      // A field of a named object is a place of its own: a comment added above it must not make it a new problem
      // (a --baseline job would fail on it). Only a problem with no such place (a syntax error) is known by its line.
      const place = p.kind !== undefined && p.name !== undefined && p.field !== undefined ? p.field : `${p.line}:${p.field ?? ''}`;
      finding.id = findingId('config-invalid', provider, { ...resource, name: p.name ?? file }, `${file}:${place}:${p.identity ?? p.message}`);
      return finding;
    });
  },
};

/** The contract's provider field has no "file" value: the kind tells whose input it was. */
function providerOf(p: ConfigProblem): Provider {
  if (p.provider) return p.provider;
  const kind = p.kind ?? '';
  if (/^(Mesh|VirtualNode|VirtualGateway|VirtualService|VirtualRouter|Route|GatewayRoute)$/.test(kind)) return 'appmesh';
  if (kind === 'Listener' || kind === 'Cluster') return 'envoy';
  if (kind === 'Certificate' || /\.(pem|crt)$/i.test(p.file)) return 'x509';
  return 'istio';
}
