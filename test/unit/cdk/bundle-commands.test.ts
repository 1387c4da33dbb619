/**
 * The afterBundling commands that ship the rules with each function. aws-cdk-lib runs them with
 * `bash -c`, or `cmd /c` on Windows, which has no cp: they must need nothing but node.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyRulesCommands, REPO_ROOT } from '../../../cdk/lib/constructs/meshgov-function';
import { POLICY_SNAPSHOT_FILE } from '../../../functions/core/policy/snapshot';

/** Every file under a directory, by relative path, with its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = fs.readFileSync(full).toString('base64');
  }
  return out;
}

describe('copyRulesCommands', () => {
  const cleanup: string[] = [];
  afterEach(() => {
    for (const dir of cleanup.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies the rules directory and the snapshot with node alone (no cp on the PATH), whatever the paths hold', () => {
    // Spaces, a quote and a $ in every path: the quoting must hold for each.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "meshgov bundle 'q' $HOME-"));
    cleanup.push(root);
    const rules = path.join(root, 'my rules');
    fs.cpSync(path.join(REPO_ROOT, 'rules'), rules, { recursive: true });
    fs.mkdirSync(path.join(rules, 'nested dir'));
    fs.writeFileSync(path.join(rules, 'nested dir', 'extra.yaml'), 'x: 1\n');
    const snapshot = path.join(root, 'snap shot.json');
    fs.writeFileSync(snapshot, '{"snapshot":true}\n');
    const out = path.join(root, 'out dir');
    fs.mkdirSync(out);
    // A PATH holding only node: any other program (cp, mkdir) would not be found.
    const bin = path.join(root, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));

    const commands = copyRulesCommands(rules, snapshot, out, 'linux');
    for (const command of commands) {
      const run = spawnSync('/bin/sh', ['-c', command], { env: { PATH: bin }, encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    }
    expect(tree(path.join(out, 'rules'))).toEqual({ ...tree(rules), [POLICY_SNAPSHOT_FILE]: Buffer.from('{"snapshot":true}\n').toString('base64') });
  });

  it('renders for cmd /c: node first and unquoted (cmd strips a leading quote), paths in double quotes, no cp or copy', () => {
    const [command, ...rest] = copyRulesCommands('C:\\work\\my rules', 'C:\\work\\.tmp\\snap.json', 'C:\\Temp\\cdk-out', 'win32');
    expect(rest).toEqual([]);
    expect(command).toMatch(/^node -e "[^"%$]+" "C:\\work\\my rules" "C:\\work\\.tmp\\snap.json" "C:\\Temp\\cdk-out" "[^"]+"$/);
    expect(command).not.toMatch(/\b(cp|copy|xcopy)\b /);
  });
});
