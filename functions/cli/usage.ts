/** Raised for a bad command line: exit status 2, with the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage:
  meshgov audit [PATH ...] [--rules DIR] [--format table|json|sarif] [--now ISO-8601]
                [--fail-on critical|high|medium|low|never] [--output FILE]
                [--appmesh-region REGION] [--kube-context NAME]   # live sources
  meshgov rules validate [DIR]
  meshgov --version | --help

audit      Audits configuration files (Istio, Kubernetes, App Mesh API JSON and CRDs, Envoy,
           PEM certificates; detected by content) for mTLS drift, certificate expiry and
           configuration errors. With no PATH, audits the embedded example fleet (examples/).
           Exit status: 0 no finding at or above --fail-on (default high); 1 one is; 2 usage
           error or no input could be read.
rules      Validates a rules directory (default: the built-in rules/) against the schema.
`;
