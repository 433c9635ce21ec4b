import type { RTCPeerConnection } from 'werift';
import type { IceCandidate, ServerMessage } from '@peerchart/core/protocol';
import type { TestClient } from './harness.js';

/**
 * Wire one werift peer to the signaling socket of the moment: its candidates go out through
 * `current()`, and `listen(client)` applies descriptions and candidates arriving on a client's
 * socket (call it again for the socket of a resumed identity). Offers are answered.
 */
export function wirePeer(pc: RTCPeerConnection, room: string, remoteId: () => string, current: () => TestClient) {
  pc.onIceCandidate.subscribe((candidate) => {
    const init: IceCandidate = candidate ? (candidate.toJSON() as IceCandidate) : null;
    current().send({ type: 'candidate', room, to: remoteId(), candidate: init });
  });
  const listen = (client: TestClient) =>
    client.socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      void (async () => {
        if (message.type === 'offer') {
          await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
          await pc.setLocalDescription(await pc.createAnswer());
          client.send({ type: 'answer', room, to: message.from, sdp: pc.localDescription?.sdp });
        } else if (message.type === 'answer') {
          await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
        } else if (message.type === 'candidate' && message.candidate) {
          await pc.addIceCandidate(message.candidate);
        }
      })().catch(() => undefined);
    });
  listen(current());
  return { listen };
}

/** Offer from `pc` to `to` through `client` (the newcomer's side, or a renegotiation). */
export async function sendOffer(pc: RTCPeerConnection, client: TestClient, room: string, to: string): Promise<void> {
  await pc.setLocalDescription(await pc.createOffer());
  client.send({ type: 'offer', room, to, sdp: pc.localDescription?.sdp });
}
