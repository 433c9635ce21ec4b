import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@peerchart/core/protocol';
import { startServer, TestClient, type TestServer } from './test-support/harness.js';

let server: TestServer;
const clients: TestClient[] = [];
const greeted = async () => {
  const client = await TestClient.greeted(server.ws);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
});

describe('hello', () => {
  it('welcomes with a server-assigned id, a resume token and the resume window', async () => {
    const a = await greeted();
    const b = await greeted();
    expect(a.welcome).toMatchObject({ type: 'welcome', v: PROTOCOL_VERSION, resumed: false, resumeWindowMs: 30_000 });
    expect(a.peerId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(a.peerId).not.toBe(b.peerId);
    expect(a.welcome?.resumeToken).not.toBe(b.welcome?.resumeToken);
  });

  it('echoes the hello ref in the welcome', async () => {
    const client = await TestClient.connect(server.ws);
    clients.push(client);
    client.send({ type: 'hello', v: PROTOCOL_VERSION, ref: 'h1' });
    expect(await client.next('welcome')).toMatchObject({ ref: 'h1' });
  });

  it('refuses messages before hello, a wrong version and a second hello, and stays usable', async () => {
    const client = await TestClient.connect(server.ws);
    clients.push(client);
    client.send({ type: 'join', room: 'r', ref: 1 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'hello-required', ref: 1 });
    client.send({ type: 'hello', v: 99, ref: 2 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'unsupported-version', ref: 2 });
    client.send({ type: 'hello', v: PROTOCOL_VERSION });
    expect(await client.next()).toMatchObject({ type: 'welcome' });
    client.send({ type: 'hello', v: PROTOCOL_VERSION, ref: 3 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'already-greeted', ref: 3 });
  });
});

describe('rooms and presence', () => {
  it('gives the newcomer the current peers (it is impolite toward them) and tells them (they are polite)', async () => {
    const first = await greeted();
    const second = await greeted();
    const joinedFirst = await first.join('presence', { name: 'Ada', ref: 'j1' });
    expect(joinedFirst).toEqual({ type: 'joined', room: 'presence', self: first.peerId, peers: [], iceServers: [], ref: 'j1' });

    const joinedSecond = await second.join('presence', { name: 'Bob' });
    expect(joinedSecond.peers).toEqual([{ id: first.peerId, name: 'Ada', polite: false }]);
    expect(await first.next()).toEqual({
      type: 'peer-joined',
      room: 'presence',
      peer: { id: second.peerId, name: 'Bob', polite: true },
    });

    const third = await greeted();
    const joinedThird = await third.join('presence');
    expect(joinedThird.peers).toEqual([
      { id: first.peerId, name: 'Ada', polite: false },
      { id: second.peerId, name: 'Bob', polite: false },
    ]);
    expect(await first.next('peer-joined')).toMatchObject({ peer: { id: third.peerId, name: '', polite: true } });
    expect(await second.next('peer-joined')).toMatchObject({ peer: { id: third.peerId, polite: true } });

    third.send({ type: 'leave', room: 'presence', ref: 9 });
    expect(await third.next()).toEqual({ type: 'left', room: 'presence', ref: 9 });
    expect(await first.next()).toEqual({ type: 'peer-left', room: 'presence', peerId: third.peerId, reason: 'leave' });
    expect(await second.next()).toEqual({ type: 'peer-left', room: 'presence', peerId: third.peerId, reason: 'leave' });
  });

  it('answers a repeated join with the current state and no duplicate presence', async () => {
    const a = await greeted();
    const b = await greeted();
    await a.join('again');
    await b.join('again');
    await a.next('peer-joined');
    const again = await b.join('again', { ref: 'x' });
    expect(again).toMatchObject({ room: 'again', peers: [{ id: a.peerId, polite: false }], ref: 'x' });
    // No second peer-joined: it would reach a before this later frame from b.
    b.send({ type: 'app', room: 'again', to: a.peerId, data: 'after' });
    expect(await a.next()).toEqual({ type: 'app', room: 'again', from: b.peerId, data: 'after' });
  });

  it('refuses leaving a room one is not in', async () => {
    const a = await greeted();
    a.send({ type: 'leave', room: 'nowhere', ref: 'l' });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'not-in-room', ref: 'l' });
  });
});

describe('relay', () => {
  it('relays offer, answer, candidate, bye and app to the named member with a stamped from', async () => {
    const a = await greeted();
    const b = await greeted();
    await a.join('call');
    await b.join('call');
    await a.next('peer-joined');
    b.send({ type: 'offer', room: 'call', to: a.peerId, sdp: 'v=0 offer', ref: 1 });
    expect(await a.next()).toEqual({ type: 'offer', room: 'call', from: b.peerId, sdp: 'v=0 offer' });
    a.send({ type: 'answer', room: 'call', to: b.peerId, sdp: 'v=0 answer' });
    expect(await b.next()).toEqual({ type: 'answer', room: 'call', from: a.peerId, sdp: 'v=0 answer' });
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    a.send({ type: 'candidate', room: 'call', to: b.peerId, candidate });
    expect(await b.next()).toEqual({ type: 'candidate', room: 'call', from: a.peerId, candidate });
    a.send({ type: 'candidate', room: 'call', to: b.peerId, candidate: null });
    expect(await b.next()).toEqual({ type: 'candidate', room: 'call', from: a.peerId, candidate: null });
    b.send({ type: 'app', room: 'call', to: a.peerId, data: { chat: 'hi', n: [1, 2] } });
    expect(await a.next()).toEqual({ type: 'app', room: 'call', from: b.peerId, data: { chat: 'hi', n: [1, 2] } });
    b.send({ type: 'bye', room: 'call', to: a.peerId, reason: 'done' });
    expect(await a.next()).toEqual({ type: 'bye', room: 'call', from: b.peerId, reason: 'done' });
    // No echo to the sender: an echo of b's frames would reach b before this later reply from a.
    a.send({ type: 'app', room: 'call', to: b.peerId, data: 'last' });
    expect(await b.next()).toEqual({ type: 'app', room: 'call', from: a.peerId, data: 'last' });
    // Relayed SDPs and candidates are copied from the received bytes: still text frames, all parsed.
    expect([...a.malformed, ...b.malformed]).toEqual([]);
  });

  it('rejects a client-supplied from and keeps the socket usable', async () => {
    const a = await greeted();
    const b = await greeted();
    await a.join('forge');
    await b.join('forge');
    await a.next('peer-joined');
    b.send({ type: 'app', room: 'forge', to: a.peerId, from: a.peerId, data: 1, ref: 'f' });
    const error = await b.next();
    expect(error).toMatchObject({ type: 'error', code: 'invalid-message', ref: 'f' });
    b.send({ type: 'app', room: 'forge', to: a.peerId, data: 2 });
    expect(await a.next()).toEqual({ type: 'app', room: 'forge', from: b.peerId, data: 2 });
  });

  it('isolates rooms: a member of another room is an unknown peer, and a room one is not in is refused', async () => {
    const a = await greeted();
    const b = await greeted();
    const outsider = await greeted();
    await a.join('iso-1');
    await b.join('iso-1');
    await outsider.join('iso-2');
    outsider.send({ type: 'app', room: 'iso-2', to: a.peerId, data: 'x', ref: 1 });
    expect(await outsider.next()).toMatchObject({ type: 'error', code: 'unknown-peer', ref: 1 });
    outsider.send({ type: 'app', room: 'iso-1', to: a.peerId, data: 'x', ref: 2 });
    expect(await outsider.next()).toMatchObject({ type: 'error', code: 'not-in-room', ref: 2 });
    // Nothing reached a: the first app it gets is this later one from b (a leaked one would come first).
    b.send({ type: 'app', room: 'iso-1', to: a.peerId, data: 'from b' });
    expect(await a.next('app')).toEqual({ type: 'app', room: 'iso-1', from: b.peerId, data: 'from b' });
  });

  it('answers invalid frames with typed errors carrying the ref, and stays usable', async () => {
    const a = await greeted();
    a.send('{oops');
    expect(await a.next()).toMatchObject({ type: 'error', code: 'invalid-json' });
    a.send({ type: 'teleport', ref: 'u' });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'unknown-type', ref: 'u' });
    a.send({ type: 'join', room: 'has space', ref: 'w' });
    const wrong = await a.next();
    expect(wrong).toMatchObject({ type: 'error', code: 'invalid-message', ref: 'w' });
    expect(wrong.type === 'error' && wrong.message).toContain('room');
    a.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'invalid-json' });
    expect((await a.join('after-errors')).room).toBe('after-errors');
  });
});

describe('HTTP endpoints', () => {
  it('serves liveness, readiness and Prometheus metrics', async () => {
    const live = await fetch(`${server.http}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${server.http}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const metrics = await fetch(`${server.http}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await server.metrics(); // every instance's: the traffic above was spread across them
    expect(text).toMatch(/^peerchart_connections \d+$/m);
    expect(text).toMatch(/^peerchart_rooms \d+$/m);
    expect(text).toMatch(/^peerchart_messages_total\{type="offer"\} [1-9]\d*$/m);
    expect(text).toMatch(/^peerchart_drops_total\{reason="unknown-peer"\} [1-9]\d*$/m);
    expect(text).toContain('peerchart_relay_latency_seconds_bucket');
    expect(text).toMatch(/^peerchart_connections_total [1-9]\d*$/m);
  });

  it('answers a plain GET on /ws with 426', async () => {
    const response = await fetch(`${server.http}/ws`);
    expect(response.status).toBe(426);
  });
});
