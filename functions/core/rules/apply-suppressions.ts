import type { Finding } from '../findings';
import type { Suppression } from '../model/suppressions';

/** A finding an annotation accepted: reported apart, with the annotation that accepted it. */
export interface SuppressedFinding extends Finding {
  suppression: { annotation: string; reason: string; file: string; line: number };
}

/**
 * Takes out the findings a `suppress.meshgov.io/<rule>` annotation accepts: those about the
 * annotated object itself, and those located in its document (a Secret's certificates, the
 * workloads a PeerAuthentication leaves PERMISSIVE). They are returned, not dropped, so the
 * report can still show what was accepted and why.
 */
export function applySuppressions(findings: Finding[], suppressions: readonly Suppression[]): { findings: Finding[]; suppressed: SuppressedFinding[] } {
  if (suppressions.length === 0) return { findings, suppressed: [] };
  const byObject = new Map<string, Suppression>();
  const byFile = new Map<string, Suppression[]>();
  for (const s of suppressions) {
    byObject.set(objectKey(s.rule, s.object.kind, s.object.namespace, s.object.name), s);
    const list = byFile.get(s.source.file);
    if (list) list.push(s);
    else byFile.set(s.source.file, [s]);
  }
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    const r = f.resource;
    const by =
      byObject.get(objectKey(f.rule, r.kind, r.namespace, r.name)) ??
      (r.file !== undefined && r.line !== undefined ? byFile.get(r.file)?.find((s) => s.rule === f.rule && s.source.line <= r.line! && r.line! < s.endLine) : undefined);
    if (by) suppressed.push({ ...f, suppression: { annotation: by.annotation, reason: by.reason, file: by.source.file, line: by.line } });
    else kept.push(f);
  }
  return { findings: kept, suppressed };
}

function objectKey(rule: string, kind: string, namespace: string | undefined, name: string): string {
  return `${rule}\u0000${kind}\u0000${namespace ?? ''}\u0000${name}`;
}
