import type { DataErrorCode } from '../errors.js';
import type { PeerConnectionLike } from '../implementations.js';
import { APP_DATA_CHANNEL, PEER_DATA_LIMITS, type PeerData, type ReceivedPeerData } from '../protocol/peer-data.js';

/**
 * What the application-data channel reports: already the events the room emits (`actor.on('data')`),
 * so the peer and the room only pass them on.
 */
export type AppDataEvent =
  | { type: 'data'; from: string; data: ReceivedPeerData }
  /** One message to the peer `to` could not be sent (a message to everyone gives one per peer). */
  | { type: 'data-error'; code: DataErrorCode; to: string };

/** A message as it goes on the wire (a Blob's bytes are read when its turn comes), and its size in bytes. */
type Queued = [payload: string | Uint8Array | Blob, bytes: number];

/**
 * The application-data channel of one RTCPeerConnection (negotiated, id 1) and its sender. Messages are
 * checked, then queued (at most `PEER_DATA_LIMITS.queue` bytes) and sent in order while the channel is
 * open and its send buffer holds at most `bufferLow` bytes; `bufferedamountlow` sends more. What cannot
 * be sent is reported as `data-error`, never dropped in silence. Returns `send`, and `close` for the pc
 * actor's end (what still waits is reported as `data/peer-gone` first).
 */
export function openAppData(
  pc: PeerConnectionLike,
  peerId: string,
  report: (event: AppDataEvent | { type: 'PC.DATA_INVALID'; reason: string }) => void,
): [send: (data: PeerData) => void, close: () => void] {
  const { message: maxMessage, bufferLow, queue: maxQueued } = PEER_DATA_LIMITS;
  const channel = pc.createDataChannel(APP_DATA_CHANNEL.label, { negotiated: true, id: APP_DATA_CHANNEL.id });
  channel.binaryType = 'arraybuffer';
  channel.bufferedAmountLowThreshold = bufferLow;
  const fail = (code: DataErrorCode) => report({ type: 'data-error', code, to: peerId });

  let queue: Queued[] = [];
  let queued = 0;
  let reading = false;
  const sent = () => (queued -= queue.shift()![1]);
  const drain = () => {
    let head: Queued | undefined;
    while (!reading && (head = queue[0]) && channel.readyState === 'open' && channel.bufferedAmount <= bufferLow) {
      const entry = head;
      if (entry[0] instanceof Blob) {
        // Not every stack sends a Blob: its bytes first, while the rest waits (the order holds).
        reading = true;
        void entry[0].arrayBuffer().then(
          (bytes) => (entry[0] = new Uint8Array(bytes)),
          () => queue[0] === entry && (sent(), fail('data/unreadable')),
        ).finally(() => ((reading = false), drain()));
        return;
      }
      try {
        channel.send(entry[0]);
      } catch {
        return; // closed between the check and the send: onclose reports what is left
      }
      sent();
    }
  };
  // werift has no onbufferedamountlow property, only the event.
  channel.addEventListener('bufferedamountlow', drain);
  channel.onopen = drain;
  const abandon = () => {
    for (const _ of queue) fail('data/peer-gone');
    queue = [];
    queued = 0;
  };
  channel.onclose = abandon;
  channel.onmessage = ({ data }: MessageEvent) => {
    try {
      // Bytes as an ArrayBuffer: a browser's as they come; werift's Buffer copied out of its pool.
      report({ type: 'data', from: peerId, data: typeof data === 'string' ? JSON.parse(data) : new Uint8Array(data).buffer });
    } catch {
      report({ type: 'PC.DATA_INVALID', reason: 'not valid JSON' });
    }
  };

  const send = (data: PeerData) => {
    let payload: Queued[0] | undefined;
    if (data instanceof Blob) payload = data;
    // Any view (a DataView too) as the bytes it covers, without a copy: every stack sends a Uint8Array.
    else if (ArrayBuffer.isView(data)) payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else if (data instanceof ArrayBuffer) payload = new Uint8Array(data);
    else {
      try {
        payload = JSON.stringify(data); // undefined for a function or undefined
      } catch {
        // a cycle or a BigInt: not serializable either
      }
    }
    // A string's size is its UTF-8 bytes.
    const bytes = typeof payload === 'string' ? new Blob([payload]).size : payload ? ((payload as Blob).size ?? (payload as Uint8Array).byteLength) : 0;
    const code: DataErrorCode | null =
      payload === undefined
        ? 'data/not-serializable'
        : bytes > maxMessage
          ? 'data/too-large'
          : channel.readyState === 'closed'
            ? 'data/peer-gone'
            : queued + bytes > maxQueued
              ? 'data/queue-full'
              : null;
    if (code) return fail(code);
    queue.push([payload!, bytes]);
    queued += bytes;
    drain();
  };
  return [
    send,
    () => {
      abandon();
      channel.onopen = channel.onclose = channel.onmessage = null;
      channel.close();
    },
  ];
}
