/**
 * Real WebRTC in Node: two peer machines, each over werift's RTCPeerConnection (real ICE, DTLS and
 * SCTP over loopback UDP), wired through an in-process signaling relay.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { linkPeers, type HarnessMessage, type HarnessPeerInput, type LinkedPair, type PeerSnapshot } from '../test-support/peer-harness.js';
import { selectPeerView } from '../selectors/peer.js';
import { fakeCameraStream, leakedConnections, waitUntil, weriftFactory } from '../test-support/werift.js';

const factory = weriftFactory();
const pairs: LinkedPair[] = [];

function input(overrides: Partial<HarnessPeerInput> & Pick<HarnessPeerInput, 'peerId' | 'polite' | 'initiator'>): HarnessPeerInput {
  return {
    name: overrides.peerId,
    iceServers: [],
    localStream: null,
    createPeerConnection: factory.createPeerConnection,
    ...overrides,
  };
}

/** Newcomer `a` initiates and is impolite; `b` (in the room earlier) waits and is polite — as the server assigns. */
function connectPair(options: { bothInitiate?: boolean } = {}): LinkedPair {
  const pair = linkPeers(
    input({ peerId: 'bob', polite: false, initiator: true }),
    input({ peerId: 'alice', polite: true, initiator: options.bothInitiate ?? false }),
  );
  pairs.push(pair);
  return pair;
}

const isUp = (snapshot: PeerSnapshot) =>
  snapshot.matches({ active: { session: { negotiation: 'stable', connection: 'connected', channel: 'open' } } });

async function bothUp(pair: LinkedPair, timeout = 20_000) {
  await Promise.all([waitFor(pair.a.peer, isUp, { timeout }), waitFor(pair.b.peer, isUp, { timeout })]);
}

/** Application data both ways over the connection's data channel. */
async function dataBothWays(pair: LinkedPair, tag: string) {
  pair.a.send({ type: 'DATA.SEND', data: { hello: `from a (${tag})` } });
  pair.b.send({ type: 'DATA.SEND', data: { hello: `from b (${tag})` } });
  const heard = (messages: HarnessMessage[], text: string) => messages.some((m) => m.type === 'data' && (m.data as { hello?: string }).hello === text);
  await waitUntil(() => heard(pair.received.b, `from a (${tag})`) && heard(pair.received.a, `from b (${tag})`));
}

afterEach(() => {
  for (const pair of pairs.splice(0)) pair.stop();
});

afterAll(async () => {
  // Stopping a peer actor closes its connection; anything left open here is a leak.
  expect(await leakedConnections(factory)).toBe(0);
});

describe('peer machine over werift', () => {
  it('connects and exchanges application data both ways', async () => {
    const pair = connectPair();
    await bothUp(pair);
    await dataBothWays(pair, 'basic');
    const relayedTypes = pair.relayed.map((entry) => `${entry.from}:${entry.message.type}`);
    expect(relayedTypes[0]).toBe('a:offer');
    expect(relayedTypes).toContain('b:answer');
    // Stats polling runs while connected (the first poll is immediate).
    await waitUntil(() => pair.a.peer.getSnapshot().context.stats.length > 0);
    expect(selectPeerView(pair.a.peer.getSnapshot()).stats?.history.length).toBeGreaterThan(0);
  });

  it('delivers the camera stream: the other side sees one remote stream with its tracks', async () => {
    const camera = fakeCameraStream(['audio', 'video']);
    const pair = linkPeers(
      input({ peerId: 'bob', polite: false, initiator: true, localStream: camera }),
      input({ peerId: 'alice', polite: true, initiator: false }),
    );
    pairs.push(pair);
    await bothUp(pair);
    await waitUntil(() => selectPeerView(pair.b.peer.getSnapshot()).stream !== null);
    const { remoteStreams } = pair.b.peer.getSnapshot().context;
    expect(remoteStreams).toHaveLength(1);
    expect(remoteStreams[0]?.id).toBe(camera.id);
    expect(selectPeerView(pair.b.peer.getSnapshot()).screenStream).toBeNull();
  });

  it('converges when both sides offer at the same instant (50 runs, all converge)', async () => {
    const RUNS = 50;
    const BATCH = 10;
    let converged = 0;
    let collisions = 0;
    for (let start = 0; start < RUNS; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, RUNS - start) }, () => connectPair({ bothInitiate: true }));
      await Promise.all(batch.map((pair) => bothUp(pair)));
      await Promise.all(batch.map((pair, index) => dataBothWays(pair, `glare-${start + index}`)));
      for (const pair of batch) {
        // Both offered before hearing from the other: a real collision happened, and was resolved.
        const offers = pair.relayed.filter((entry) => entry.message.type === 'offer');
        if (offers.some((entry) => entry.from === 'a') && offers.some((entry) => entry.from === 'b')) collisions += 1;
        expect(pair.a.peer.getSnapshot().context.signalingState).toBe('stable');
        expect(pair.b.peer.getSnapshot().context.signalingState).toBe('stable');
        converged += 1;
        pair.stop();
      }
    }
    expect(converged).toBe(RUNS);
    expect(collisions).toBe(RUNS);
  }, 90_000);

  it('survives a forced ICE restart: new ICE credentials, data channel still works', async () => {
    const pair = connectPair();
    await bothUp(pair);
    const ufrags = () =>
      pair.relayed
        .filter((entry) => entry.from === 'a' && entry.message.type === 'offer')
        .map((entry) => (entry.message.type === 'offer' ? /a=ice-ufrag:(\S+)/.exec(entry.message.sdp)?.[1] : undefined));
    expect(ufrags()).toHaveLength(1);
    pair.a.send({ type: 'RESTART_ICE' });
    await waitUntil(() => ufrags().length === 2);
    await waitUntil(() => pair.relayed.filter((entry) => entry.from === 'b' && entry.message.type === 'answer').length === 2);
    await bothUp(pair);
    const [before, after] = ufrags();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    await dataBothWays(pair, 'after-restart');
  });

  it('the other side detects a hang-up (bye) and both end closed', async () => {
    const pair = connectPair();
    await bothUp(pair);
    pair.a.send({ type: 'HANGUP', reason: 'done' });
    const [a, b] = await Promise.all([
      waitFor(pair.a.peer, (snapshot) => snapshot.status === 'done', { timeout: 5_000 }),
      waitFor(pair.b.peer, (snapshot) => snapshot.status === 'done', { timeout: 5_000 }),
    ]);
    expect(a.output).toEqual({ peerId: 'bob', reason: 'hangup' });
    expect(b.output).toEqual({ peerId: 'alice', reason: 'remote-hangup' });
    expect(pair.a.messages).toContainEqual({ type: 'PEER.SIGNAL', peerId: 'bob', message: { type: 'bye', reason: 'done' } });
    expect(pair.b.messages.at(-1)).toEqual({ type: 'PEER.CLOSED', peerId: 'alice', reason: 'remote-hangup' });
    // Reaching `closed` alone (the harnesses still run) closed both RTCPeerConnections.
    await waitUntil(() => factory.open().length === 0);
  });
  // A peer that vanishes without a bye is detected through connectionState / the data channel closing;
  // werift only reports that after its 30 s ICE consent timeout, so peer.machine.test.ts covers it.
});
