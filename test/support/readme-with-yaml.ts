/** A README beside the configuration, with a fenced YAML example: prose, not a configuration file. */
export const README_WITH_YAML_EXAMPLE = `# Payments mesh policy

This directory holds the payments namespace's Istio policy. To make the namespace strict, apply:

\`\`\`yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: STRICT
\`\`\`

Then run \`meshgov audit .\` again.
`;
