import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AppsManifestValidateArguments } from '@slack/web-api';
import { sharedEvent } from '../../../test/support/shared-events';

type Manifest = AppsManifestValidateArguments['manifest'];
const manifest = JSON.parse(readFileSync(path.join(__dirname, 'manifest.json'), 'utf8')) as Manifest;

/**
 * The Web API methods meshgov calls and the bot scope each needs (Slack method reference,
 * "Required scopes"): users.lookupByEmail needs users:read.email on top of users:read.
 */
const METHOD_SCOPES: Record<string, string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'usergroups.users.list': ['usergroups:read'],
  'users.lookupByEmail': ['users:read', 'users:read.email'],
};

describe('Slack app manifest', () => {
  test('asks for exactly the bot scopes meshgov uses, and chat:write.public to post in team channels it was not invited to', () => {
    const needed = new Set([...Object.values(METHOD_SCOPES).flat(), 'chat:write.public']);
    expect([...(manifest.oauth_config?.scopes?.bot ?? [])].sort()).toEqual([...needed].sort());
    expect(manifest.oauth_config?.scopes?.user).toBeUndefined();
  });

  test('sends interactivity to the API Gateway route the endpoint serves (POST /slack/actions)', () => {
    const route = sharedEvent('aws/apigw-http-slack-block-actions.json').routeKey as string;
    expect(route).toBe('POST /slack/actions');
    expect(manifest.settings?.interactivity).toEqual({ is_enabled: true, request_url: 'https://<api-id>.execute-api.<region>.amazonaws.com/slack/actions' });
    expect(manifest.settings?.socket_mode_enabled).toBe(false);
  });

  test('stays within the manifest schema\'s limits (name 35, description 140, long description 175 to 4000 characters)', () => {
    expect(manifest._metadata).toEqual({ major_version: 1, minor_version: 1 });
    const info = manifest.display_information;
    expect(info.name.length).toBeLessThanOrEqual(35);
    expect(info.description!.length).toBeLessThanOrEqual(140);
    expect(info.long_description!.length).toBeGreaterThanOrEqual(175);
    expect(info.long_description!.length).toBeLessThanOrEqual(4000);
    expect(info.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.features?.bot_user).toEqual({ display_name: 'meshgov', always_online: true });
  });
});
