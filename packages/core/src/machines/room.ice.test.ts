/**
 * ICE configuration through a real join: the ICE servers `joined` carries reach every
 * RTCPeerConnection (the newcomer's too), relay-only mode reaches the configuration, and expiring
 * TURN credentials are renewed before they expire and applied to live connections.
 *
 * The connections are real (werift) but are built without the configured ICE servers: the STUN/TURN
 * addresses below are documentation addresses no test may send to. What the room asked for is
 * recorded as given; the TURN exchange itself is tested against real coturn in the network lab.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IceServer } from '../protocol/index.js';
import { connectedPair, roomFixture, until } from '../test-support/rooms.js';

const ICE_SERVERS: IceServer[] = [
  { urls: ['stun:203.0.113.10:3478'] },
  { urls: ['turn:203.0.113.10:3478?transport=udp', 'turn:203.0.113.10:3478?transport=tcp'], username: '1700000000:peer', credential: 'secret' },
];

interface Made {
  config: RTCConfiguration;
  renewals: RTCIceServer[][];
}

/** werift connections that record the configuration each was asked for and every setConfiguration. */
function recordingFactory(werift: { createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection }) {
  const made: Made[] = [];
  const createPeerConnection = (config: RTCConfiguration) => {
    const record: Made = { config, renewals: [] };
    made.push(record);
    const pc = werift.createPeerConnection({ ...config, iceServers: [], iceTransportPolicy: 'all' });
    // Relay-only would find no candidate without the TURN server; werift has neither method below; a browser's apply the new servers to later gathering.
    Object.assign(pc, {
      getConfiguration: () => config,
      setConfiguration: (next: RTCConfiguration) => void record.renewals.push(next.iceServers ?? []),
    });
    return pc;
  };
  return { made, createPeerConnection };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('roomMachine: ICE configuration', () => {
  it("gives the newcomer's connection (the caller) the ICE servers of its own `joined`, as the member already there", async () => {
    const fixture = roomFixture({ iceServers: ICE_SERVERS });
    cleanup = fixture.cleanup;
    const recorder = recordingFactory(fixture.werift);
    const implementations = { createPeerConnection: recorder.createPeerConnection };
    const ada = fixture.join('Ada', { implementations });
    await until(ada, (view) => view.status === 'joined');
    const bob = fixture.join('Bob', { implementations });
    await connectedPair(ada, bob);

    expect(recorder.made).toHaveLength(2);
    for (const { config } of recorder.made) {
      expect(config.iceServers).toEqual(ICE_SERVERS);
      expect(config.iceTransportPolicy).toBe('all');
    }
  });

  it("relay-only mode (iceTransportPolicy: 'relay') reaches every connection's configuration", async () => {
    const fixture = roomFixture({ iceServers: ICE_SERVERS });
    cleanup = fixture.cleanup;
    const [adaSide, bobSide] = [recordingFactory(fixture.werift), recordingFactory(fixture.werift)];
    const ada = fixture.join('Ada', { implementations: { createPeerConnection: adaSide.createPeerConnection }, iceTransportPolicy: 'relay' });
    await until(ada, (view) => view.status === 'joined');
    const bob = fixture.join('Bob', { implementations: { createPeerConnection: bobSide.createPeerConnection } });
    await connectedPair(ada, bob);
    expect(adaSide.made.map((made) => made.config.iceTransportPolicy)).toEqual(['relay']);
    expect(bobSide.made.map((made) => made.config.iceTransportPolicy)).toEqual(['all']);
  });

  it('renews expiring credentials before they expire and applies them to the live connection', async () => {
    const ttlMs = 600;
    const fixture = roomFixture({ iceServers: ICE_SERVERS, iceServersTtlMs: ttlMs });
    cleanup = fixture.cleanup;
    const recorder = recordingFactory(fixture.werift);
    const implementations = { createPeerConnection: recorder.createPeerConnection };
    const ada = fixture.join('Ada', { implementations });
    const bob = fixture.join('Bob', { implementations });
    await connectedPair(ada, bob);

    const renewed = () => recorder.made.every((made) => made.renewals.length >= 2);
    await until(ada, renewed, 10_000);
    const requests = fixture.hub.received.filter((entry) => entry.message.type === 'refresh-ice-servers');
    expect(requests.length).toBeGreaterThanOrEqual(4);
    for (const made of recorder.made) {
      const credentials = made.renewals.map((servers) => servers.find((server) => server.credential)?.credential);
      // Each renewal is a newer grant than the one before (the hub numbers them: secret#1, secret#2, …).
      const grants = credentials.map((credential) => Number(credential?.split('#')[1]));
      expect(grants.every((grant, index) => grant > 0 && (index === 0 || grant > grants[index - 1]!))).toBe(true);
    }
    // Both still connected: the renewal is no renegotiation and no new connection.
    expect(recorder.made).toHaveLength(2);
    expect(ada.getView().peers[0]?.connectionState).toBe('connected');
  });

  it('does not renew credentials that do not expire, nor an app-supplied list', async () => {
    const fixture = roomFixture({ iceServers: ICE_SERVERS, iceServersTtlMs: 300 });
    cleanup = fixture.cleanup;
    const own = [{ urls: 'stun:198.51.100.7:3478' }];
    const [adaSide, bobSide] = [recordingFactory(fixture.werift), recordingFactory(fixture.werift)];
    const ada = fixture.join('Ada', { implementations: { createPeerConnection: adaSide.createPeerConnection }, iceServers: own });
    await until(ada, (view) => view.status === 'joined');
    const bob = fixture.join('Bob', { implementations: { createPeerConnection: bobSide.createPeerConnection } });
    await connectedPair(ada, bob);
    expect(adaSide.made.map((made) => made.config.iceServers)).toEqual([own]);
    expect(bobSide.made.map((made) => made.config.iceServers)).toEqual([ICE_SERVERS]);
    // Bob (server list, expiring) renews; Ada (her own list) never asks. Bob's second request proves time passed.
    const bobId = bob.getView().selfId;
    await until(bob, () => fixture.hub.received.filter((entry) => entry.message.type === 'refresh-ice-servers' && entry.from === bobId).length >= 2, 10_000);
    const adaId = ada.getView().selfId;
    expect(fixture.hub.received.filter((entry) => entry.message.type === 'refresh-ice-servers' && entry.from === adaId)).toEqual([]);
    expect(adaSide.made[0]?.renewals).toEqual([]);
    expect(bobSide.made[0]?.renewals.length).toBeGreaterThanOrEqual(1);
  });
});
