import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy } from '../../../functions/core/policy/load';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { deployment, docs, inventoryFromYaml, namespaceYaml, serviceYaml } from '../../../functions/providers/istio/testInventory';

/** rules/ `sources.istio.enhancedDestinationRuleMerge` chooses istiod's DestinationRule merge for the whole audit. */

const NOW = new Date('2026-11-26T00:00:00Z');

// Two rules for one host in one namespace whose exportTo differ: Istio 1.24+ keeps them apart and
// the newer, mutual one decides for bookinfo; ≤1.23 merged them and the older DISABLE decided.
const FLEET = docs(
  namespaceYaml('bookinfo'),
  deployment('bookinfo', 'productpage'),
  deployment('bookinfo', 'reviews'),
  serviceYaml('bookinfo', 'reviews'),
  `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews-local
  namespace: bookinfo
  creationTimestamp: "2025-01-01T00:00:00Z"
spec:
  host: reviews
  exportTo:
  - "."
  trafficPolicy:
    tls:
      mode: DISABLE
`,
  `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews-mtls
  namespace: bookinfo
  creationTimestamp: "2025-02-01T00:00:00Z"
spec:
  host: reviews
  exportTo:
  - bookinfo
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`,
);

function clientFindingsWith(rules: string | undefined): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'meshgov-dr-merge-'));
  try {
    if (rules !== undefined) writeFileSync(join(dir, 'sources.yaml'), rules);
    const report = auditInventory(inventoryFromYaml(FLEET), { policy: rules === undefined ? loadPolicy() : loadPolicy(dir), now: NOW });
    return report.findings.filter((f) => f.rule.startsWith('mtls-client')).map((f) => [f.rule, String(f.detail.destinationRule ?? f.message.match(/DestinationRule \S+/)?.[0])]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('follows Istio 1.24+ unless told otherwise', () => {
  expect(clientFindingsWith(undefined)).toEqual([]);
  expect(clientFindingsWith('sources:\n  istio:\n    enhancedDestinationRuleMerge: true\n')).toEqual([]);
});

it('merges as Istio 1.23 did when set to false: the older DISABLE rule decides', () => {
  const findings = clientFindingsWith('sources:\n  istio:\n    enhancedDestinationRuleMerge: false\n');
  expect(findings).toHaveLength(1);
  expect(findings[0]![0]).toBe('mtls-client-not-enforced');
  expect(findings[0]![1]).toContain('reviews-local');
});

it('names the file, line and field of a value that is not a boolean', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshgov-dr-merge-'));
  try {
    writeFileSync(join(dir, 'sources.yaml'), 'sources:\n  istio:\n    enhancedDestinationRuleMerge: "no"\n');
    expect(() => loadPolicy(dir)).toThrow(/sources\.yaml:3.*sources\.istio\.enhancedDestinationRuleMerge/s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
