import type { ConfigProblem, Provider } from '../model/types';
import { makeFinding, type Rule } from './rule';

/** config-invalid: an input or rule file could not be read, parsed or validated. */
export const configInvalid: Rule = {
  id: 'config-invalid',
  evaluate({ model, settings }) {
    return model.problems.map((p) =>
      makeFinding(
        'config-invalid',
        settings.severity,
        providerOf(p),
        {
          kind: p.kind ?? 'File',
          name: p.name ?? p.file,
          ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
          ...(p.mesh !== undefined ? { mesh: p.mesh } : {}),
          file: p.file,
          line: p.line,
        },
        `${p.file}:${p.line}${p.field ? ` ${p.field}` : ''}: ${p.message}`,
        { field: p.field, error: p.message },
        `${p.file}:${p.line}:${p.field ?? ''}:${p.message}`,
      ),
    );
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
