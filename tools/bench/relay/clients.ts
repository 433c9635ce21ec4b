/**
 * How a load-generator client speaks to each contender, in that contender's own protocol: the URL,
 * the handshake that puts two clients in a room of two, and the frame that carries an SDP or an ICE
 * candidate to the partner. Frames are templates (see payloads.ts) so sending costs a buffer copy.
 */
import { PROTOCOL_VERSION } from '@peerchart/core/protocol';
import WebSocket from 'ws';
import { candidateInit, sessionDescription, splitTemplate, type FrameTemplate } from './payloads.js';

export const CONTENDER_IDS = ['bare', 'peerchart', 'peerjs', 'y-webrtc'] as const;
export type ContenderId = (typeof CONTENDER_IDS)[number];

/** One side of a pair, ready to send to its partner. */
export interface Endpoint {
  ws: WebSocket;
  /** Frame templates for an SDP-sized and a candidate-sized message to the partner. */
  sdp: FrameTemplate;
  candidate: FrameTemplate;
}

/** Client options: no compression (every server here has it off), all-zero mask so masking costs nothing. */
const CLIENT_OPTIONS: WebSocket.ClientOptions = {
  perMessageDeflate: false,
  generateMask: (mask: Buffer) => void mask.fill(0),
};

const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Sockets that errored after the handshake (counted by the load generator, never thrown). */
export const socketErrors = { count: 0 };

function create(url: string): WebSocket {
  const ws = new WebSocket(url, { ...CLIENT_OPTIONS, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
  // A permanent listener: an 'error' with none would crash the generator.
  ws.on('error', () => (socketErrors.count += 1));
  return ws;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = create(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
  });
}

/** Resolves with the first JSON frame for which `pick` returns a value; bounded in time. */
function nextJson<T>(ws: WebSocket, pick: (message: Record<string, unknown>) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('handshake timed out')), HANDSHAKE_TIMEOUT_MS);
    const onMessage = (data: WebSocket.RawData) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      const picked = pick(message);
      if (picked !== undefined) done(undefined, picked);
    };
    const onClose = (code: number) => done(new Error(`closed during handshake (${code})`));
    function done(error: Error | undefined, value?: T) {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      if (error) reject(error);
      else resolve(value as T);
    }
    ws.on('message', onMessage);
    ws.on('close', onClose);
  });
}

function templates(frame: (kind: 'sdp' | 'candidate') => unknown): Pick<Endpoint, 'sdp' | 'candidate'> {
  return {
    sdp: splitTemplate(JSON.stringify(frame('sdp'))),
    candidate: splitTemplate(JSON.stringify(frame('candidate'))),
  };
}

/** Opens the two members of room `pair` on a server at `base` (ws://127.0.0.1:port). */
export type OpenPair = (base: string, pair: number) => Promise<[Endpoint, Endpoint]>;

/** Bare relay: `/?room=`; frames go verbatim to the other member. */
const openBarePair: OpenPair = async (base, pair) => {
  const url = `${base}/?room=r${pair}`;
  const a = await open(url);
  const b = await open(url);
  const frame = (kind: 'sdp' | 'candidate') =>
    kind === 'sdp' ? { type: 'offer', sdp: sessionDescription() } : { type: 'candidate', candidate: candidateInit() };
  return [
    { ws: a, ...templates(frame) },
    { ws: b, ...templates(frame) },
  ];
};

/** Peerchart: hello → welcome, join → joined / peer-joined, then directed offer/candidate frames. */
const openPeerchartPair: OpenPair = async (base, pair) => {
  const room = `r${pair}`;
  const greet = async () => {
    const ws = await open(`${base}/ws`);
    const welcome = nextJson(ws, (m) => (m.type === 'welcome' ? String(m.peerId) : undefined));
    ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION }));
    return { ws, id: await welcome };
  };
  const join = async (ws: WebSocket) => {
    const joined = nextJson(ws, (m) => (m.type === 'joined' ? m : m.type === 'error' ? m : undefined));
    ws.send(JSON.stringify({ type: 'join', room }));
    const reply = await joined;
    if (reply.type === 'error') throw new Error(`join refused: ${String(reply.code)}`);
  };
  const a = await greet();
  const b = await greet();
  await join(a.ws);
  const aSeesB = nextJson(a.ws, (m) => (m.type === 'peer-joined' ? true : undefined));
  await join(b.ws);
  await aSeesB;
  const frameTo = (to: string) => (kind: 'sdp' | 'candidate') =>
    kind === 'sdp' ? { type: 'offer', room, to, sdp: sessionDescription() } : { type: 'candidate', room, to, candidate: candidateInit() };
  return [
    { ws: a.ws, ...templates(frameTo(b.id)) },
    { ws: b.ws, ...templates(frameTo(a.id)) },
  ];
};

/** peerjs-server: `/peerjs?key&id&token` → OPEN, then OFFER/CANDIDATE with `dst` (PeerJS client's payload shape). */
const openPeerjsPair: OpenPair = async (base, pair) => {
  const ids = [`p${pair}a`, `p${pair}b`] as const;
  // OPEN is sent during the upgrade; listen before the socket is handed back.
  const opened = async (id: string) => {
    const ws = create(`${base}/peerjs?key=peerjs&id=${id}&token=t${id}`);
    const result = await nextJson(ws, (m) => (m.type === 'OPEN' ? true : m.type === 'ERROR' || m.type === 'ID-TAKEN' ? m : undefined));
    if (result !== true) throw new Error(`peerjs refused: ${JSON.stringify(result)}`);
    return ws;
  };
  const a = await opened(ids[0]);
  const b = await opened(ids[1]);
  const frameTo = (dst: string) => (kind: 'sdp' | 'candidate') =>
    kind === 'sdp'
      ? { type: 'OFFER', dst, payload: { sdp: { type: 'offer', sdp: sessionDescription() }, type: 'media', connectionId: `mc_${pair}` } }
      : { type: 'CANDIDATE', dst, payload: { candidate: candidateInit(), type: 'media', connectionId: `mc_${pair}` } };
  return [
    { ws: a, ...templates(frameTo(ids[1])) },
    { ws: b, ...templates(frameTo(ids[0])) },
  ];
};

/**
 * y-webrtc's server: subscribe to a topic, publish to it. It echoes every publish to the sender too
 * (the generator skips its own frames by the marker's sender index), and sends no ack: a ping/pong
 * after subscribing proves the subscription is in place.
 */
const openYWebrtcPair: OpenPair = async (base, pair) => {
  const topic = `r${pair}`;
  const subscribe = async () => {
    const ws = await open(base);
    const pong = nextJson(ws, (m) => (m.type === 'pong' ? true : undefined));
    ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
    ws.send(JSON.stringify({ type: 'ping' }));
    await pong;
    return ws;
  };
  const a = await subscribe();
  const b = await subscribe();
  const frameFrom = (from: string, to: string) => (kind: 'sdp' | 'candidate') => ({
    type: 'publish',
    topic,
    data: {
      type: 'signal',
      from,
      to,
      signal: kind === 'sdp' ? { type: 'offer', sdp: sessionDescription() } : { type: 'candidate', candidate: candidateInit() },
    },
  });
  return [
    { ws: a, ...templates(frameFrom(`y${pair}a`, `y${pair}b`)) },
    { ws: b, ...templates(frameFrom(`y${pair}b`, `y${pair}a`)) },
  ];
};

export const OPEN_PAIR: Record<ContenderId, OpenPair> = {
  bare: openBarePair,
  peerchart: openPeerchartPair,
  peerjs: openPeerjsPair,
  'y-webrtc': openYWebrtcPair,
};
