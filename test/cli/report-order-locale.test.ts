/**
 * The report's order is the same on every machine: a CI runner in one locale and a laptop in
 * another must produce the same JSON and table for the same inputs. In da-DK, ICU collates
 * `aa` as `å`, after `z`.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fixtureDir } from './run-cli';

const root = path.resolve(__dirname, '../..');
const NOW = '2026-11-26T00:00:00Z';

function namespace(name: string): string {
  return [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    `  name: ${name}`,
    '  labels: {istio-injection: enabled}',
    '---',
    'apiVersion: security.istio.io/v1',
    'kind: PeerAuthentication',
    'metadata:',
    '  name: default',
    `  namespace: ${name}`,
    'spec: {mtls: {mode: PERMISSIVE}}',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    `  namespace: ${name}`,
    'spec:',
    '  selector: {matchLabels: {app: api}}',
    '  template:',
    '    metadata: {labels: {app: api}}',
    '    spec:',
    '      containers:',
    '        - name: api',
    `          image: registry.example.com/${name}/api:1.4.2`,
    '          ports: [{containerPort: 8080}]',
    '',
  ].join('\n');
}

function findingOrder(locale: string): string[] {
  const dir = fixtureDir({ 'zz-orders.yaml': namespace('zz-orders'), 'aa-payments.yaml': namespace('aa-payments') });
  const r = spawnSync('node', [path.join(root, 'functions/cli/meshgov.cjs'), 'audit', dir, '--now', NOW, '--format', 'json', '--fail-on', 'never'], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: locale, LANG: locale },
  });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout).findings.map((f: any) => `${f.rule} ${f.resource.namespace}/${f.resource.name}`);
}

describe('report order', () => {
  test('does not depend on the locale of the machine', () => {
    const english = findingOrder('en_US.UTF-8');
    expect(english).toEqual(['mtls-not-strict aa-payments/api', 'mtls-not-strict zz-orders/api']);
    expect(findingOrder('da_DK.UTF-8')).toEqual(english);
  });
});
