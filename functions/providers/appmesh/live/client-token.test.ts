import { clientTokenFor } from './client-token';

const APP_MESH_TOKEN = /^[A-Za-z0-9_-]{1,36}$/;

describe('clientTokenFor', () => {
  it('uses a change id that App Mesh accepts as it is, so retries of one change share it', () => {
    expect(clientTokenFor('chg-4f1a2b')).toBe('chg-4f1a2b');
    expect(clientTokenFor('chg-4f1a2b')).toBe(clientTokenFor('chg-4f1a2b'));
  });

  it('gives the rollback of a change its own token', () => {
    expect(clientTokenFor('chg-4f1a2b', 'rollback')).toBe('chg-4f1a2b-rollback');
    expect(clientTokenFor('chg-4f1a2b', 'rollback')).not.toBe(clientTokenFor('chg-4f1a2b'));
  });

  it.each(['chg:2026-11-20T15:04:15Z:payments-api', 'undo-chg-0b6f2a71-3c94-4e58-8d1a-5e7c9f2b4a60', 'chg 1'])('hashes %s into a valid, stable token', (id) => {
    const token = clientTokenFor(id);
    expect(token).toMatch(APP_MESH_TOKEN);
    expect(clientTokenFor(id)).toBe(token);
    expect(clientTokenFor(id, 'rollback')).not.toBe(token);
  });
});
