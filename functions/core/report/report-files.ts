import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Where a finding's file is on this machine, for the formats that annotate a repository (SARIF,
 * GitHub workflow commands): findings of many files are resolved once each.
 */
export class ReportFiles {
  readonly baseDir: string;
  private readonly files = new Map<string, string | undefined>();

  /** `baseDir`: the directory paths are made relative to (the repository root in CI). */
  constructor(baseDir: string) {
    this.baseDir = realOrResolved(baseDir);
  }

  /**
   * The file on this machine, with links resolved (an annotation cannot be placed at a symlink);
   * undefined for a source that is no file here (an ARN, a Kubernetes API path). Standard input
   * from a pipe keeps its name: its real path would be `/proc/<pid>/fd/pipe:[…]`.
   */
  local(file: string): string | undefined {
    if (this.files.has(file)) return this.files.get(file);
    const abs = path.resolve(file);
    let local: string | undefined;
    try {
      local = statSync(abs).isFile() ? realpathSync(abs) : abs;
    } catch {
      local = undefined;
    }
    this.files.set(file, local);
    return local;
  }

  /**
   * A finding's file relative to the base directory with `/` separators, as GitHub and GitLab
   * match it against the repository's; undefined for no file, or one outside the directory.
   */
  repositoryPath(file: string | undefined): string | undefined {
    const local = file ? this.local(file) : undefined;
    return local === undefined ? undefined : this.relative(local)?.split(path.sep).join('/');
  }

  /** `abs` relative to the base directory, in the platform's separators; undefined when it lies outside. */
  relative(abs: string): string | undefined {
    const rel = path.relative(this.baseDir, abs);
    // `..x.yaml` is a file inside the base directory; only a `..` segment leaves it.
    if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
    return rel;
  }
}

/** The base resolved like the files, so that a checkout reached through a link still gives relative paths. */
function realOrResolved(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}
