import { emptyInventory } from '../../core/model/inventory';
import { classifyDocument } from './classify';
import { parseFileText } from './parse-documents';

/** batch/v1 Jobs and CronJobs are workloads meshgov reads, so a misspelt one is reported like a misspelt Deployment. */

function inventoryOf(text: string) {
  const inv = emptyInventory();
  for (const d of parseFileText('jobs.yaml', text).documents) classifyDocument(d, inv);
  return inv;
}

const object = (apiVersion: string, kind: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: invoice-export, namespace: billing}\nspec: {}\n`;

describe('batch/v1 kinds', () => {
  it.each(['Job', 'CronJob'])('hands a %s to the providers', (kind) => {
    const inv = inventoryOf(object('batch/v1', kind));
    expect(inv.problems).toEqual([]);
    expect(inv.kubernetes.map((o) => o.doc.kind)).toEqual([kind]);
  });

  it.each([
    ['CronJobs', 'CronJob'],
    ['Cronjob', 'CronJob'],
    ['Jobs', 'Job'],
  ])('reports a misspelt kind (%s) on kind, naming the one meant', (kind, meant) => {
    const inv = inventoryOf(object('batch/v1', kind));
    expect(inv.kubernetes).toEqual([]);
    expect(inv.problems).toEqual([
      expect.objectContaining({ line: 1, field: 'kind', kind, provider: 'istio', message: `batch/v1 has no kind "${kind}"; did you mean ${meant}?` }),
    ]);
  });
});
