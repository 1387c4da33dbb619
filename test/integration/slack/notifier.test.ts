/**
 * The Slack notifier in the governance pipeline: govern() over prod-mesh read live from the App
 * Mesh emulator, the ledger on dynalite, and Slack on the Slack emulator through @slack/web-api.
 * Remediation is manual here, so every message is about findings.
 */
import type { StoredMessage } from '../../emulators/slack';
import { FAST_RETRY_CONFIG } from '../../emulators/slack';
import { RULE_IDS } from '../../../functions/core/findings';
import { findingId } from '../../../functions/core/rules/finding-id';
import { aliceChange, nightlyAudit } from './support/fleet';
import { CHANNEL, paymentsPolicy } from './support/storyline';
import { worldPerTest, type World } from './support/world';

const startTestWorld = worldPerTest();
let world: World;

const manualOnly = () => paymentsPolicy((p) => RULE_IDS.forEach((id) => (p.rules[id].remediation = 'manual')));

const PAYMENTS_API_NOT_STRICT = findingId('mtls-not-strict', 'appmesh', { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 });

/** The fingerprint of a recorded finding (a client finding's includes its destination, so it is looked up). */
async function idOf(w: World, rule: string, name: string): Promise<string> {
  const open = await w.ledger.listOpenFindings({ provider: 'appmesh' });
  const match = open.find((r) => r.finding.rule === rule && r.finding.resource.name === name);
  if (!match) throw new Error(`no open ${rule} finding on ${name}`);
  return match.id;
}

/** Top-level messages (not thread replies) in the payments channel. */
const posts = (w: World): StoredMessage[] => w.slack.messages(CHANNEL).filter((m) => m.threadTs === undefined);
const header = (m: StoredMessage) => (m.blocks?.[0] as any)?.text?.text as string;
const block = (m: StoredMessage, id: string) => m.blocks?.find((b) => b.block_id === id) as any;

describe('Slack notifications', () => {
  test('a new finding produces one message in the owning team channel, and the next run none', async () => {
    world = await startTestWorld({ policy: manualOnly() });
    const first = await world.govern(aliceChange(world.now()));
    expect(first.notified).toHaveLength(4);
    expect(first.notificationFailures).toBe(0);
    expect(posts(world)).toHaveLength(4);

    const message = posts(world).find((m) => header(m).endsWith('mtls-not-strict on payments-api (prod-mesh)'))!;
    expect(header(message)).toBe(':large_orange_circle: High: mtls-not-strict on payments-api (prod-mesh)');
    expect(block(message, 'meshgov_cause').text.text).toMatch(/^\*Cause:\* UpdateVirtualNode payments-api by alice@example\.com — CloudTrail, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(block(message, 'meshgov_fix').text.text).toContain('*Fix:* require mTLS (STRICT) on port 8080 of payments-api (prod-mesh) — a person must make it');
    expect(block(message, 'meshgov_evidence').elements[0].text).toBe(
      '<https://console.aws.amazon.com/appmesh/meshes/prod-mesh/virtual-nodes/payments-api?region=us-west-2|Open in the App Mesh console>',
    );
    const record = await world.ledger.getFinding(PAYMENTS_API_NOT_STRICT);
    expect(record).toMatchObject({ status: 'open', notificationPending: false, slack: { channel: CHANNEL, ts: message.ts } });

    world.advance(60_000);
    const second = await world.govern(aliceChange(world.now()));
    expect(second.notified).toEqual([]);
    expect(world.slack.calls('chat.postMessage')).toBe(4);
    expect(world.slack.calls('chat.update')).toBe(0);
  });

  test('a resolved finding updates its message: struck through under a Resolved header', async () => {
    world = await startTestWorld({ policy: manualOnly() });
    await world.govern(aliceChange(world.now()));
    const workerClient = await idOf(world, 'mtls-client-not-enforced', 'payments-worker');
    const before = posts(world).find((m) => header(m).includes('mtls-client-not-enforced on payments-worker'))!;

    // Someone fixes payments-worker's client policy by hand: enforce with a client certificate.
    world.appmesh.touch('prod-mesh', 'virtualNode', 'payments-worker', {
      changeSpec: (spec: any) => {
        const tls = spec.backends[0].virtualService.clientPolicy.tls;
        tls.enforce = true;
        tls.certificate = { file: { certificateChain: '/etc/appmesh/certs/payments-worker.pem', privateKey: '/etc/appmesh/certs/payments-worker.key' } };
        return spec;
      },
    });
    world.advance(60_000);
    const run = await world.govern(nightlyAudit(world.now()));
    expect(run.resolved).toEqual([workerClient]);

    expect(posts(world)).toHaveLength(4);
    const after = world.slack.messages(CHANNEL).find((m) => m.ts === before.ts)!;
    expect(after.history).toHaveLength(2);
    expect(header(after)).toBe(':white_check_mark: Resolved: mtls-client-not-enforced on payments-worker (prod-mesh)');
    expect(block(after, 'meshgov_finding').text.text).toMatch(/\*Problem:\* ~VirtualNode prod-mesh\/payments-worker sends plaintext .*~$/);
    expect(await world.ledger.getFinding(workerClient)).toMatchObject({ status: 'resolved', notificationPending: false });
  });

  test('an escalation is a thread reply, broadcast, and an update of the message', async () => {
    world = await startTestWorld({ policy: manualOnly() });
    await world.govern(aliceChange(world.now()));
    const workerClient = await idOf(world, 'mtls-client-not-enforced', 'payments-worker');
    const original = posts(world).find((m) => header(m).includes('mtls-client-not-enforced on payments-worker'))!;

    world.policy.rules['mtls-client-not-enforced'].severity = 'critical';
    world.advance(60_000);
    const run = await world.govern(aliceChange(world.now()));
    expect(run.notified).toEqual(expect.arrayContaining([{ id: workerClient, kind: 'escalated' }]));

    const replies = world.slack.messages(CHANNEL).filter((m) => m.threadTs === original.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toMatch(/^:arrow_up: Escalated to \*critical\* \(was high\): VirtualNode prod-mesh\/payments-worker/);
    const updated = world.slack.messages(CHANNEL).find((m) => m.ts === original.ts)!;
    expect(header(updated)).toBe(':red_circle: Critical: mtls-client-not-enforced on payments-worker (prod-mesh)');
    expect(posts(world)).toHaveLength(4);
  });

  test('a scheduled run posts one digest per channel instead of a burst', async () => {
    world = await startTestWorld({ policy: manualOnly() });
    const run = await world.govern(nightlyAudit(world.now()));
    expect(run.notified).toHaveLength(4);
    expect(posts(world)).toHaveLength(1);
    const digest = posts(world)[0];
    expect(header(digest)).toBe(':clipboard: meshgov: 4 new findings');
    expect((digest.blocks![2] as any).text.text.split('\n')).toHaveLength(4);
    expect(await world.ledger.listPendingNotifications()).toEqual([]);
    expect(await world.ledger.getFinding(PAYMENTS_API_NOT_STRICT)).toMatchObject({ status: 'open', notificationPending: false });
  });

  test('a Slack 429 is retried after Retry-After, and the message is posted once', async () => {
    world = await startTestWorld({ policy: manualOnly() });
    world.slack.failNext('chat.postMessage', 429, 1, 1);
    const run = await world.govern(aliceChange(world.now()));
    expect(run.notificationFailures).toBe(0);
    expect(posts(world)).toHaveLength(4);
    const log = world.slack.callLog('chat.postMessage');
    expect(log[0]).toMatchObject({ httpStatus: 429, error: 'ratelimited' });
    expect(log[1].httpStatus).toBe(200);
    // The client waited for the Retry-After second before asking again.
    expect(log[1].receivedAt - log[0].receivedAt).toBeGreaterThanOrEqual(950);
  });

  test('when Slack is down the finding is still recorded, and the notification is sent by a later run', async () => {
    world = await startTestWorld({ policy: manualOnly() });
    await world.slack.goDown();
    const down = await world.govern(aliceChange(world.now()));
    expect(down.notificationFailures).toBe(4);
    expect(await world.ledger.getFinding(PAYMENTS_API_NOT_STRICT)).toMatchObject({ status: 'open', notificationPending: true });
    expect((await world.ledger.getFinding(PAYMENTS_API_NOT_STRICT))?.slack).toBeUndefined();

    await world.slack.comeUp();
    world.advance(60_000);
    const later = await world.govern(aliceChange(world.now()));
    expect(later.notificationFailures).toBe(0);
    expect(later.notified.map((n) => n.kind)).toEqual(['new', 'new', 'new', 'new']);
    expect(posts(world)).toHaveLength(4);
    expect(await world.ledger.getFinding(PAYMENTS_API_NOT_STRICT)).toMatchObject({ notificationPending: false, slack: { channel: CHANNEL } });
  });

  test('Slack 5xx beyond the retries leaves the notification owed', async () => {
    world = await startTestWorld({ policy: manualOnly() });
    // Every attempt of the first notification fails: the first try and the client's retries.
    world.slack.failNext('chat.postMessage', 503, (FAST_RETRY_CONFIG.retries ?? 0) + 1);
    const run = await world.govern(aliceChange(world.now()));
    expect(run.notificationFailures).toBe(1);
    expect(posts(world)).toHaveLength(3);
    expect(await world.ledger.listPendingNotifications()).toHaveLength(1);
  });
});
