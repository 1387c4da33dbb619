import { fixtureDir, runCli } from './run-cli';

/**
 * A rules copy may turn config-invalid off (the team reads parse errors elsewhere). A CI gate
 * must still not pass in silence on inputs it never read: the problems are named on standard
 * error, and when nothing at all parsed the audit ends with exit 2, "no input could be read".
 */
const RULES = { 'rules/mesh.yaml': 'rules:\n  config-invalid:\n    enabled: false\n' };
const MISINDENTED = 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: orders\nspec:\n  mtls:\n    mode: PERMISSIVE\n   bad: indent\n';
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: orders\n  labels:\n    istio-injection: enabled\n';

describe('meshgov audit with config-invalid disabled', () => {
  it('names the unreadable input on stderr and exits 2 when nothing parsed', async () => {
    const dir = fixtureDir({ ...RULES, 'k8s/pa.yaml': MISINDENTED });
    const r = await runCli(['audit', `${dir}/k8s`, '--rules', `${dir}/rules`, '--fail-on', 'low', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('1 input problem(s) not audited and not reported, as rule config-invalid is disabled:');
    expect(r.stderr).toMatch(/pa\.yaml:9/);
    expect(r.stderr).toContain('no input could be read');
  });

  it('audits the rest and still names the problem when something else parsed', async () => {
    const dir = fixtureDir({ ...RULES, 'k8s/pa.yaml': MISINDENTED, 'k8s/ns.yaml': NAMESPACE });
    const r = await runCli(['audit', `${dir}/k8s`, '--rules', `${dir}/rules`, '--fail-on', 'never', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 input problem(s) not audited and not reported, as rule config-invalid is disabled:');
    expect(JSON.parse(r.stdout).findings.filter((f: { rule: string }) => f.rule === 'config-invalid')).toEqual([]);
  });

  it('says nothing of the kind when the rule is on: the problem is a finding', async () => {
    const dir = fixtureDir({ 'k8s/pa.yaml': MISINDENTED });
    const r = await runCli(['audit', `${dir}/k8s`, '--fail-on', 'high', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('not audited and not reported');
    expect(JSON.parse(r.stdout).findings.map((f: { rule: string }) => f.rule)).toEqual(['config-invalid']);
  });
});
