/**
 * A hand-written RTCPeerConnection call with trickle ICE over the bare relay — the fewest steps a call
 * can take (offer, answer, candidates as they come), no library. Two pages use it: `raw` (media only,
 * the lower bound) and `raw-channel` (the same plus one negotiated data channel in the first offer, as
 * Peerchart and simple-peer have: what that decision costs any library).
 */
import './instrument.js';
import { expose, localMedia, marks, removeRemote, showRemote } from './marks.js';
import { openRelay } from './relay-socket.js';

let local: MediaStream;
let send: (message: unknown) => void = () => undefined;
let pc: RTCPeerConnection | undefined;
let currentCall = -1;
let pending: RTCIceCandidateInit[] = [];
const errors: string[] = [];

let withChannel = false;

function createPeerConnection(callNo: number): RTCPeerConnection {
  currentCall = callNo;
  pending = [];
  const connection = new RTCPeerConnection({ iceServers: [] });
  for (const track of local.getTracks()) connection.addTrack(track, local);
  // Negotiated out of band, like Peerchart's: its m=application section is in the first offer.
  if (withChannel) connection.createDataChannel('raw', { negotiated: true, id: 0 });
  connection.onicecandidate = (event) => send({ type: 'candidate', call: callNo, candidate: event.candidate });
  connection.ontrack = (event) => {
    if (event.track.kind === 'video' && event.streams[0]) showRemote(event.streams[0]);
  };
  pc = connection;
  return connection;
}

async function flushCandidates(connection: RTCPeerConnection) {
  for (const candidate of pending) await connection.addIceCandidate(candidate);
  pending = [];
}

async function onMessage(message: Record<string, unknown>) {
  const callNo = Number(message.call);
  if (message.type === 'offer') {
    const connection = createPeerConnection(callNo);
    await connection.setRemoteDescription(message.description as RTCSessionDescriptionInit);
    await connection.setLocalDescription();
    send({ type: 'answer', call: callNo, description: connection.localDescription });
    await flushCandidates(connection);
    return;
  }
  if (callNo !== currentCall || !pc) return;
  if (message.type === 'answer') {
    await pc.setRemoteDescription(message.description as RTCSessionDescriptionInit);
    await flushCandidates(pc);
  } else if (message.type === 'candidate' && message.candidate) {
    if (pc.remoteDescription) await pc.addIceCandidate(message.candidate as RTCIceCandidateInit);
    else pending.push(message.candidate as RTCIceCandidateInit);
  }
}

/** Makes this page the contender: `dataChannel` adds the negotiated channel to every call. */
export function startRawCall({ dataChannel }: { dataChannel: boolean }): void {
  withChannel = dataChannel;
  expose(
    {
      async setup(options) {
        local = await localMedia();
        send = await openRelay(String(options.relayUrl), (message) => void onMessage(message).catch((error) => errors.push(String(error))));
      },
      async call(callNo) {
        marks.mark('call');
        const connection = createPeerConnection(callNo);
        await connection.setLocalDescription();
        send({ type: 'offer', call: callNo, description: connection.localDescription });
      },
      async hangup() {
        pc?.close();
        pc = undefined;
        removeRemote();
        marks.reset();
      },
    },
    errors,
  );
}
