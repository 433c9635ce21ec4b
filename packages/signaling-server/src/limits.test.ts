import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_CODES, PROTOCOL_VERSION } from '@peerchart/core/protocol';
import { ConnectionCounter, TokenBucket } from './limits.js';
import { metricSum, settle, TestClient, useTestServer, type TestServer } from './test-support/harness.js';

/** Whether /metrics counts one close with `code` (polled: the server's close event follows the client's). */
async function closesCounted(server: TestServer, code: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const metrics = await server.metrics();
    if (new RegExp(`^peerchart_closes_total\\{code="${code}"\\} 1$`, 'm').test(metrics)) return !/code="1006"/.test(metrics);
    await settle(20);
  }
  return false;
}

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate, and forgives strikes once full again', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    expect(bucket.strikes).toBe(1);
    now += 100; // one token at 10/s
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    expect(bucket.strikes).toBe(2);
    now += 1_000; // full again
    expect(bucket.take()).toBe(true);
    expect(bucket.strikes).toBe(0);
  });
});

describe('ConnectionCounter', () => {
  it('caps per key and frees slots on release', () => {
    const counter = new ConnectionCounter(2);
    expect([counter.tryAcquire('a'), counter.tryAcquire('a'), counter.tryAcquire('a'), counter.tryAcquire('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    counter.release('a');
    expect(counter.tryAcquire('a')).toBe(true);
    counter.release('a');
    counter.release('a');
    counter.release('b');
    expect(counter.size).toBe(0);
  });
});

describe('limits on a real server', () => {
  const fixture = useTestServer();
  const { start, greeted } = fixture;

  it('closes with 1009 on a frame above max payload', async () => {
    await start({ limits: { maxPayloadBytes: 2048 } });
    const client = await greeted();
    client.send({ type: 'app', room: 'r', to: 'x', data: 'y'.repeat(4096) });
    expect((await client.closed).code).toBe(CLOSE_CODES.messageTooBig);
    expect(await closesCounted(fixture.server, CLOSE_CODES.messageTooBig)).toBe(true);
  });

  it('accepts a frame just under max payload', async () => {
    await start({ limits: { maxPayloadBytes: 2048 } });
    const client = await greeted();
    client.send({ type: 'app', room: 'r', to: 'x', data: 'y'.repeat(1900), ref: 'big' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'not-in-room', ref: 'big' });
  });

  it('drops frames over the rate with rate-limited, then closes persistent abuse with 4001', async () => {
    await start({ limits: { ratePerSecond: 1, rateBurst: 5, rateLimitStrikes: 3 } });
    const client = fixture.track(await TestClient.connect(fixture.server.ws));
    for (let i = 0; i < 10; i++) client.send({ type: 'teleport', ref: i });
    const received: Array<{ code: string; ref?: unknown }> = [];
    for (let i = 0; i < 7; i++) {
      const message = await client.next();
      if (message.type === 'error') received.push({ code: message.code, ...(message.ref === undefined ? {} : { ref: message.ref }) });
    }
    // five in the burst get their own error; then two rate-limited warnings, the third strike closes.
    expect(received.slice(0, 5).map((m) => m.code)).toEqual(Array(5).fill('unknown-type'));
    expect(received.slice(5)).toEqual([{ code: 'rate-limited' }, { code: 'rate-limited' }]);
    expect((await client.closed).code).toBe(CLOSE_CODES.rateLimitAbuse);
  });

  it('closes with 4003 after repeated invalid frames', async () => {
    await start({ limits: { invalidFrameStrikes: 3 } });
    const client = await greeted();
    client.send('nope');
    client.send({ type: 'nope' });
    client.send({ type: 'join' });
    expect((await client.next()).type).toBe('error');
    expect((await client.next()).type).toBe('error');
    expect((await client.next()).type).toBe('error');
    expect((await client.closed).code).toBe(CLOSE_CODES.protocolAbuse);
    expect(await closesCounted(fixture.server, CLOSE_CODES.protocolAbuse)).toBe(true);
  });

  it('refuses connections past the per-IP limit with HTTP 429 and frees the slot on close', async () => {
    await start({ limits: { connectionsPerIp: 2 } });
    const ws = fixture.server.wsOf(0); // per-IP caps are per instance
    const a = await TestClient.connect(ws);
    const b = await TestClient.connect(ws);
    fixture.track(a, b);
    await expect(TestClient.connect(ws)).rejects.toThrow('HTTP 429');
    a.close();
    await a.closed;
    let again: TestClient | undefined;
    for (let i = 0; i < 50 && !again; i++) {
      // the TCP socket's close (which frees the slot) follows the WebSocket close by a tick or two
      again = await TestClient.connect(ws).catch(() => undefined);
      if (!again) await settle(20);
    }
    expect(again).toBeDefined();
    fixture.track(again as TestClient);
  });

  it('refuses a member past the room capacity with room-full', async () => {
    await start({ limits: { membersPerRoom: 2 } });
    const a = await greeted();
    const b = await greeted();
    const c = await greeted();
    await a.join('small');
    await b.join('small');
    c.send({ type: 'join', room: 'small', ref: 'c' });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'room-full', ref: 'c' });
    expect((await c.join('other')).room).toBe('other');
  });

  it('refuses a room past the per-socket limit with too-many-rooms', async () => {
    await start({ limits: { roomsPerSocket: 2 } });
    const a = await greeted();
    await a.join('one');
    await a.join('two');
    a.send({ type: 'join', room: 'three', ref: 3 });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'too-many-rooms', ref: 3 });
    a.send({ type: 'leave', room: 'one' });
    await a.next('left');
    expect((await a.join('three')).room).toBe('three');
  });

  it('closes a slow consumer with 4002 once its outgoing buffer passes the limit', async () => {
    await start({ limits: { slowConsumerBytes: 256 * 1024, ratePerSecond: 10_000, rateBurst: 10_000 } });
    const sender = await greeted();
    const slow = await greeted();
    await sender.join('slow');
    await slow.join('slow');
    await sender.next('peer-joined');
    // Stop reading for real: the kernel buffers fill and ws's bufferedAmount grows on the server.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = 'z'.repeat(60_000);
    for (let i = 0; i < 400; i++) sender.send({ type: 'app', room: 'slow', to: slow.peerId, data: chunk });
    let detected = false;
    for (let i = 0; i < 100 && !detected; i++) {
      await settle(50);
      detected = metricSum(await fixture.server.metrics(), 'peerchart_drops_total{reason="slow-consumer"}') === 1;
    }
    expect(detected).toBe(true);
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.closed).code).toBe(CLOSE_CODES.slowConsumer);
  });

  it('keeps a bounded mailbox for an away peer and answers overflow with undeliverable', async () => {
    await start({ limits: { mailboxSize: 2 }, resumeWindowMs: 10_000 });
    const a = await greeted();
    const b = await greeted();
    await a.join('mail');
    await b.join('mail');
    await a.next('peer-joined');
    const token = b.welcome?.resumeToken as string;
    b.socket.terminate();
    await b.closed;
    await settle(50);
    for (let i = 1; i <= 3; i++) a.send({ type: 'app', room: 'mail', to: b.peerId, data: i, ref: i });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'undeliverable', ref: 3 });
    const back = await greeted(token);
    expect(back.peerId).toBe(b.peerId);
    await back.next('joined');
    expect(await back.next()).toMatchObject({ type: 'app', data: 1 });
    expect(await back.next()).toMatchObject({ type: 'app', data: 2 });
  });

  it('closes with 1007 on a text frame that is not UTF-8 (ws enforces it)', async () => {
    await start({});
    const client = await greeted();
    client.socket.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    expect((await client.closed).code).toBe(1007);
    // Counted under the code the server sent, not as 1006 (the socket ends without a close frame back).
    expect(await closesCounted(fixture.server, 1007)).toBe(true);
  });

  it('has per-message deflate off', async () => {
    const { ws } = await start({});
    const socket = new WebSocket(ws, { perMessageDeflate: true });
    await new Promise((resolve) => socket.once('open', resolve));
    expect(socket.extensions).toBe('');
    socket.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION }));
    socket.close();
  });
});
