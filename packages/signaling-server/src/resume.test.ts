import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@peerchart/core/protocol';
import { settle, TestClient, useTestServer } from './test-support/harness.js';

const fixture = useTestServer();
const { start, greeted } = fixture;

/** Two members of `room`, `a` joined first. */
async function pair(room: string) {
  const a = await greeted();
  const b = await greeted();
  await a.join(room);
  await b.join(room);
  await a.next('peer-joined');
  return { a, b };
}

describe('resume', () => {
  it('restores id and rooms, re-sends joined with roles, delivers the mailbox in order, and hides the absence', async () => {
    await start({ resumeWindowMs: 5_000 });
    const { a, b } = await pair('resume');
    const c = await greeted();
    const token = a.welcome?.resumeToken as string;
    a.socket.terminate();
    await a.closed;
    await settle(50);
    await c.join('resume'); // joins while a is away: a must see c as a later joiner on resume
    b.send({ type: 'app', room: 'resume', to: a.peerId, data: 'first' });
    b.send({ type: 'offer', room: 'resume', to: a.peerId, sdp: 'v=0 second' });

    expect(a.welcome?.rooms).toEqual([]);
    const back = await greeted(token);
    expect(back.welcome).toMatchObject({ peerId: a.peerId, resumed: true, rooms: ['resume'] });
    expect(back.welcome?.resumeToken).not.toBe(token); // tokens rotate on every welcome
    const joined = await back.next();
    expect(joined).toMatchObject({ type: 'joined', room: 'resume', self: a.peerId });
    expect(joined.type === 'joined' && joined.peers).toEqual([
      { id: b.peerId, name: '', polite: true },
      { id: c.peerId, name: '', polite: true },
    ]);
    expect(await back.next()).toEqual({ type: 'app', room: 'resume', from: b.peerId, data: 'first' });
    expect(await back.next()).toEqual({ type: 'offer', room: 'resume', from: b.peerId, sdp: 'v=0 second' });

    back.send({ type: 'app', room: 'resume', to: b.peerId, data: 'hello again' });
    // b never heard of a's absence: its next frames are c's arrival, then a's message. A peer-left for
    // a would have been sent before a came back, so it would sit between them on b's ordered socket.
    expect(await b.next()).toMatchObject({ type: 'peer-joined', peer: { id: c.peerId } });
    expect(await b.next()).toEqual({ type: 'app', room: 'resume', from: a.peerId, data: 'hello again' });
    // A client that re-joins a restored room gets joined again, and nobody sees a newcomer: b's next
    // frame is the one sent after the re-join (a peer-left or peer-joined would come first).
    expect(await back.join('resume', { ref: 'again' })).toMatchObject({ room: 'resume', self: a.peerId, ref: 'again' });
    back.send({ type: 'app', room: 'resume', to: b.peerId, data: 'after re-join' });
    expect(await b.next()).toEqual({ type: 'app', room: 'resume', from: a.peerId, data: 'after re-join' });
  });

  it('after a restart, honours a token signed with the same session secret once: same peer id, resumed, no rooms', async () => {
    const sessionSecret = 'restart-secret-0123456789';
    await start({ resumeWindowMs: 5_000, sessionSecret });
    const a = await greeted();
    await a.join('before-restart');
    const token = a.welcome?.resumeToken as string;
    await fixture.server.close(); // every session is gone with it
    expect((await a.closed).code).toBe(CLOSE_CODES.goingAway);

    await start({ resumeWindowMs: 5_000, sessionSecret });
    const back = await greeted(token);
    expect(back.welcome).toMatchObject({ peerId: a.peerId, resumed: true, rooms: [] });
    // Its rooms are not restored: the client joins them again itself.
    const joined = await back.join('before-restart');
    expect(joined).toMatchObject({ self: a.peerId, peers: [] });
    const other = await greeted();
    await other.join('before-restart');
    expect(await back.next('peer-joined')).toMatchObject({ peer: { id: other.peerId } });
    // The token worked once; the rotated one names the live session.
    const replay = await greeted(token);
    expect(replay.welcome?.resumed).toBe(false);
    expect(replay.peerId).not.toBe(a.peerId);
  });

  it('after a restart without a session secret, a token is just unknown: a fresh identity', async () => {
    await start({ resumeWindowMs: 5_000 });
    const a = await greeted();
    const token = a.welcome?.resumeToken as string;
    await fixture.server.close();
    await start({ resumeWindowMs: 5_000 });
    const back = await greeted(token);
    expect(back.welcome).toMatchObject({ resumed: false, rooms: [] });
    expect(back.peerId).not.toBe(a.peerId);
  });

  it('refuses a forged token (right shape, wrong signature) with a fresh identity', async () => {
    await start({ resumeWindowMs: 5_000, sessionSecret: 'forgery-secret-0123456789' });
    const a = await greeted();
    const [peerId, nonce, epoch] = (a.welcome?.resumeToken as string).split('.');
    const forged = await greeted(`${peerId}.${nonce}.${epoch}.AAAAAAAAAAAAAAAAAAAAAA`);
    expect(forged.welcome?.resumed).toBe(false);
    expect(forged.peerId).not.toBe(a.peerId);
  });

  it('gives a fresh identity for an unknown or used token', async () => {
    await start({ resumeWindowMs: 5_000 });
    const a = await greeted();
    const token = a.welcome?.resumeToken as string;
    a.socket.terminate();
    await a.closed;
    const back = await greeted(token);
    expect(back.welcome?.resumed).toBe(true);
    const stale = await greeted(token);
    expect(stale.welcome?.resumed).toBe(false);
    expect(stale.peerId).not.toBe(a.peerId);
    const unknown = await greeted('no-such-token');
    expect(unknown.welcome?.resumed).toBe(false);
  });

  it('tells members peer-left reason disconnect when the window lapses, and the token dies', async () => {
    await start({ resumeWindowMs: 150 });
    const { a, b } = await pair('lapse');
    const token = b.welcome?.resumeToken as string;
    b.close();
    expect(await a.next()).toEqual({ type: 'peer-left', room: 'lapse', peerId: b.peerId, reason: 'disconnect' });
    const late = await greeted(token);
    expect(late.welcome?.resumed).toBe(false);
  });

  it('tells members at once when resume is disabled (window 0), and ignores resume tokens', async () => {
    await start({ resumeWindowMs: 0 });
    const { a, b } = await pair('now');
    const other = await greeted(a.welcome?.resumeToken);
    expect(other.welcome?.resumed).toBe(false);
    expect(other.peerId).not.toBe(a.peerId);
    b.close();
    expect(await a.next()).toMatchObject({ type: 'peer-left', peerId: b.peerId, reason: 'disconnect' });
  });

  it('closes a still-open old socket with 4004 when its identity resumes elsewhere', async () => {
    await start({ resumeWindowMs: 5_000 });
    const { a, b } = await pair('replace');
    const back = await greeted(a.welcome?.resumeToken);
    expect(back.peerId).toBe(a.peerId);
    expect((await a.closed).code).toBe(CLOSE_CODES.replaced);
    await back.next('joined');
    b.send({ type: 'app', room: 'replace', to: a.peerId, data: 'to the new socket' });
    expect(await back.next()).toMatchObject({ type: 'app', data: 'to the new socket' });
    // No peer-left for the replaced socket: the next frame b gets is the new socket's answer.
    back.send({ type: 'app', room: 'replace', to: b.peerId, data: 'from the new socket' });
    expect(await b.next()).toEqual({ type: 'app', room: 'replace', from: a.peerId, data: 'from the new socket' });
  });
});

describe('heartbeat', () => {
  it('terminates a socket that stops answering pings, then reports peer-left reason timeout', async () => {
    await start({ heartbeatIntervalMs: 100, resumeWindowMs: 100 });
    const a = await greeted();
    const mute = await greeted();
    await a.join('beat');
    await mute.join('beat');
    // Stop reading for real: pings pile up unanswered, as with a peer whose network vanished.
    const raw = (mute.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    expect(await a.next('peer-left')).toEqual({ type: 'peer-left', room: 'beat', peerId: mute.peerId, reason: 'timeout' });
    raw.resume();
    expect((await mute.closed).code).toBe(1006); // terminated: no close frame
  });

  it('keeps a responsive socket open across many intervals', async () => {
    await start({ heartbeatIntervalMs: 250 });
    const a = await greeted();
    // Wait for the pings themselves (ws answers each with a pong), not for a time.
    await new Promise<void>((resolve) => {
      let pings = 0;
      a.socket.on('ping', () => {
        if (++pings === 4) resolve();
      });
    });
    expect((await a.join('alive')).room).toBe('alive');
  });
});

describe('graceful shutdown in process', () => {
  it('turns readiness 503, closes clients with 1001 and sends no presence updates', async () => {
    const { http } = await start({});
    const { a, b } = await pair('bye');
    for (const app of fixture.server.apps) app.peerchart.beginShutdown();
    expect((await fetch(`${http}/health/ready`)).status).toBe(503);
    expect((await fetch(`${http}/health/live`)).status).toBe(200);
    await expect(TestClient.connect(fixture.server.ws)).rejects.toThrow('HTTP 503');
    await fixture.server.close();
    expect((await a.closed).code).toBe(CLOSE_CODES.goingAway);
    expect((await b.closed).code).toBe(CLOSE_CODES.goingAway);
    expect(a.pending().filter((m) => m.type === 'peer-left')).toEqual([]);
  });

  it('answers health checks as documented during an actual drain: ready 503 draining, live 200', async () => {
    const { http } = await start({});
    const { a } = await pair('drain');
    // A client that does not read holds the drain open (the server waits for its close handshake).
    const raw = (a.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const closing = fixture.server.close();
    // close() runs the drain on a later tick: wait for it to begin.
    for (let i = 0; i < 100 && !fixture.server.app.peerchart.draining; i++) await settle(10);
    expect(fixture.server.app.peerchart.draining).toBe(true);
    const ready = await fetch(`${http}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });
    const live = await fetch(`${http}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    raw.resume();
    await closing;
    expect((await a.closed).code).toBe(CLOSE_CODES.goingAway);
  });
});
