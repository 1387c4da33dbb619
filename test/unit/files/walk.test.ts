import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { walkPaths } from '../../../functions/providers/files/walk';

function tree(files: Record<string, string>, links: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-walk-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  for (const [name, target] of Object.entries(links)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    symlinkSync(target, path.join(dir, name));
  }
  return dir;
}

const rel = (dir: string, files: string[]) => files.map((f) => path.relative(dir, f));

describe('walkPaths follows symbolic links', () => {
  it('lists a linked file inside a directory', () => {
    const target = tree({ 'api.crt': 'x' });
    const dir = tree({ 'ns.yaml': 'x' }, { 'api.crt': path.join(target, 'api.crt') });
    expect(rel(dir, walkPaths([dir]).files)).toEqual(['api.crt', 'ns.yaml']);
  });

  it('reads a Kubernetes ConfigMap volume (key -> ..data/key, ..data -> ..<timestamp>) once, under the visible name', () => {
    const dir = tree(
      { '..2026_11_26_00_00_00.123/mesh.yaml': 'x', '..2026_11_26_00_00_00.123/ca.crt': 'x' },
      { '..data': '..2026_11_26_00_00_00.123', 'mesh.yaml': '..data/mesh.yaml', 'ca.crt': '..data/ca.crt' },
    );
    expect(rel(dir, walkPaths([dir]).files)).toEqual(['ca.crt', 'mesh.yaml']);
  });

  it('follows a linked directory, and a link back up the tree does not loop', () => {
    const elsewhere = tree({ 'a.yaml': 'x' });
    const dir = tree({ 'sub/b.yaml': 'x' }, { 'linked': elsewhere, 'sub/up': '..', 'sub/self': '.' });
    expect(rel(dir, walkPaths([dir]).files)).toEqual(['linked/a.yaml', 'sub/b.yaml']);
  });

  it('passes over a dangling link and keeps hidden files and directories skipped', () => {
    const dir = tree({ 'a.yaml': 'x', '.hidden.yaml': 'x', '.d/b.yaml': 'x' }, { 'gone.yaml': 'nowhere.yaml', '.link.yaml': 'a.yaml' });
    expect(rel(dir, walkPaths([dir]).files)).toEqual(['a.yaml']);
  });
});

describe('walkPaths reads every real file once', () => {
  it('keeps the first path form given for overlapping paths', () => {
    const dir = tree({ 'a.yaml': 'x', 'sub/b.yaml': 'x' });
    const relative = path.relative(process.cwd(), dir);
    expect(walkPaths([relative, dir]).files).toEqual([path.join(relative, 'a.yaml'), path.join(relative, 'sub/b.yaml')]);
    expect(walkPaths([dir, path.join(dir, 'sub'), path.join(dir, 'sub/b.yaml'), dir]).files).toEqual([path.join(dir, 'a.yaml'), path.join(dir, 'sub/b.yaml')]);
  });

  it('counts a file and a link to it once', () => {
    const dir = tree({ 'a.yaml': 'x' }, { 'b.yaml': 'a.yaml' });
    expect(rel(dir, walkPaths([dir]).files)).toEqual(['a.yaml']);
    expect(walkPaths([path.join(dir, 'b.yaml'), dir]).files).toEqual([path.join(dir, 'b.yaml')]);
  });
});

describe('walkPaths and special files', () => {
  it('reads a pipe named on the command line, but not one found in a directory', () => {
    const dir = tree({ 'a.yaml': 'x' });
    const fifo = path.join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(walkPaths([fifo])).toEqual({ files: [fifo], streams: new Set([fifo]), missing: [], unreadable: [], virtual: [] });
    expect(rel(dir, walkPaths([dir]).files)).toEqual(['a.yaml']);
  });

  it('refuses a device that is not standard input, naming it', () => {
    expect(walkPaths(['/dev/null']).missing).toEqual([{ path: '/dev/null', message: 'not a file, directory or pipe' }]);
  });
});
