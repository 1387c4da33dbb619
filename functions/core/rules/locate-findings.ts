import type { Finding } from '../findings';
import type { FieldLocator } from '../model/types';

/** A cause as a finding's detail holds it (causeDetail in mtls-not-strict.ts). */
interface CauseDetail {
  file?: unknown;
  line?: unknown;
  path?: unknown;
}

/** Something in a finding's detail that points at a document: the server of a conflict, a side of a drift. */
type Side = { cause?: unknown; file?: unknown; line?: unknown };

interface Request {
  finding: Finding;
  cause: CauseDetail & { file: string; line: number; path: string };
  /** What points at the cause's document and moves with it: the finding's resource, or a side in its detail. */
  owner: { file?: unknown; line?: unknown };
  /** The cause the finding is about (not the server's side of a conflict): the message names it. */
  primary: boolean;
}

/**
 * Moves each finding's cause to the line of the field that decides it (`cause.path`, such as a
 * PeerAuthentication's `spec.mtls.mode`), and with it the finding's own line where that pointed
 * at the cause's document, and the line its message names. A finding then points at the line a
 * pull request changes, where code scanning annotates it, rather than at `apiVersion:`.
 *
 * Only findings are located, not every server and client of the model: the locator reads the
 * files again, which costs as much as a rule on a large fleet.
 */
export function locateFindings(findings: readonly Finding[], locate: FieldLocator): void {
  // Grouped by file in first-met order: the locator keeps the last file it read.
  const byFile = new Map<string, Request[]>();
  for (const finding of findings) {
    const detail = finding.detail;
    add(byFile, finding, detail['cause'], finding.resource, true);
    add(byFile, finding, detail['clientCause'], finding.resource, true);
    // The other side of a conflict, and both sides of a cross-mesh drift.
    const server = detail['server'] as Side | undefined;
    if (server) add(byFile, finding, server.cause, server, false);
    for (const side of [detail['istio'], detail['appmesh']] as Array<{ resource?: Side; cause?: unknown } | undefined>) {
      if (side?.resource) add(byFile, finding, side.cause, side.resource, false);
    }
  }
  for (const [file, requests] of byFile) {
    // Findings of one policy share its cause: each (line, path) is looked up once.
    const lines = new Map<string, number | null>();
    for (const { finding, cause, owner, primary } of requests) {
      const key = `${cause.line}:${cause.path}`;
      let line = lines.get(key);
      if (line === undefined) lines.set(key, (line = locate(file, cause.line, cause.path) ?? null));
      if (line === null || line === cause.line) continue;
      const from = cause.line;
      cause.line = line;
      if (owner.file === file && owner.line === from) owner.line = line;
      // The message names the cause as ` (file:line)` (rule.ts `where`).
      // A function, so that `$&` or `$'` in a file name is not read as a replacement pattern.
      if (primary) finding.message = finding.message.replace(`(${file}:${from})`, () => `(${file}:${line})`);
    }
  }
}

function add(byFile: Map<string, Request[]>, finding: Finding, value: unknown, owner: Request['owner'], primary: boolean): void {
  const cause = value as CauseDetail | undefined;
  if (typeof cause?.path !== 'string' || typeof cause.file !== 'string' || typeof cause.line !== 'number') return;
  const request: Request = { finding, cause: cause as Request['cause'], owner, primary };
  const list = byFile.get(cause.file);
  if (list) list.push(request);
  else byFile.set(cause.file, [request]);
}
