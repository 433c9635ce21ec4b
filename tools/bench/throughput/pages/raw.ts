/**
 * Baseline: one RTCPeerConnection pair with one data channel, signaled over the bare relay, and a
 * sender written the obvious way: `send(chunk)` while `bufferedAmount <= BUFFER_LOW`, then wait for
 * `bufferedamountlow` (threshold BUFFER_LOW) and go on. Same chunks, same threshold as the data API.
 */
import { openRelay } from '../../calls/pages/relay-socket.js';
import { BUFFER_LOW, expose, take } from './transfer.js';

const errors: string[] = [];
let channel: RTCDataChannel | undefined;
let open: Promise<void> | undefined;

async function setup(options: Record<string, unknown>): Promise<void> {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const pending: RTCIceCandidateInit[] = [];
  const dc = pc.createDataChannel('bulk', { negotiated: true, id: 0 });
  dc.binaryType = 'arraybuffer';
  dc.bufferedAmountLowThreshold = BUFFER_LOW;
  dc.onmessage = ({ data }: MessageEvent) => take(data);
  open = new Promise<void>((resolve) => dc.addEventListener('open', () => resolve(), { once: true }));
  channel = dc;
  const send = await openRelay(String(options.relayUrl), (message) => {
    void (async () => {
      if (message.type === 'candidate') {
        if (pc.remoteDescription) await pc.addIceCandidate(message.candidate as RTCIceCandidateInit);
        else pending.push(message.candidate as RTCIceCandidateInit);
        return;
      }
      await pc.setRemoteDescription(message.description as RTCSessionDescriptionInit);
      if (message.type === 'offer') {
        await pc.setLocalDescription();
        send({ type: 'answer', description: pc.localDescription });
      }
      for (const candidate of pending.splice(0)) await pc.addIceCandidate(candidate);
    })().catch((error: unknown) => errors.push(String(error)));
  });
  pc.onicecandidate = ({ candidate }) => candidate && send({ type: 'candidate', candidate });
  // The page set up second offers: the first one is listening by then.
  if (options.second === true) {
    await pc.setLocalDescription();
    send({ type: 'offer', description: pc.localDescription });
  }
}

function send(chunks: ArrayBuffer[]): void {
  const dc = channel!;
  let next = 0;
  const pump = () => {
    while (next < chunks.length && dc.bufferedAmount <= BUFFER_LOW) dc.send(chunks[next++]!);
    if (next < chunks.length) dc.addEventListener('bufferedamountlow', pump, { once: true });
  };
  pump();
}

expose({ setup, ready: () => open ?? Promise.reject(new Error('not set up')), send }, errors);
