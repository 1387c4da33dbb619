import * as path from 'node:path';
import { fixtureDir, runCli } from './run-cli';

/**
 * `meshgov rules validate DIR` where one file has problems and the checks that only the merged
 * files can answer (settings two files give differently, autoRollbackOwnChanges against the
 * rule's remediation, the burn severities' order) still have something to say: they are
 * reported in the same run, so that fixing a directory takes one round, but never from a
 * setting the broken file gives and that could not be read; such a check is skipped, with a
 * note that names the file, line and field that kept it from running.
 */

async function validate(files: Record<string, string>): Promise<{ code: number; stdout: string; problems: string[]; notes: string[]; count: string }> {
  const dir = fixtureDir(files);
  const r = await runCli(['rules', 'validate', dir]);
  const lines = r.stderr
    .trimEnd()
    .split('\n')
    .map((l) => l.split(`${dir}${path.sep}`).join('').split(dir).join('DIR'));
  const count = lines.pop()!;
  return { code: r.code, stdout: r.stdout, problems: lines.filter((l) => !l.startsWith('note: ')), notes: lines.filter((l) => l.startsWith('note: ')), count };
}

const slo = (thresholdMs: number, extra = '') =>
  `slos:\n  - name: checkout\n    service: checkout\n    mesh: istio\n    namespace: shop\n    objective: 99\n    thresholdMs: ${thresholdMs}\n    source:\n      prometheus: {}\n    autoRollbackOwnChanges: true\n${extra}`;

const ROLLBACK_DEAD = (mode: string) =>
  `slos.yaml:10: slos[0].autoRollbackOwnChanges: autoRollbackOwnChanges: true does nothing while rule slo-latency-burn's remediation is ${mode}, which caps every rollback: set remediation: auto on the rule to let meshgov undo its own changes without asking, or remove this setting`;

describe('meshgov rules validate: the after-merge checks beside a file with problems', () => {
  it('reports autoRollbackOwnChanges without auto on an SLO that has a problem of its own, in the same run', async () => {
    const r = await validate({ 'slos.yaml': slo(300) });
    expect(r.problems).toEqual([`slos.yaml:7: slos[0].thresholdMs: thresholdMs 300 is not a bucket boundary of the histogram (…, 250, 500, …); choose one of them`, ROLLBACK_DEAD('approval (as the built-in rules set it)')]);
    expect(r.notes).toEqual([]);
    expect(r.count).toBe('2 problems in DIR');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('compares what a broken file gives readably with the other files, and finds their conflicts in the same run', async () => {
    const r = await validate({ 'a.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n', 'b.yaml': 'rules:\n  mtls-not-strict:\n    severity: high\n  mtls-conflit:\n    enabled: false\n' });
    expect(r.problems).toEqual([
      expect.stringMatching(/^b\.yaml:4: rules\.mtls-conflit: Unrecognized key: "mtls-conflit"; did you mean "mtls-conflict"\?$/),
      'b.yaml:3: rules.mtls-not-strict.severity: conflicts with a.yaml:3, which sets it to "low" (here "high"): set it in one file only',
    ]);
    expect(r.notes).toEqual([]);
    expect(r.code).toBe(1);
  });

  it('takes a setting a broken file gives readably as in force: no error that the broken file would refute', async () => {
    // mesh.yaml sets remediation: auto; only its severity is wrong. Judged without it, the SLO's rollback would look dead.
    const r = await validate({ 'mesh.yaml': 'rules:\n  slo-latency-burn:\n    remediation: auto\n    severity: urgent\n', 'slos.yaml': slo(250) });
    expect(r.problems).toEqual([expect.stringMatching(/^mesh\.yaml:4: rules\.slo-latency-burn\.severity: Invalid option/)]);
    expect(r.notes).toEqual([]);
    expect(r.count).toBe('1 problem in DIR');
  });

  it('skips a check whose setting in force could not be read, naming the file, line and field', async () => {
    const r = await validate({ 'mesh.yaml': 'rules:\n  slo-latency-burn:\n    remediation: automatic\n', 'slos.yaml': slo(250) });
    expect(r.problems).toEqual([expect.stringMatching(/^mesh\.yaml:3: rules\.slo-latency-burn\.remediation: Invalid option: expected one of "auto"\|"approval"\|"manual" \(got "automatic"\)$/)]);
    expect(r.notes).toEqual([
      "note: mesh.yaml:3: rules.slo-latency-burn.remediation: whether autoRollbackOwnChanges: true can take effect under slo-latency-burn's remediation was not checked: it reads rules.slo-latency-burn.remediation, which this file sets but could not be read; validate again once it is fixed",
    ]);
    expect(r.count).toBe('1 problem in DIR; 1 check skipped until the file it names is fixed');
    expect(r.code).toBe(1);
  });

  it('reads a misspelt key as possibly the setting a check reads', async () => {
    const r = await validate({ 'mesh.yaml': 'rules:\n  slo-latency-burn:\n    remediaton: auto\n', 'slos.yaml': slo(250) });
    expect(r.problems).toEqual(['mesh.yaml:3: rules.slo-latency-burn.remediaton: Unrecognized key: "remediaton"; did you mean "remediation"?']);
    expect(r.notes).toEqual([expect.stringMatching(/^note: mesh\.yaml:3: rules\.slo-latency-burn\.remediaton: whether autoRollbackOwnChanges: true can take effect .* was not checked: it reads rules\.slo-latency-burn\.remediation, which this unknown key may be meant to set/)]);
  });

  it('a file that does not parse may set anything: the checks that depend on it are skipped, the others run', async () => {
    const r = await validate({
      'a.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n',
      'b.yaml': 'rules:\n  mtls-not-strict:\n    severity: high\n',
      'mesh.yaml': 'rules:\n  slo-latency-burn:\n    remediation: auto\n  mtls-conflict: [\n',
      'slos.yaml': slo(250),
    });
    expect(r.problems).toEqual([expect.stringMatching(/^mesh\.yaml:4: invalid YAML: /), 'b.yaml:3: rules.mtls-not-strict.severity: conflicts with a.yaml:3, which sets it to "low" (here "high"): set it in one file only']);
    expect(r.notes).toEqual([
      expect.stringMatching(/^note: mesh\.yaml:4: this file does not parse, so its settings were not compared with those of a\.yaml, b\.yaml, slos\.yaml for settings two files give differently; validate again once it parses$/),
      expect.stringMatching(/^note: mesh\.yaml:4: whether autoRollbackOwnChanges: true can take effect .* was not checked: it reads rules\.slo-latency-burn\.remediation, and this file, which does not parse, may set it; validate again once it parses$/),
    ]);
    expect(r.count).toBe('2 problems in DIR; 2 checks skipped until the files they name are fixed');
  });

  it('a setting a later file gives readably overrides the broken one: the check runs', async () => {
    const r = await validate({ 'a.yaml': 'rules:\n  slo-latency-burn:\n    remediation: automatic\n', 'b.yaml': 'rules:\n  slo-latency-burn:\n    remediation: manual\n', 'slos.yaml': slo(250) });
    expect(r.problems).toEqual([expect.stringMatching(/^a\.yaml:3: rules\.slo-latency-burn\.remediation: Invalid option/), ROLLBACK_DEAD('manual (b.yaml:3)')]);
    // a.yaml's remediation is not compared with b.yaml's, which gives it too: said, since they may conflict once fixed.
    expect(r.notes).toEqual([expect.stringMatching(/^note: a\.yaml:3: rules\.slo-latency-burn\.remediation: rules\.slo-latency-burn\.remediation could not be read here, so it was not compared with b\.yaml:3, which sets it too/)]);
  });

  it('the burn severities: a ticketSeverity that could not be read is not judged against pageSeverity', async () => {
    const r = await validate({ 'a.yaml': 'rules:\n  slo-latency-burn:\n    pageSeverity: low\n', 'b.yaml': 'rules:\n  slo-latency-burn:\n    ticketSeverity: hgih\n' });
    // Without b.yaml's ticketSeverity, the default (medium) would be above a.yaml's low: an error b.yaml may not have.
    expect(r.problems).toEqual([expect.stringMatching(/^b\.yaml:3: rules\.slo-latency-burn\.ticketSeverity: Invalid option/)]);
    expect(r.notes).toEqual([expect.stringMatching(/^note: b\.yaml:3: rules\.slo-latency-burn\.ticketSeverity: the order of slo-latency-burn's pageSeverity and ticketSeverity was not checked: it reads rules\.slo-latency-burn\.ticketSeverity/)]);
  });

  it('a file with problems whose settings no check reads adds no note', async () => {
    const r = await validate({ 'a.yaml': 'remediation:\n  maxChangesPerRun: -1\n', 'slos.yaml': slo(250) });
    expect(r.problems).toEqual([expect.stringMatching(/^a\.yaml:2: remediation\.maxChangesPerRun: /), ROLLBACK_DEAD('approval (as the built-in rules set it)')]);
    expect(r.notes).toEqual([]);
    expect(r.count).toBe('2 problems in DIR');
  });
});

describe('meshgov rules list: the same notes', () => {
  it('prints the checks skipped beside the problems', async () => {
    const dir = fixtureDir({ 'mesh.yaml': 'rules:\n  slo-latency-burn:\n    remediation: automatic\n', 'slos.yaml': slo(250) });
    const r = await runCli(['rules', 'list', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`note: ${path.join(dir, 'mesh.yaml')}:3: rules.slo-latency-burn.remediation: whether autoRollbackOwnChanges: true can take effect`);
  });
});
