/** Raised for a bad command line: exit status 2, with the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `value` when it is one of `allowed`; a usage error naming the flag and the choices otherwise. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

export const USAGE = `Usage:
  meshgov audit [PATH ...] [--rules DIR] [--format table|json|sarif|github|gitlab|junit]
                [--now ISO-8601] [--fail-on critical|high|medium|low|info|never]
                [--output FILE] [--baseline FILE]
                [--appmesh-region REGION] [--kube-context NAME]   # live sources
  meshgov rules validate [DIR]
  meshgov rules list [DIR] [--format table|json]
  meshgov --version | --help
  meshgov audit --help | meshgov rules --help

audit      Audits configuration files (Istio, Kubernetes, App Mesh API JSON and CRDs, Envoy,
           PEM certificates; detected by content) for mTLS drift, certificate expiry and
           configuration errors. With no PATH, audits the embedded example fleet (examples/).
           Exit status: 0 no finding at or above --fail-on (default high); 1 one is; 2 usage
           error or no input could be read.
rules      Validates a rules directory (default: the built-in rules/) against the schema, or
           lists every rule with its settings in force (severity, remediation, exclusions).
`;

export const AUDIT_USAGE = `Usage:
  meshgov audit [PATH ...] [--rules DIR] [--format table|json|sarif|github|gitlab|junit]
                [--now ISO-8601] [--fail-on critical|high|medium|low|info|never]
                [--output FILE] [--baseline FILE]
                [--appmesh-region REGION] [--kube-context NAME]

Audits configuration files (Istio, Kubernetes, App Mesh API JSON and CRDs, Envoy, PEM
certificates; detected by content) for mTLS drift, certificate expiry and configuration errors.

  PATH                a file or a directory (read recursively, following symbolic links; a file
                      reached twice is read once); - or /dev/stdin reads standard input. With no
                      PATH, audits the embedded example fleet (examples/).
  --rules DIR         a rules directory whose settings apply over the built-in rules/
  --format FORMAT     table (default), json, sarif, github (GitHub Actions workflow commands
                      that annotate a pull request at each finding's file and line), gitlab
                      (a GitLab Code Quality report for merge requests) or junit (JUnit XML
                      for CI test reports: a failed case per finding)
  --now ISO-8601      the clock of the certificate checks, e.g. 2026-11-26T00:00:00Z; a date or
                      a date-time without an offset is read as UTC
  --fail-on SEVERITY  exit 1 when a finding is at or above it (default high; never: always 0)
  -o, --output FILE   write the report to FILE (creating its directory) instead of stdout, and
                      the summary line to stderr; --output - is standard output
  --baseline FILE     a previous report of meshgov (--format json, or sarif) to compare with:
                      findings whose id it holds are known, and --fail-on counts only new ones;
                      the report marks each finding new or known and counts those fixed since
  --color, --no-color colour the table or not (default: on a terminal, without --output FILE or
                      NO_COLOR, unless TERM=dumb; FORCE_COLOR=1 forces it on stdout, FORCE_COLOR=0
                      not; --color also colours an --output FILE)
  --appmesh-region R  also audit App Mesh through its API in region R
  --kube-context NAME also audit Istio through the kubeconfig context NAME ("" for the current)

Exit status: 0 no finding at or above --fail-on; 1 one is; 2 usage error, no input could be read,
or the report could not be written.
`;

export const RULES_USAGE = `Usage:
  meshgov rules validate [DIR]
  meshgov rules list [DIR] [--format table|json]

validate  Validates a rules directory (default: the built-in rules/) against the schema, and
          checks that no two of its files set one setting differently and that no shorter
          cert-expiring window has a lower severity than a longer one. Prints every problem with
          its file, line and field. A file with problems does not hold back the checks across
          files: they run over what every file gives that can be read, and one that reads a
          setting a broken file gives but could not be read is skipped, with a note (\`note: \`)
          naming that file, line and field.
list      Lists every rule as an audit with --rules DIR would apply it (DIR over the built-in
          rules/, so what DIR leaves out shows its default): enabled or not, severity (with the
          cert-expiring tiers and slo-latency-burn page/ticket severities), remediation mode
          (the most a fix may do alone), exclusions with their reasons, and what it checks.
          --format table (default) or json. An invalid DIR prints its problems as validate does.

Exit status: 0 valid (or listed); 1 invalid (or the directory cannot be read); 2 usage error.
`;
