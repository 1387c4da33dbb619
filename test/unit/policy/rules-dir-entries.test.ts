import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPolicy, validatePolicyDir } from '../../../functions/core/policy/load';
import { readRulesFiles } from '../../../functions/core/policy/rules-files';
import { POLICY_SNAPSHOT_FILE } from '../../../functions/core/policy/snapshot';

/**
 * Only a rules directory's own *.yaml and *.yml files are read (as the deployed snapshot ships
 * them, by name): what a user may have meant as rules and is not read is a problem on it, never
 * skipped in silence.
 */

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function rulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-rules-'));
  temporary.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const DISABLE = 'rules:\n  mtls-not-strict:\n    enabled: false\n';

describe('entries of a rules directory that are not read', () => {
  it('a subdirectory holding rules files is a problem naming it and them', () => {
    const dir = rulesDir({ 'remediation.yaml': 'remediation:\n  maxChangesPerRun: 2\n', 'teams/payments.yaml': DISABLE });
    expect(validatePolicyDir(dir)).toEqual([
      { file: `${path.join(dir, 'teams')}${path.sep}`, line: 1, message: `subdirectories are not read (here: payments.yaml); put rules files in ${dir} itself` },
    ]);
    // The audit's loader refuses it too: the rules in teams/ would otherwise be silently left out.
    expect(() => loadPolicy(dir)).toThrow(/subdirectories are not read/);
  });

  it('a directory holding only a subdirectory of rules files gets that problem, not "no rules files"', () => {
    const dir = rulesDir({ 'sub/a.yaml': DISABLE });
    expect(validatePolicyDir(dir)).toEqual([expect.objectContaining({ file: `${path.join(dir, 'sub')}${path.sep}`, message: expect.stringMatching(/^subdirectories are not read/) })]);
  });

  it('a .json file is a problem saying only *.yaml and *.yml are read', () => {
    const dir = rulesDir({ 'remediation.yaml': 'remediation:\n  maxChangesPerRun: 2\n', 'mtls.json': '{"rules": {"mtls-not-strict": {"enabled": false}}}\n' });
    expect(validatePolicyDir(dir)).toEqual([
      { file: path.join(dir, 'mtls.json'), line: 1, message: `only *.yaml and *.yml files are read: rename it mtls.yaml if it holds rules, or move it out of ${dir}` },
    ]);
  });

  it('leaves alone what holds no rules: the JSON schema, the snapshot, documentation, dotfiles, an empty or YAML-less directory', () => {
    const dir = rulesDir({
      'a.yaml': DISABLE,
      'schema.json': '{}\n',
      [POLICY_SNAPSHOT_FILE]: '{}\n',
      'README.md': '# our rules\n',
      '.hidden.json': '{}\n',
      '.git/config': '[core]\n',
      'docs/notes.md': '# notes\n',
    });
    mkdirSync(path.join(dir, 'old.yaml'));
    expect(validatePolicyDir(dir)).toEqual([]);
    expect(readRulesFiles(dir).files.map((f) => f.name)).toEqual(['a.yaml']);
  });

  it('the shipped rules/ has nothing left unread', () => {
    expect(readRulesFiles(path.resolve(__dirname, '../../../rules')).problems).toEqual([]);
  });
});
