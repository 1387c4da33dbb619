import { jsonLogger } from './log';

test('one JSON line per call, with severity and message where Cloud Logging reads them, and fields carried by with()', () => {
  const lines: string[] = [];
  const log = jsonLogger((line) => lines.push(line)).with({ function: 'istioConfigChanged', eventId: '13268925375184921' });
  log.notice('report delivered to the hub', { attempts: 1 });
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toEqual({ severity: 'NOTICE', message: 'report delivered to the hub', component: 'meshgov-agent', function: 'istioConfigChanged', eventId: '13268925375184921', attempts: 1 });
});

test('errors keep their name, message, code and cause instead of becoming {}', () => {
  const lines: string[] = [];
  const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443', { cause: 'socket closed' }), { code: 'ECONNREFUSED' });
  jsonLogger((line) => lines.push(line)).error('hub not reached', { error });
  expect(JSON.parse(lines[0]!).error).toEqual({ name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:443', code: 'ECONNREFUSED', cause: 'socket closed' });
});
