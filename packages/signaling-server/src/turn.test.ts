import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { iceServersFor, turnCredentials } from './turn.js';
import { startServer, TestClient, useTestServer, type TestServer } from './test-support/harness.js';

/** coturn's check for `use-auth-secret`: HMAC-SHA1 over the username with the shared secret, base64, and an unexpired timestamp. */
function coturnAccepts(secret: string, username: string, credential: string, nowSeconds: number): boolean {
  const [expiry] = username.split(':');
  const expected = createHmac('sha1', secret).update(username, 'utf8').digest().toString('base64');
  return expected === credential && Number(expiry) > nowSeconds;
}

describe('turnCredentials', () => {
  it('follows the use-auth-secret scheme: expiry:peerId, base64 HMAC-SHA1', () => {
    const nowMs = 1_700_000_000_000;
    const creds = turnCredentials({ secret: 's3cret', peerId: 'peer-1', ttlSeconds: 600, nowMs });
    expect(creds.username).toBe('1700000600:peer-1');
    expect(creds.expiresAt).toBe(1_700_000_600);
    expect(coturnAccepts('s3cret', creds.username, creds.credential, nowMs / 1000)).toBe(true);
    expect(coturnAccepts('other', creds.username, creds.credential, nowMs / 1000)).toBe(false);
    expect(coturnAccepts('s3cret', creds.username, creds.credential, nowMs / 1000 + 601)).toBe(false);
  });

  it('matches a credential computed independently, with openssl', () => {
    // Computed outside this code base (the same HMAC-SHA1 + base64 coturn checks):
    //   printf %s '1700000600:peer-1' | openssl dgst -sha1 -hmac s3cret -binary | base64
    //   → KoFUtOANZXhnAZZRdZn8Yd4jr/4=
    const creds = turnCredentials({ secret: 's3cret', peerId: 'peer-1', ttlSeconds: 600, nowMs: 1_700_000_000_000 });
    expect(creds).toEqual({ username: '1700000600:peer-1', credential: 'KoFUtOANZXhnAZZRdZn8Yd4jr/4=', expiresAt: 1_700_000_600 });
  });

  it('builds iceServers: none by default, STUN as given, TURN with or without a secret', () => {
    const base = { stunUrls: [], turnUrls: [], turnSecret: undefined, turnTtlSeconds: 60 };
    expect(iceServersFor('p', base)).toEqual([]);
    expect(iceServersFor('p', { ...base, stunUrls: ['stun:a:3478'], turnUrls: ['turn:b:3478'] })).toEqual([
      { urls: ['stun:a:3478'] },
      { urls: ['turn:b:3478'] },
    ]);
    const [turn] = iceServersFor('p', { ...base, turnUrls: ['turn:b:3478?transport=udp'], turnSecret: 'k' });
    expect(turn).toMatchObject({ urls: ['turn:b:3478?transport=udp'], username: expect.stringMatching(/^\d+:p$/) });
  });
});

describe('refresh-ice-servers', () => {
  const fixture = useTestServer();

  it('answers ice-servers with fresh TURN credentials and their TTL, carrying the ref', async () => {
    await fixture.start({ turnUrls: ['turn:turn.example:3478'], turnSecret: 'coturn-static-auth-secret', turnTtlSeconds: 120 });
    const client = await fixture.greeted();
    const joined = await client.join('refresh');
    expect(joined.iceServersTtlMs).toBe(120_000);
    client.send({ type: 'refresh-ice-servers', ref: 'r1' });
    const reply = await client.next('ice-servers');
    expect(reply).toMatchObject({ type: 'ice-servers', iceServersTtlMs: 120_000, ref: 'r1' });
    const [turn] = reply.iceServers;
    expect(turn?.urls).toEqual(['turn:turn.example:3478']);
    const [expiry, peerId] = (turn?.username as string).split(':');
    expect(peerId).toBe(client.peerId);
    const now = Date.now() / 1000;
    expect(Number(expiry)).toBeGreaterThan(now + 110);
    expect(coturnAccepts('coturn-static-auth-secret', turn?.username as string, turn?.credential as string, now)).toBe(true);
  });

  it('without a TURN secret the reply carries no TTL (nothing expires), and it needs a hello first', async () => {
    await fixture.start({ stunUrls: ['stun:stun.example:3478'] });
    const early = fixture.track(await TestClient.connect(fixture.server.ws));
    early.send({ type: 'refresh-ice-servers', ref: 0 });
    expect(await early.next()).toMatchObject({ type: 'error', code: 'hello-required', ref: 0 });
    const client = await fixture.greeted();
    expect((await client.join('plain')).iceServersTtlMs).toBeUndefined();
    client.send({ type: 'refresh-ice-servers' });
    const reply = await client.next('ice-servers');
    expect(reply).toEqual({ type: 'ice-servers', iceServers: [{ urls: ['stun:stun.example:3478'] }] });
  });
});

describe('iceServers in joined', () => {
  let server: TestServer;
  afterAll(async () => server.close());

  it('hands each peer STUN and its own time-limited TURN credential that coturn would accept', async () => {
    server = await startServer({
      stunUrls: ['stun:stun.example:3478'],
      turnUrls: ['turn:turn.example:3478', 'turns:turn.example:5349'],
      turnSecret: 'coturn-static-auth-secret',
      turnTtlSeconds: 300,
    });
    const client = await TestClient.greeted(server.ws);
    const joined = await client.join('ice');
    client.close();
    expect(joined.iceServers[0]).toEqual({ urls: ['stun:stun.example:3478'] });
    const turn = joined.iceServers[1];
    expect(turn?.urls).toEqual(['turn:turn.example:3478', 'turns:turn.example:5349']);
    const [expiry, peerId] = (turn?.username as string).split(':');
    expect(peerId).toBe(client.peerId);
    const now = Date.now() / 1000;
    expect(Number(expiry)).toBeGreaterThan(now + 290);
    expect(Number(expiry)).toBeLessThanOrEqual(now + 301);
    expect(coturnAccepts('coturn-static-auth-secret', turn?.username as string, turn?.credential as string, now)).toBe(true);
  });
});
