import { readPolicyFile } from '../../../functions/core/policy/read-policy-file';
import { readSetting, settingInForce, type RulesFileReading } from '../../../functions/core/policy/rules-file-reading';

/**
 * What of a rules file with problems the after-merge checks may still read (partial-reading.ts):
 * every setting its problems do not touch, and nothing it may mean but could not be read.
 */

function reading(file: string, text: string): RulesFileReading {
  const result = readPolicyFile(file, text);
  return result.value ? { file, text, value: result.value } : { file, text, value: result.partial!.value, partial: result.partial! };
}

describe('a rules file with problems, read in part', () => {
  it('keeps the settings no problem touches, with the schema applied, and marks the one at fault with its line', () => {
    const f = reading('a.yaml', 'rules:\n  slo-latency-burn:\n    remediation: auto\n    severity: urgent\nremediation:\n  maxChangesPerRun: 2\n');
    expect(f.value).toEqual({ rules: { 'slo-latency-burn': { remediation: 'auto' } }, remediation: { maxChangesPerRun: 2 } });
    expect(f.partial!.unread).toEqual([{ path: ['rules', 'slo-latency-burn', 'severity'], line: 4 }]);
    expect(readSetting(f, ['rules', 'slo-latency-burn', 'remediation'])).toMatchObject({ state: 'read', value: 'auto' });
    expect(readSetting(f, ['rules', 'slo-latency-burn', 'severity'])).toMatchObject({ state: 'unread', at: { line: 4 } });
    expect(readSetting(f, ['rules', 'slo-latency-burn', 'pageSeverity'])).toEqual({ state: 'absent' });
  });

  it('reads a setting below a list the schema refused, when no problem touches it', () => {
    const f = reading('slos.yaml', 'slos:\n  - name: a\n    thresholdMs: "fast"\n    autoRollbackOwnChanges: true\n');
    expect(f.value).toEqual({});
    expect(readSetting(f, ['slos'])).toMatchObject({ state: 'unread' });
    expect(readSetting(f, ['slos', 0, 'autoRollbackOwnChanges'])).toMatchObject({ state: 'read', value: true });
    expect(readSetting(f, ['slos', 0, 'thresholdMs'])).toMatchObject({ state: 'unread', at: { line: 3 } });
  });

  it('takes an unknown key as a possible misspelling of any key its mapping leaves out', () => {
    const f = reading('a.yaml', 'rules:\n  mtls-not-strict:\n    severity: low\n    enabeld: false\n');
    expect(f.value).toEqual({ rules: { 'mtls-not-strict': { severity: 'low' } } });
    expect(readSetting(f, ['rules', 'mtls-not-strict', 'severity'])).toMatchObject({ state: 'read', value: 'low' });
    expect(readSetting(f, ['rules', 'mtls-not-strict', 'enabled'])).toMatchObject({ state: 'unread', at: { line: 4, unknownKey: 'enabeld' } });
  });

  it('a file that does not parse may give any setting', () => {
    const f = reading('a.yaml', 'rules:\n  mtls-not-strict: [\n');
    expect(f.value).toEqual({});
    expect(readSetting(f, ['slos'])).toMatchObject({ state: 'unread', at: { path: [] } });
  });

  it('a later file that gives the setting readably decides it, whatever an earlier broken one says', () => {
    const broken = reading('a.yaml', 'rules:\n  slo-latency-burn:\n    remediation: automatic\n');
    const later = reading('b.yaml', 'rules:\n  slo-latency-burn:\n    remediation: manual\n');
    expect(settingInForce([broken, later], ['rules', 'slo-latency-burn', 'remediation'])).toMatchObject({ state: 'read', value: 'manual' });
    expect(settingInForce([later, broken], ['rules', 'slo-latency-burn', 'remediation'])).toMatchObject({ state: 'unread', from: { file: 'a.yaml' } });
  });
});
