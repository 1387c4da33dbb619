import { QUOTED_VALUE_MAX, quoteValue, spellValue } from '../../../functions/core/truncate';
import { emptyInventory, type KubeObject } from '../../../functions/core/model/inventory';
import { classifyDocument } from '../../../functions/providers/files/classify';
import { describeValue, metadataProblems } from '../../../functions/providers/files/object-metadata';
import { readLabelMap } from '../../../functions/providers/istio/labels';
import { readPeerAuthentication } from '../../../functions/providers/istio/peerAuthentication';

/** Values that messages quote are cut to about 200 characters, and quoting one never throws. */

/** A list nested `levels` deep: JSON.stringify and String() overflow the stack on it. */
function nested(levels: number, inner: unknown = 'STRICT'): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

const LONG = 'x'.repeat(100_000);

describe('quoteValue', () => {
  it.each([['STRICT'], [8080], [80.5], [true], [null], [['a', 1, null]], [{ app: 'web', tier: 2 }], [{ a: undefined, b: [undefined] }], [[]], [{}], [Number.NaN], ['quote " and \\ and \n']])(
    'writes %j as JSON.stringify does',
    (value) => {
      expect(quoteValue(value)).toBe(JSON.stringify(value));
    },
  );

  it('cuts a long value to QUOTED_VALUE_MAX characters, ending in an ellipsis', () => {
    for (const value of [LONG, Array(50_000).fill('lol'), { [LONG]: 1 }]) {
      const quoted = quoteValue(value);
      expect(quoted).toHaveLength(QUOTED_VALUE_MAX);
      expect(quoted.endsWith('…')).toBe(true);
    }
    expect(quoteValue(LONG).startsWith('"xxx')).toBe(true);
  });

  it('quotes a value nested 10,000 deep, and one that holds itself, without throwing', () => {
    expect(quoteValue(nested(10_000))).toBe(`${'['.repeat(QUOTED_VALUE_MAX - 1)}…`);
    const loop: Record<string, unknown> = { mode: 'STRICT' };
    loop.self = loop;
    expect(quoteValue(loop)).toMatch(/^\{"mode":"STRICT","self":\{"mode":"STRICT","self":.*…$/);
  });

  it('spellValue spells a list as String() does, cut short, and never throws', () => {
    expect(spellValue(['a', ['b', null], 3])).toBe(String(['a', ['b', null], 3]));
    expect(spellValue({ a: 1 })).toBe('[object Object]');
    expect(spellValue(Array(50_000).fill('lol'))).toHaveLength(QUOTED_VALUE_MAX);
    expect(() => spellValue(nested(10_000))).not.toThrow();
  });
});

describe('messages that quote a value from the input', () => {
  it('describeValue cuts a long string', () => {
    expect(describeValue(LONG).length).toBeLessThanOrEqual('the string '.length + QUOTED_VALUE_MAX);
  });

  it('a Deployment label whose value is a list nested 10,000 deep is reported, not a crash', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'checkout', namespace: 'shop', labels: { app: 'checkout', tier: nested(10_000) } } };
    const problems = metadataProblems(deployment, '');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message.length).toBeLessThan(600);
  });

  it('a matchLabels value that is a long list is quoted cut short', () => {
    const read = readLabelMap({ app: Array(50_000).fill('checkout') });
    expect('error' in read && read.error.length).toBeLessThan(300);
  });

  it('a PeerAuthentication mode nested 10,000 deep is a problem on spec.mtls.mode, not a crash', () => {
    const doc = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: nested(10_000) } } } as unknown as KubeObject;
    const { policy, problems } = readPeerAuthentication({ doc, source: { file: 'pa.json', line: 1 } });
    expect(policy).toBeUndefined();
    expect(problems.map((p) => p.field)).toEqual(['spec.mtls.mode']);
    expect(problems[0]!.message.length).toBeLessThan(400);
  });

  it('a metadata.name that is a long list is quoted cut short', () => {
    const inventory = emptyInventory();
    const body = { apiVersion: 'v1', kind: 'Service', metadata: { name: Array(50_000).fill('web'), namespace: 'shop' } };
    classifyDocument({ file: 'svc.yaml', line: 1, format: 'yaml', body }, inventory);
    expect(inventory.problems).toHaveLength(1);
    expect(inventory.problems[0]!.message).toMatch(/^v1 Service has a metadata.name that is not a string \(a list \["web","web",.*…\): quote it$/);
    expect(inventory.problems[0]!.message.length).toBeLessThan(300);
  });
});
