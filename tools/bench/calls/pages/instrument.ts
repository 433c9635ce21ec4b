/**
 * Loaded first on every benchmark page, before any library: observes every RTCPeerConnection and
 * WebSocket the library creates (subclasses installed on window), so "connected" means the same thing
 * for all contenders — `connectionState` reaching `connected` — without reaching into library internals.
 *
 * The same subclasses time each handshake step of a call (`marks.step`, first occurrence per call):
 * every offer/answer operation when it is called and when it resolves, the first local candidate,
 * and the signaling frames that carry the call (join, offer, answer, candidates) as they leave or
 * reach the page. The steps table (`npm run bench -- calls --steps`) sets them side by side.
 */
import { marks } from './marks.js';

const Native = window.RTCPeerConnection;

type DescriptionType = 'offer' | 'answer';

/** Times `operation`'s call and its resolution as two steps. */
async function timed<T>(called: string, done: string, operation: () => Promise<T>): Promise<T> {
  marks.step(called);
  const result = await operation();
  marks.step(done);
  return result;
}

class ObservedPeerConnection extends Native {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    marks.mark('pc');
    marks.step('pc created');
    this.addEventListener('connectionstatechange', () => {
      if (this.connectionState === 'connected') {
        marks.mark('connected');
        marks.step('connected');
      }
    });
    this.addEventListener('iceconnectionstatechange', () => {
      if (this.iceConnectionState === 'connected') marks.step('ICE connected');
    });
    this.addEventListener('icecandidate', (event) => {
      if (event.candidate?.candidate) marks.step('first local candidate');
    });
  }
}

type Operation = (this: RTCPeerConnection, ...args: unknown[]) => Promise<unknown>;

/** Wraps an RTCPeerConnection operation of the subclass (the DOM types' callback overloads rule out `override`). */
function observe(name: 'createOffer' | 'createAnswer' | 'setLocalDescription' | 'setRemoteDescription' | 'addIceCandidate', steps: (pc: RTCPeerConnection, args: unknown[]) => [string, string | null]) {
  const native = Native.prototype[name] as unknown as Operation;
  const observed: Operation = function (...args) {
    const [called, done] = steps(this, args);
    return done ? timed(called, done, () => native.apply(this, args)) : (marks.step(called), native.apply(this, args));
  };
  Object.defineProperty(ObservedPeerConnection.prototype, name, { value: observed, writable: true, configurable: true });
}

type Description = RTCSessionDescriptionInit | undefined;
observe('createOffer', () => ['createOffer called', 'offer created']);
observe('createAnswer', () => ['createAnswer called', 'answer created']);
observe('setLocalDescription', (pc, [description]) => {
  // Without a description the browser makes the one the signaling state calls for.
  const given = (description as Description)?.type;
  const type: DescriptionType = given === 'answer' || (!given && pc.signalingState === 'have-remote-offer') ? 'answer' : 'offer';
  return [`setLocalDescription(${type}) called`, `local ${type} set`];
});
observe('setRemoteDescription', (_, [description]) => {
  const type = (description as Description)?.type ?? 'offer';
  return [`setRemoteDescription(${type}) called`, `remote ${type} set`];
});
observe('addIceCandidate', () => ['first remote candidate added', null]);

window.RTCPeerConnection = ObservedPeerConnection;

/** The frames of a call, whatever the contender's wire format (raw, simple-peer, PeerJS, Peerchart). */
const CALL_FRAMES = new Set(['join', 'joined', 'peer-joined', 'offer', 'answer', 'candidate']);

function frameType(data: unknown): string | null {
  if (typeof data !== 'string') return null;
  try {
    const message = JSON.parse(data) as { type?: unknown; signal?: { type?: unknown; candidate?: unknown } };
    const type = typeof message.type === 'string' ? message.type.toLowerCase() : message.signal?.candidate ? 'candidate' : message.signal?.type;
    return typeof type === 'string' && CALL_FRAMES.has(type) ? type : null;
  } catch {
    return null;
  }
}

const NativeWebSocket = window.WebSocket;

class ObservedWebSocket extends NativeWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    // Registered before the library's own handler, so it sees each frame first.
    this.addEventListener('message', (event: MessageEvent) => {
      const type = frameType(event.data);
      if (type) marks.step(`ws received: ${type}`);
    });
  }

  override send(data: string | ArrayBuffer | Blob | ArrayBufferView<ArrayBuffer>): void {
    const type = frameType(data);
    super.send(data);
    if (type) marks.step(`ws sent: ${type}`);
  }
}

window.WebSocket = ObservedWebSocket;
