import { MemoryNonceStore, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signRequest, verifyRequest, type IncomingHeaders, type LinkRejectionReason } from './index';

const SECRET = 'meshgov-test-link-secret-0123456789abcdef';
const SIGNED_AT = new Date('2026-11-20T15:00:00.000Z'); // unix 1795186800
const BODY = JSON.stringify({
  agent: { project: 'meshgov-demo', cluster: 'prod-gke' },
  scopedReport: { trigger: { source: 'gke-audit', eventId: '13268925375184921', eventTime: '2026-11-20T14:47:12.483917Z', summary: 'patch PeerAuthentication payments/default by bob@example.com' } },
});

describe('signRequest', () => {
  test('matches an HMAC-SHA256 computed independently (openssl dgst -sha256 -hmac)', () => {
    const headers = signRequest('{"changeId":"chg-1"}', SECRET, SIGNED_AT, '0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    expect(headers).toEqual({
      [TIMESTAMP_HEADER]: '1795186800',
      [NONCE_HEADER]: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      [SIGNATURE_HEADER]: 'v1=c988e5e7245cc005a3cb58bb07ab195d58e74d0ad16e9383d100d688b9c08d8a',
    });
  });

  test('draws a fresh 128-bit hex nonce for every request', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => signRequest(BODY, SECRET, SIGNED_AT)[NONCE_HEADER]));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
  });

  test('truncates the timestamp to whole seconds', () => {
    expect(signRequest(BODY, SECRET, new Date('2026-11-20T15:00:00.999Z'))[TIMESTAMP_HEADER]).toBe('1795186800');
  });

  test('refuses an empty secret and a nonce that does not look like one', () => {
    expect(() => signRequest(BODY, '', SIGNED_AT)).toThrow(/secret is empty/);
    expect(() => signRequest(BODY, SECRET, SIGNED_AT, 'short')).toThrow(/nonce must match/);
    expect(() => signRequest(BODY, SECRET, SIGNED_AT, 'x'.repeat(20) + ':')).toThrow(/nonce must match/);
  });
});

describe('verifyRequest', () => {
  const seconds = (n: number): Date => new Date(SIGNED_AT.getTime() + n * 1000);
  const signed = signRequest(BODY, SECRET, SIGNED_AT);

  interface Case {
    name: string;
    headers: IncomingHeaders;
    body?: string | Buffer;
    secret?: string | string[];
    now?: Date;
    reason?: LinkRejectionReason;
    header?: string;
  }

  const without = (name: string): IncomingHeaders => Object.fromEntries(Object.entries(signed).filter(([k]) => k !== name));

  const cases: Case[] = [
    { name: 'accepts the request as signed', headers: signed },
    { name: 'accepts the raw body as bytes', headers: signed, body: Buffer.from(BODY, 'utf8') },
    { name: 'accepts it 300s later (edge of the window)', headers: signed, now: seconds(300) },
    { name: 'accepts it from a receiver 300s behind', headers: signed, now: seconds(-300) },
    { name: 'accepts during a rotation when any secret matches', headers: signed, secret: ['the-next-secret-00000000000000000', SECRET] },
    { name: 'rejects a tampered body', headers: signed, body: BODY.replace('prod-gke', 'prod-gke2'), reason: 'bad-signature', header: SIGNATURE_HEADER },
    { name: 'rejects a body with one extra trailing newline', headers: signed, body: `${BODY}\n`, reason: 'bad-signature' },
    { name: 'rejects a wrong secret', headers: signed, secret: 'not-the-link-secret-000000000000000', reason: 'bad-signature' },
    { name: 'rejects when no secret is configured', headers: signed, secret: [], reason: 'bad-signature' },
    { name: 'rejects a stale timestamp (301s old)', headers: signed, now: seconds(301), reason: 'stale-timestamp', header: TIMESTAMP_HEADER },
    { name: 'rejects a future timestamp (301s ahead)', headers: signed, now: seconds(-301), reason: 'future-timestamp', header: TIMESTAMP_HEADER },
    { name: 'rejects a timestamp moved forward by the sender', headers: { ...signed, [TIMESTAMP_HEADER]: '1795186900' }, now: seconds(100), reason: 'bad-signature' },
    { name: 'rejects another nonce under the same signature', headers: { ...signed, [NONCE_HEADER]: 'a'.repeat(32) }, reason: 'bad-signature' },
    { name: 'rejects a missing timestamp', headers: without(TIMESTAMP_HEADER), reason: 'missing-header', header: TIMESTAMP_HEADER },
    { name: 'rejects a missing nonce', headers: without(NONCE_HEADER), reason: 'missing-header', header: NONCE_HEADER },
    { name: 'rejects a missing signature', headers: without(SIGNATURE_HEADER), reason: 'missing-header', header: SIGNATURE_HEADER },
    { name: 'rejects no headers at all', headers: {}, reason: 'missing-header', header: TIMESTAMP_HEADER },
    { name: 'rejects a repeated signature header', headers: { ...signed, [SIGNATURE_HEADER]: [signed[SIGNATURE_HEADER], signed[SIGNATURE_HEADER]] }, reason: 'missing-header', header: SIGNATURE_HEADER },
    { name: 'rejects a timestamp in milliseconds with a fraction', headers: { ...signed, [TIMESTAMP_HEADER]: '1795186800.5' }, reason: 'malformed-timestamp' },
    { name: 'rejects a negative timestamp', headers: { ...signed, [TIMESTAMP_HEADER]: '-1' }, reason: 'malformed-timestamp' },
    { name: 'rejects a nonce with a colon (it would shift the signed string)', headers: { ...signed, [NONCE_HEADER]: 'abcdabcdabcdabcd:x' }, reason: 'malformed-nonce' },
    { name: 'rejects a signature without its version tag', headers: { ...signed, [SIGNATURE_HEADER]: signed[SIGNATURE_HEADER].slice(3) }, reason: 'malformed-signature' },
    { name: 'rejects a signature of another version', headers: { ...signed, [SIGNATURE_HEADER]: `v0=${signed[SIGNATURE_HEADER].slice(3)}` }, reason: 'malformed-signature' },
    { name: 'rejects a truncated signature', headers: { ...signed, [SIGNATURE_HEADER]: signed[SIGNATURE_HEADER].slice(0, -2) }, reason: 'malformed-signature' },
    { name: 'rejects upper-case hex (the signer writes lower case)', headers: { ...signed, [SIGNATURE_HEADER]: signed[SIGNATURE_HEADER].toUpperCase().replace('V1=', 'v1=') }, reason: 'malformed-signature' },
  ];

  test.each(cases)('$name', async ({ headers, body, secret, now, reason, header }) => {
    const verdict = await verifyRequest(headers, body ?? BODY, secret ?? SECRET, now ?? SIGNED_AT, new MemoryNonceStore({ clock: () => SIGNED_AT }));
    if (reason === undefined) {
      expect(verdict).toEqual({ ok: true, timestamp: 1795186800, nonce: signed[NONCE_HEADER] });
    } else {
      expect(verdict).toMatchObject({ ok: false, reason });
      if (header !== undefined) expect(verdict).toMatchObject({ header });
      if (!verdict.ok) expect(verdict.message.length).toBeGreaterThan(10);
    }
  });

  test('rejects a replay of an accepted request, and accepts the same body signed again', async () => {
    const store = new MemoryNonceStore({ clock: () => seconds(10) });
    expect(await verifyRequest(signed, BODY, SECRET, seconds(1), store)).toMatchObject({ ok: true });
    expect(await verifyRequest(signed, BODY, SECRET, seconds(10), store)).toMatchObject({ ok: false, reason: 'replayed-nonce', header: NONCE_HEADER });
    const again = signRequest(BODY, SECRET, seconds(5));
    expect(await verifyRequest(again, BODY, SECRET, seconds(10), store)).toMatchObject({ ok: true });
  });

  test('a request refused for its signature does not use up its nonce', async () => {
    const store = new MemoryNonceStore({ clock: () => SIGNED_AT });
    expect(await verifyRequest(signed, 'forged', SECRET, SIGNED_AT, store)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(store.size).toBe(0);
    expect(await verifyRequest(signed, BODY, SECRET, SIGNED_AT, store)).toMatchObject({ ok: true });
  });
});

describe('MemoryNonceStore', () => {
  test('forgets a nonce once it expires, so the store does not grow without bound', async () => {
    let now = new Date('2026-11-20T15:00:00Z');
    const store = new MemoryNonceStore({ clock: () => now });
    const expiry = new Date('2026-11-20T15:05:00Z');
    expect(await store.remember('0123456789abcdef0123456789abcdef', expiry)).toBe(true);
    expect(await store.remember('0123456789abcdef0123456789abcdef', expiry)).toBe(false);
    expect(store.size).toBe(1);
    now = new Date('2026-11-20T15:05:00Z');
    expect(store.size).toBe(0);
    expect(await store.remember('0123456789abcdef0123456789abcdef', new Date('2026-11-20T15:10:00Z'))).toBe(true);
  });

  test('keeps at most maxEntries, forgetting the oldest first', async () => {
    const now = new Date('2026-11-20T15:00:00Z');
    const store = new MemoryNonceStore({ clock: () => now, maxEntries: 3 });
    const expiry = new Date('2026-11-20T15:05:00Z');
    for (const n of ['a', 'b', 'c', 'd']) expect(await store.remember(n.repeat(16), expiry)).toBe(true);
    expect(store.size).toBe(3);
    expect(await store.remember('a'.repeat(16), expiry)).toBe(true);
    expect(await store.remember('d'.repeat(16), expiry)).toBe(false);
  });

  test('of concurrent calls with one nonce, exactly one wins', async () => {
    const store = new MemoryNonceStore();
    const expiry = new Date(Date.now() + 300_000);
    const results = await Promise.all(Array.from({ length: 10 }, () => store.remember('f'.repeat(32), expiry)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
