import { changeSummary } from './describe-finding';
import { code, escapeText, formatTime, link, mention, mrkdwn, plainText, truncate } from './escape';

describe('Slack text escaping', () => {
  test.each([
    ['ampersand', 'orders & payments', 'orders &amp; payments'],
    ['angle brackets', 'a <b> c', 'a &lt;b&gt; c'],
    ['a broadcast mention cannot be formed', '<!channel> fix now', '&lt;!channel&gt; fix now'],
    ['a link cannot be formed', '<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['an escaped entity is escaped again (it is data)', '&amp;', '&amp;amp;'],
    ['plain text stays', 'payments-api.payments.svc.cluster.local', 'payments-api.payments.svc.cluster.local'],
  ])('%s', (_name, input, expected) => {
    expect(escapeText(input)).toBe(expected);
  });

  test('code spans escape and cannot be closed early', () => {
    expect(code('a`b<c>')).toBe("`a'b&lt;c&gt;`");
  });

  test('links encode the URL and escape the label', () => {
    expect(link('https://console.aws.amazon.com/appmesh/meshes/prod-mesh/virtual-nodes/payments-api?region=us-west-2&x=1', 'Open <console>')).toBe(
      '<https://console.aws.amazon.com/appmesh/meshes/prod-mesh/virtual-nodes/payments-api?region=us-west-2&amp;x=1|Open &lt;console&gt;>',
    );
    expect(link('https://example.com/a|b', 'x|y')).toBe('<https://example.com/a%7Cb|x/y>');
  });

  test('only user ids become mentions', () => {
    expect(mention('U05JX7RB2LM')).toBe('<@U05JX7RB2LM>');
    expect(mention('W0123ABCD')).toBe('<@W0123ABCD>');
    expect(mention('<!here>')).toBe('&lt;!here&gt;');
  });

  test('truncation keeps the limit and marks the cut', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    expect(plainText('x'.repeat(200)).text).toHaveLength(150);
    expect(mrkdwn('y'.repeat(4000)).text).toHaveLength(3000);
  });

  test('times read as UTC', () => {
    expect(formatTime('2026-11-20T15:00:49Z')).toBe('2026-11-20 15:00:49 UTC');
    expect(formatTime(undefined)).toBe('an unknown time');
  });
});

test('an App Mesh change summary escapes the mesh name once', () => {
  const summary = changeSummary({ operation: 'update-virtual-node', meshName: 'R&D-mesh', virtualNodeName: 'payments-api', expectedVersion: 3, spec: { listeners: [] } });
  expect(summary).toContain('`R&amp;D-mesh/payments-api`');
  expect(summary).not.toContain('&amp;amp;');
});
