import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from './config.js';
import { originAllowed } from './app.js';
import { mintJoinTicket, TicketVerifier } from './tickets.js';
import { metricSum, settle, TestClient, useTestServer, type ConfigOverrides } from './test-support/harness.js';

const fixture = useTestServer();
const start = (overrides: ConfigOverrides, logStream?: Writable) => fixture.start(overrides, logStream ? { logStream } : {});
const connect = async (origin?: string) => {
  const client = fixture.track(await TestClient.connect(fixture.server.ws, origin === undefined ? {} : { origin }));
  return client;
};

describe('origin policy', () => {
  const config = (origins: string[], allowMissingOrigin = true) => ({ ...defaultConfig(), origins, allowMissingOrigin });

  it('by default allows same-origin and loopback only', () => {
    expect(originAllowed('http://localhost:5173', 'signal.example:443', config([]))).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', 'x', config([]))).toBe(true);
    expect(originAllowed('http://[::1]:8080', 'x', config([]))).toBe(true);
    expect(originAllowed('https://app.example', 'app.example', config([]))).toBe(true);
    expect(originAllowed('https://evil.example', 'app.example', config([]))).toBe(false);
    expect(originAllowed('null', 'app.example', config([]))).toBe(false);
    expect(originAllowed('file://x', 'app.example', config([]))).toBe(false);
  });

  it('with a list allows exactly those origins; * allows any', () => {
    expect(originAllowed('https://app.example', 'x', config(['https://app.example/']))).toBe(true);
    expect(originAllowed('http://localhost:5173', 'x', config(['https://app.example']))).toBe(false);
    expect(originAllowed('https://anything.example', 'x', config(['*']))).toBe(true);
  });

  it('treats a missing Origin as configured', () => {
    expect(originAllowed(undefined, 'x', config([], true))).toBe(true);
    expect(originAllowed(undefined, 'x', config(['*'], false))).toBe(false);
  });

  it('refuses a foreign origin with 403 before the upgrade and accepts a listed one', async () => {
    await start({ origins: ['https://app.example'] });
    await expect(connect('https://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect('http://localhost:3000')).rejects.toThrow('HTTP 403');
    const ok = await connect('https://app.example');
    ok.send({ type: 'hello', v: 1 });
    expect((await ok.next()).type).toBe('welcome');
    expect(metricSum(await fixture.server.metrics(), 'peerchart_upgrades_rejected_total{reason="origin"}')).toBe(2);
  });

  it('refuses an upgrade without Origin when missing origins are not allowed', async () => {
    await start({ allowMissingOrigin: false });
    await expect(connect()).rejects.toThrow('HTTP 403');
    expect(await connect('http://localhost:5173')).toBeDefined();
  });
});

describe('join tickets', () => {
  const secret = 'test-secret-0123456789abcdef0123';

  it('mints an HS256 JWT with room and exp that the verifier accepts only for that room', async () => {
    const ticket = await mintJoinTicket({ secret, room: 'blue', ttlSeconds: 60, subject: 'user-7' });
    const [header, payload] = ticket.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'HS256' });
    expect(payload).toMatchObject({ room: 'blue', sub: 'user-7' });
    expect(payload?.exp).toBeGreaterThan(Date.now() / 1000);
    const verifier = new TicketVerifier(secret);
    expect(await verifier.check(ticket, 'blue')).toEqual({ ok: true });
    expect(await verifier.check(ticket, 'red')).toEqual({ ok: false, reason: 'wrong-room' });
    expect(await new TicketVerifier('another-secret').check(ticket, 'blue')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a join without, with an expired, a wrong-room or a forged ticket, and admits a valid one', async () => {
    await start({ ticketSecret: secret });
    const client = await fixture.greeted();

    client.send({ type: 'join', room: 'blue', ref: 'none' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'unauthorized', ref: 'none' });

    const expired = await new SignJWT({ room: 'blue' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    client.send({ type: 'join', room: 'blue', ticket: expired, ref: 'expired' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'unauthorized', ref: 'expired' });

    const red = await mintJoinTicket({ secret, room: 'red', ttlSeconds: 60 });
    client.send({ type: 'join', room: 'blue', ticket: red, ref: 'wrong-room' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'unauthorized', ref: 'wrong-room' });

    const forged = await mintJoinTicket({ secret: 'not-the-secret', room: 'blue', ttlSeconds: 60 });
    client.send({ type: 'join', room: 'blue', ticket: forged, ref: 'forged' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'unauthorized', ref: 'forged' });

    const blue = await mintJoinTicket({ secret, room: 'blue', ttlSeconds: 60 });
    // Frames sent while the ticket is checked are handled after the join, in order.
    client.send({ type: 'join', room: 'blue', ticket: blue, ref: 'ok' });
    client.send({ type: 'leave', room: 'blue', ref: 'after' });
    expect(await client.next()).toMatchObject({ type: 'joined', room: 'blue', ref: 'ok' });
    expect(await client.next()).toMatchObject({ type: 'left', room: 'blue', ref: 'after' });
  });
});

describe('logs', () => {
  it('never carry tickets, SDP or resume tokens at info level', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const secret = 'log-secret-0123456789abcdef01234';
    await start({ ticketSecret: secret, logLevel: 'info' }, sink);
    const ws = fixture.server.ws;
    const a = await TestClient.greeted(ws);
    const b = await TestClient.greeted(ws);
    fixture.track(a, b);
    const ticketA = await mintJoinTicket({ secret, room: 'logs', ttlSeconds: 60 });
    const ticketB = await mintJoinTicket({ secret, room: 'logs', ttlSeconds: 60 });
    await a.join('logs', { ticket: ticketA });
    await b.join('logs', { ticket: ticketB });
    const sdp = 'v=0\r\nc=IN IP4 198.51.100.77\r\n';
    b.send({ type: 'offer', room: 'logs', to: a.peerId, sdp });
    await a.next('offer');
    b.send({ type: 'join', room: 'nope', ticket: 'garbage.ticket.value' });
    await b.next('error');
    await settle(50);
    const all = lines.join('');
    expect(all).toContain('joined room'); // the log is being written at all
    expect(all).toContain(a.peerId);
    for (const secretText of [ticketA, ticketB, 'garbage.ticket.value', '198.51.100.77', a.welcome?.resumeToken as string]) {
      expect(all).not.toContain(secretText);
    }
  });
});
