import { App } from 'aws-cdk-lib';
import { ConfigError, readConfig } from '../../../cdk/lib/config';

const BASE = { 'meshgov:meshes': ['prod-mesh'], 'meshgov:regions': ['us-west-2'] };
const configOf = (context: Record<string, unknown>) => readConfig(new App({ context: { ...BASE, ...context } }).node);

// EventBridge refuses these at deploy time (PutRule ValidationException), after every function
// has been bundled and uploaded; synth must refuse them first, naming the key.
describe('EventBridge schedule expressions in cdk.json context', () => {
  it.each(['meshgov:schedule', 'meshgov:sloSchedule'])('%s takes the forms EventBridge documents', (key) => {
    for (const good of ['rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(12 hours)', 'rate(1 day)', 'rate(7 days)', 'cron(0 6 * * ? *)', 'cron(0/15 * ? * MON-FRI *)', 'cron(0 10 L * ? 2030)', 'cron(0 8 ? * 2#1 *)']) {
      expect(() => configOf({ [key]: good })).not.toThrow();
    }
  });

  it.each([
    // rate: the unit is singular for 1 and plural above (EventBridge "Rate expressions reference").
    ['rate(1 hours)', /rate\(1 hour\)/],
    ['rate(5 minute)', /rate\(5 minutes\)/],
    ['rate(0 minutes)', /positive/],
    ['rate(1 week)', /minute, hour or day/],
    // cron: six fields, and one of day-of-month and day-of-week must be "?".
    ['cron(0 6 * * *)', /six fields/],
    ['cron(0 6 * * * *)', /"\?"/],
    ['cron(0 6 1 * MON *)', /"\?"/],
    ['cron(0 6 ? * ? *)', /"\?"/],
  ])('refuses %s at synth with the rule it breaks', (expression, rule) => {
    for (const key of ['meshgov:schedule', 'meshgov:sloSchedule']) {
      expect(() => configOf({ [key]: expression })).toThrow(ConfigError);
      expect(() => configOf({ [key]: expression })).toThrow(rule);
      expect(() => configOf({ [key]: expression })).toThrow(key);
    }
  });
});
