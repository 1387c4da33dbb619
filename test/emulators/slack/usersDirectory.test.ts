import { slackClientFor, startSlackEmulator, type SlackEmulator } from './index';

const CAROL = { id: 'U05JX7RB2LM', name: 'carol.ops', email: 'carol@example.com', realName: 'Carol Ops' };
const ALICE = { id: 'U05ALICE001', name: 'alice', email: 'alice@example.com' };

describe('Slack emulator: users.lookupByEmail and users.info', () => {
  let slack: SlackEmulator;
  beforeEach(async () => {
    slack = await startSlackEmulator({ users: [CAROL, ALICE] });
  });
  afterEach(async () => {
    await slack.stop();
  });

  test('lookupByEmail finds a member by email, whatever the case, with the profile email', async () => {
    const client = slackClientFor(slack);
    const result = await client.users.lookupByEmail({ email: 'Carol@Example.com' });
    expect(result.ok).toBe(true);
    expect(result.user).toMatchObject({ id: CAROL.id, name: 'carol.ops', team_id: slack.workspace.teamId, deleted: false, profile: { email: 'carol@example.com', real_name: 'Carol Ops' } });
  });

  test('lookupByEmail answers users_not_found for an unknown or deactivated member', async () => {
    const client = slackClientFor(slack);
    await expect(client.users.lookupByEmail({ email: 'mallory@example.com' })).rejects.toMatchObject({ data: { error: 'users_not_found' } });
    slack.setUser({ ...ALICE, deleted: true });
    await expect(client.users.lookupByEmail({ email: 'alice@example.com' })).rejects.toMatchObject({ data: { error: 'users_not_found' } });
    expect((await client.users.info({ user: ALICE.id })).user).toMatchObject({ id: ALICE.id, deleted: true });
  });

  test('users.info finds a member by id, and user_not_found otherwise', async () => {
    const client = slackClientFor(slack);
    expect((await client.users.info({ user: CAROL.id })).user).toMatchObject({ id: CAROL.id, name: 'carol.ops' });
    await expect(client.users.info({ user: 'U0NOBODY01' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
  });

  test('reset brings the members back to the options', async () => {
    const client = slackClientFor(slack);
    slack.setUser({ id: 'U0DAVE0001', name: 'dave', email: 'dave@example.com' });
    expect((await client.users.lookupByEmail({ email: 'dave@example.com' })).user).toMatchObject({ id: 'U0DAVE0001' });
    slack.reset();
    await expect(client.users.lookupByEmail({ email: 'dave@example.com' })).rejects.toMatchObject({ data: { error: 'users_not_found' } });
  });
});
