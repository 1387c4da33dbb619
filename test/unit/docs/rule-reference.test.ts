import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULE_IDS } from '../../../functions/core/findings';
import { END_MARKER, renderRuleReference, replaceSection, START_MARKER, updateReadme } from '../../../.ci/scripts/rule-reference';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const README = path.join(REPO_ROOT, 'README.md');

describe('the README rule reference', () => {
  it('is the one generated from rules/ (run npx tsx .ci/scripts/rule-reference.ts when this fails)', () => {
    const readme = readFileSync(README, 'utf8');
    const section = readme.slice(readme.indexOf(START_MARKER) + START_MARKER.length, readme.indexOf(END_MARKER));
    expect(section.trim()).toBe(renderRuleReference().trim());
  });

  it('has one row per rule id, with its meaning, severity and remediation from rules/', () => {
    const rows = renderRuleReference().split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)![1])).toEqual([...RULE_IDS]);
    const certExpiring = rows.find((r) => r.startsWith('| `cert-expiring`'))!;
    expect(certExpiring).toContain('critical ≤ 7 days, high ≤ 30 days');
    expect(certExpiring).toContain('| manual |');
    expect(rows.find((r) => r.startsWith('| `mtls-not-strict`'))).toContain('namespace `kube-*`');
  });

  it('follows a change in rules/: a copy with another severity and exclusion renders differently', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meshgov-rules-'));
    try {
      cpSync(path.join(REPO_ROOT, 'rules'), dir, { recursive: true });
      const mtls = path.join(dir, 'mtls.yaml');
      writeFileSync(
        mtls,
        readFileSync(mtls, 'utf8').replace(/mtls-conflict:\n(\s+)enabled: true\n\s+severity: critical\n\s+remediation: approval\n\s+exclude: \[\]/, (_m, indent: string) =>
          `mtls-conflict:\n${indent}enabled: true\n${indent}severity: high\n${indent}remediation: manual\n${indent}exclude:\n${indent}  - namespace: legacy-payments\n${indent}    reason: Migrating off the old mesh until Q3.`,
        ),
      );
      const row = renderRuleReference(dir).split('\n').find((r) => r.startsWith('| `mtls-conflict`'))!;
      expect(row).toContain('| high | manual | yes | namespace `legacy-payments` (Migrating off the old mesh until Q3) |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces only the text between the markers, and refuses a README without them', () => {
    const readme = `# meshgov\n\nintro\n${START_MARKER}\nold table\n${END_MARKER}\n\n## Next\n`;
    expect(replaceSection(readme, 'new table')).toBe(`# meshgov\n\nintro\n${START_MARKER}\nnew table\n${END_MARKER}\n\n## Next\n`);
    expect(() => replaceSection('# meshgov\n', 'x')).toThrow('rule-reference:start');
  });

  it('--check exits 1 on a stale README and 0 on a fresh one; without it, the README is rewritten', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meshgov-readme-'));
    try {
      const stale = path.join(dir, 'README.md');
      writeFileSync(stale, `# meshgov\n${START_MARKER}\n| stale |\n${END_MARKER}\n`);
      expect(updateReadme(stale, true)).toBe(false);
      expect(readFileSync(stale, 'utf8')).toContain('| stale |');
      expect(updateReadme(stale, false)).toBe(false);
      expect(updateReadme(stale, true)).toBe(true);
      const cli = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['.ci/scripts/rule-reference.ts', '--check'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(cli.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
