import { afterAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import { startServer, TestClient, type TestServer } from './test-support/harness.js';
import { sendOffer, wirePeer } from './test-support/werift.js';

let server: TestServer;
const peers: RTCPeerConnection[] = [];
afterAll(async () => {
  await Promise.all(peers.map((pc) => pc.close()));
  await server?.close();
});

describe('two werift peers through the real server', () => {
  it('connect and exchange a data channel message', async () => {
    server = await startServer();
    const early = await TestClient.greeted(server.ws);
    const newcomer = await TestClient.greeted(server.ws);
    await early.join('werift');
    const joined = await newcomer.join('werift');
    // The newcomer is impolite toward the earlier member and initiates the offer.
    expect(joined.peers).toEqual([{ id: early.peerId, name: '', polite: false }]);

    const earlyPc = new RTCPeerConnection({ iceServers: joined.iceServers as [] });
    const newcomerPc = new RTCPeerConnection({ iceServers: joined.iceServers as [] });
    peers.push(earlyPc, newcomerPc);
    wirePeer(earlyPc, 'werift', () => newcomer.peerId, () => early);
    wirePeer(newcomerPc, 'werift', () => early.peerId, () => newcomer);

    const received = new Promise<string>((resolve) => {
      earlyPc.onDataChannel.subscribe((channel) => channel.onMessage.subscribe((data) => resolve(data.toString())));
    });
    const channel = newcomerPc.createDataChannel('chat');
    channel.stateChanged.subscribe((state) => {
      if (state === 'open') channel.send('hello over werift');
    });
    await sendOffer(newcomerPc, newcomer, 'werift', early.peerId);

    expect(await received).toBe('hello over werift');
    expect(newcomerPc.connectionState).toBe('connected');
    early.close();
    newcomer.close();
  });
});
