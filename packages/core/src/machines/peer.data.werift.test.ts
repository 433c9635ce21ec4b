/**
 * Application data between two peer machines over real werift connections: JSON, multi-megabyte
 * binary (byte-exact, in order), backpressure on the real channel, and the typed errors.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { PEER_DATA_LIMITS, APP_DATA_CHANNEL } from '../protocol/peer-data.js';
import { linkPeers, type HarnessMessage, type HarnessPeerInput, type LinkedPair, type PeerSnapshot } from '../test-support/peer-harness.js';
import { leakedConnections, waitUntil, weriftFactory } from '../test-support/werift.js';

/** The largest `bufferedAmount` each real application channel had right after a send. */
const highWater: number[] = [];
const base = weriftFactory();
const factory = {
  ...base,
  createPeerConnection(config: RTCConfiguration): RTCPeerConnection {
    const pc = base.createPeerConnection(config);
    const create = pc.createDataChannel.bind(pc);
    pc.createDataChannel = (label, options) => {
      const channel = create(label, options);
      if (options?.id === APP_DATA_CHANNEL.id) {
        const slot = highWater.push(0) - 1;
        const send = channel.send.bind(channel) as (data: unknown) => void;
        channel.send = (data: unknown) => {
          send(data);
          highWater[slot] = Math.max(highWater[slot]!, channel.bufferedAmount);
        };
      }
      return channel;
    };
    return pc;
  },
};
const pairs: LinkedPair[] = [];

function input(peerId: string, polite: boolean, initiator: boolean): HarnessPeerInput {
  return { peerId, name: peerId, polite, initiator, iceServers: [], localStream: null, createPeerConnection: factory.createPeerConnection };
}

const isUp = (snapshot: PeerSnapshot) => snapshot.matches({ active: { session: { connection: 'connected', channel: 'open' } } });

async function connectedPair(): Promise<LinkedPair> {
  const pair = linkPeers(input('bob', false, true), input('alice', true, false));
  pairs.push(pair);
  await Promise.all([waitFor(pair.a.peer, isUp, { timeout: 20_000 }), waitFor(pair.b.peer, isUp, { timeout: 20_000 })]);
  return pair;
}

const received = (messages: HarnessMessage[]) =>
  messages.flatMap((message) => (message.type === 'data' ? [message.data] : []));
const errors = (messages: HarnessMessage[]) => messages.flatMap((message) => (message.type === 'data-error' ? [message.code] : []));

afterEach(() => {
  for (const pair of pairs.splice(0)) pair.stop();
});
afterAll(async () => {
  // Stopping a peer actor closes its connection; anything left open here is a leak.
  expect(await leakedConnections(base)).toBe(0);
});

describe('application data over werift', () => {
  it('JSON values both ways, including those sent before the channel opened', async () => {
    const pair = linkPeers(input('bob', false, true), input('alice', true, false));
    pairs.push(pair);
    // Queued in the pc actor until the data channel opens.
    pair.a.send({ type: 'DATA.SEND', data: { early: true, list: [1, 'two', null] } });
    await Promise.all([waitFor(pair.a.peer, isUp, { timeout: 20_000 }), waitFor(pair.b.peer, isUp, { timeout: 20_000 })]);
    pair.b.send({ type: 'DATA.SEND', data: 'ünïcode ✓' });
    pair.a.send({ type: 'DATA.SEND', data: 42 });
    await waitUntil(() => received(pair.b.messages).length === 2 && received(pair.a.messages).length === 1, 20_000);
    expect(received(pair.b.messages)).toEqual([{ early: true, list: [1, 'two', null] }, 42]);
    expect(received(pair.a.messages)).toEqual(['ünïcode ✓']);
    expect(pair.b.messages.find((message) => message.type === 'data')).toMatchObject({ from: 'alice' }); // b's remote
  }, 30_000);

  it('4 MiB of binary in 64 KiB messages arrives byte-exact and in order, the send buffer never above bufferLow + one message', async () => {
    const before = highWater.length;
    const pair = await connectedPair();
    const total = 4 * 1024 * 1024;
    const bytes = new Uint8Array(total);
    for (let index = 0; index < total; index++) bytes[index] = (index * 7 + (index >> 16)) & 0xff;
    for (let offset = 0; offset < total; offset += PEER_DATA_LIMITS.message) {
      const chunk = bytes.subarray(offset, offset + PEER_DATA_LIMITS.message);
      // ArrayBuffer, Uint8Array view and Blob: all three forms.
      const index = offset / PEER_DATA_LIMITS.message;
      pair.a.send({ type: 'DATA.SEND', data: index % 3 === 0 ? chunk.slice().buffer : index % 3 === 1 ? chunk : new Blob([chunk]) });
    }
    await waitUntil(() => received(pair.b.messages).length === total / PEER_DATA_LIMITS.message, 60_000);
    const chunks = received(pair.b.messages) as ArrayBuffer[];
    expect(chunks.every((chunk) => chunk instanceof ArrayBuffer && chunk.byteLength === PEER_DATA_LIMITS.message)).toBe(true);
    const joined = new Uint8Array(total);
    chunks.forEach((chunk, index) => joined.set(new Uint8Array(chunk), index * PEER_DATA_LIMITS.message));
    expect(Buffer.compare(Buffer.from(joined), Buffer.from(bytes))).toBe(0);
    // Backpressure held: far more than the threshold was sent, and the real channel never buffered past it plus one message.
    const sent = highWater.slice(before);
    expect(Math.max(...sent)).toBeGreaterThan(0);
    expect(Math.max(...sent)).toBeLessThanOrEqual(PEER_DATA_LIMITS.bufferLow + PEER_DATA_LIMITS.message);
    expect(errors(pair.a.messages)).toEqual([]);
  }, 90_000);

  it('too large and not serializable are typed errors (nothing of them is sent); a DataView sends its bytes', async () => {
    const pair = await connectedPair();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    pair.a.send({ type: 'DATA.SEND', data: new Uint8Array(PEER_DATA_LIMITS.message + 1) });
    pair.a.send({ type: 'DATA.SEND', data: 'x'.repeat(PEER_DATA_LIMITS.message) }); // 2 bytes of quotes over
    pair.a.send({ type: 'DATA.SEND', data: cyclic as never });
    pair.a.send({ type: 'DATA.SEND', data: 'after' });
    // A DataView goes as exactly the bytes it covers.
    pair.a.send({ type: 'DATA.SEND', data: new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2) });
    await waitUntil(() => received(pair.b.messages).length === 2, 20_000);
    expect(errors(pair.a.messages)).toEqual(['data/too-large', 'data/too-large', 'data/not-serializable']);
    expect(received(pair.b.messages)[0]).toBe('after');
    expect([...new Uint8Array(received(pair.b.messages)[1] as ArrayBuffer)]).toEqual([8, 7]);
  }, 30_000);

  it('messages still waiting when the connection is replaced (a redial) are data/peer-gone errors, one each; only the send buffer\'s are lost', async () => {
    const pair = await connectedPair();
    const count = 64;
    for (let index = 0; index < count; index++) pair.a.send({ type: 'DATA.SEND', data: new Uint8Array(PEER_DATA_LIMITS.message).fill(index) });
    // Most of them wait in the pc actor (backpressure); a redial (both sides start over, as when either asks)
    // replaces the connection now.
    pair.a.send({ type: 'SIGNAL.BYE', reason: 'redial' });
    pair.b.send({ type: 'SIGNAL.BYE', reason: 'redial' });
    await waitUntil(() => errors(pair.a.messages).length > 0, 20_000);
    const gone = errors(pair.a.messages);
    expect(new Set(gone)).toEqual(new Set(['data/peer-gone']));
    // Every message was delivered, or reported, or was in the closed channel's send buffer (at most bufferLow + one message).
    const delivered = received(pair.b.messages).length;
    expect(delivered + gone.length).toBeLessThanOrEqual(count);
    expect(delivered + gone.length).toBeGreaterThanOrEqual(count - (PEER_DATA_LIMITS.bufferLow / PEER_DATA_LIMITS.message + 1));
    // The fresh connection carries what is sent now.
    await Promise.all([waitFor(pair.a.peer, isUp, { timeout: 20_000 }), waitFor(pair.b.peer, isUp, { timeout: 20_000 })]);
    pair.a.send({ type: 'DATA.SEND', data: 'after the redial' });
    await waitUntil(() => received(pair.b.messages).includes('after the redial'), 20_000);
  }, 40_000);
});
