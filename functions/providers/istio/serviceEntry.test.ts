import { readServiceEntry } from './serviceEntry';
import { inventoryFromYaml } from './testInventory';

/*
 * A ServiceEntry the API server or Istio refuses is reported and dropped: the CRD types a port
 * number as an integer and requires 1-65535 ("port must be between 1-65535"), `hosts` is a list,
 * and kubectl refuses a misspelled field.
 */
const entry = (spec: string) =>
  inventoryFromYaml(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: legacy
  namespace: shop
spec:
${spec}`).kubernetes[0]!;

const legacy = (ports: string) => `  hosts:
  - legacy.internal
  location: MESH_INTERNAL
  ports:
${ports}  resolution: STATIC
  endpoints:
  - address: 10.0.0.1
`;

describe('ServiceEntry port numbers', () => {
  it('a string is refused, not read as the number it spells', () => {
    const read = readServiceEntry(entry(legacy('  - number: "8080"\n    name: http\n    protocol: HTTP\n')));
    expect(read.entry).toBeUndefined();
    expect(read.problems).toEqual([expect.objectContaining({ kind: 'ServiceEntry', name: 'legacy', field: 'spec.ports[0].number', message: 'must be an integer, not the string "8080"' })]);
  });

  it('out of range is reported, not dropped without a word', () => {
    const read = readServiceEntry(entry(legacy('  - number: 8080\n    name: http\n  - number: 99999\n    name: bad\n')));
    expect(read.entry).toBeUndefined();
    expect(read.problems).toEqual([expect.objectContaining({ field: 'spec.ports[1].number', message: expect.stringContaining('not 99999 (Istio: "port must be between 1-65535")') })]);
  });

  it('integers are read', () => {
    const read = readServiceEntry(entry(legacy('  - number: 8080\n    name: http\n  - number: 8443\n    name: https\n')));
    expect(read.problems).toEqual([]);
    expect(read.entry).toMatchObject({ hosts: ['legacy.internal'], location: 'MESH_INTERNAL', ports: [8080, 8443] });
  });
});

describe('ServiceEntry hosts', () => {
  it('a single host written as a string says so', () => {
    const read = readServiceEntry(entry('  hosts: legacy2.internal\n  location: MESH_INTERNAL\n'));
    expect(read.entry).toBeUndefined();
    expect(read.problems).toEqual([expect.objectContaining({ field: 'spec.hosts', message: 'hosts must be a list, not a string: write hosts: [legacy2.internal]' })]);
  });

  it('none at all asks for one', () => {
    expect(readServiceEntry(entry('  location: MESH_INTERNAL\n')).problems).toEqual([expect.objectContaining({ field: 'spec.hosts', message: 'hosts must list at least one host' })]);
  });
});

it('a misspelled field is reported at its key and the entry read without it; an unrelated one stays silent', () => {
  const typo = readServiceEntry(entry('  hosts: [legacy.internal]\n  loaction: MESH_INTERNAL\n'));
  // Stored without the key, the location is Istio's default, MESH_EXTERNAL.
  expect(typo.entry).toBeDefined();
  expect(typo.problems).toEqual([
    expect.objectContaining({ field: 'spec.loaction', message: 'unknown field "loaction" (did you mean "location"?): kubectl refuses the object, and other clients (Helm, controllers) get it stored without the field, as meshgov reads it' }),
  ]);

  const unrelated = readServiceEntry(entry('  hosts: [legacy.internal]\n  location: MESH_INTERNAL\n  trafficDistribution: PreferClose\n'));
  expect(unrelated.problems).toEqual([]);
  expect(unrelated.entry).toMatchObject({ location: 'MESH_INTERNAL' });
});
