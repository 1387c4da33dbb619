import * as path from 'node:path';
import { fixtureDir, runCli } from './run-cli';

/** Rules files with classic Mac OS line ends (CR only) are read line by line, as audit inputs are. */
describe('rules files with CR-only line ends', () => {
  it('validate, and a problem names its own line', async () => {
    const good = fixtureDir({ 'mtls.yaml': 'rules:\r  mtls-not-strict:\r    severity: medium\r' });
    expect(await runCli(['rules', 'validate', good])).toMatchObject({ code: 0 });

    const bad = fixtureDir({ 'mtls.yaml': 'rules:\r  mtls-not-strict:\r    severity: hgh\r' });
    const r = await runCli(['rules', 'validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(bad, 'mtls.yaml')}:3`);
    expect(r.stderr).toMatch(/severity/);
  });
});

describe('ownership teams', () => {
  it('refuses two teams of one name, at the second name', async () => {
    const dir = fixtureDir({
      'ownership.yaml': [
        'ownership:',
        '  teams:',
        '    - name: payments',
        '      match: { namespaces: [payments] }',
        '      slack: { channel: "#payments-oncall" }',
        '    - name: payments',
        '      match: { meshes: [prod-mesh] }',
        '      slack: { channel: "#payments-mesh" }',
        '',
      ].join('\n'),
    });
    const r = await runCli(['rules', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(dir, 'ownership.yaml')}:6: ownership.teams[1].name: team "payments" is also teams[0]`);
  });
});
