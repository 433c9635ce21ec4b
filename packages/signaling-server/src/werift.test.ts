import { afterAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import type { IceCandidate, ServerMessage } from '@peerchart/core/protocol';
import { startServer, TestClient, type TestServer } from './test-support/harness.js';

let server: TestServer;
const peers: RTCPeerConnection[] = [];
afterAll(async () => {
  await Promise.all(peers.map((pc) => pc.close()));
  await server?.close();
});

/** Wire one werift peer to its signaling socket: candidates out, descriptions and candidates in. */
function wire(pc: RTCPeerConnection, client: TestClient, room: string, remoteId: () => string) {
  pc.onIceCandidate.subscribe((candidate) => {
    const init: IceCandidate = candidate ? (candidate.toJSON() as IceCandidate) : null;
    client.send({ type: 'candidate', room, to: remoteId(), candidate: init });
  });
  client.socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    void (async () => {
      if (message.type === 'offer') {
        await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        client.send({ type: 'answer', room, to: message.from, sdp: pc.localDescription?.sdp });
      } else if (message.type === 'answer') {
        await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
      } else if (message.type === 'candidate' && message.candidate) {
        await pc.addIceCandidate(message.candidate);
      }
    })().catch(() => undefined);
  });
}

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
    wire(earlyPc, early, 'werift', () => newcomer.peerId);
    wire(newcomerPc, newcomer, 'werift', () => early.peerId);

    const received = new Promise<string>((resolve) => {
      earlyPc.onDataChannel.subscribe((channel) => channel.onMessage.subscribe((data) => resolve(data.toString())));
    });
    const channel = newcomerPc.createDataChannel('chat');
    channel.stateChanged.subscribe((state) => {
      if (state === 'open') channel.send('hello over werift');
    });
    const offer = await newcomerPc.createOffer();
    await newcomerPc.setLocalDescription(offer);
    newcomer.send({ type: 'offer', room: 'werift', to: early.peerId, sdp: newcomerPc.localDescription?.sdp });

    expect(await received).toBe('hello over werift');
    expect(newcomerPc.connectionState).toBe('connected');
    early.close();
    newcomer.close();
  });
});
