/**
 * Load generator for the scale-out benchmark (`cluster.ts`): P Peerchart pairs, member `a` of each
 * pair on `ports[0]`, member `b` on `ports[1]` (the same port for same-instance runs), driven
 * closed-loop with W messages in flight per client, like `loadgen.ts`. Idle mode opens greeted,
 * joined clients and waits on stdin between phases (for RSS samples). JSON lines on stdout.
 *
 * Usage: node --import tsx cluster-loadgen.ts '<json ClusterLoadConfig>'
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '@peerchart/core/protocol';
import { quantileSorted } from '../lib/stats.js';
import { candidateInit, fillTemplate, readMarker, SDP_EVERY, sessionDescription, splitTemplate, type FrameTemplate } from './payloads.js';

export interface ClusterLoadConfig {
  mode: 'load' | 'idle';
  /** Instance of member a, instance of member b. */
  ports: [number, number];
  pairs: number;
  window: number;
  warmupMs: number;
  durationMs: number;
  /** Idle mode: pairs before the first RSS sample. */
  warmPairs: number;
}

const emit = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
const nowMicros = () => performance.now() * 1000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Endpoint {
  ws: WebSocket;
  sdp: FrameTemplate;
  candidate: FrameTemplate;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, generateMask: (mask: Buffer) => void mask.fill(0) });
    ws.on('error', () => undefined);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function next(ws: WebSocket, pick: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('handshake timed out')), 15_000);
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if (!pick(message)) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
  });
}

async function openPair(ports: [number, number], pair: number): Promise<[Endpoint, Endpoint]> {
  const room = `r${pair}`;
  const greet = async (port: number) => {
    const ws = await open(`ws://127.0.0.1:${port}/ws`);
    const welcome = next(ws, (m) => m.type === 'welcome' || m.type === 'error');
    ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION }));
    const reply = await welcome;
    if (reply.type !== 'welcome') throw new Error(`hello refused: ${String(reply.code)}`);
    return { ws, id: String(reply.peerId) };
  };
  const join = async (ws: WebSocket) => {
    const joined = next(ws, (m) => m.type === 'joined' || m.type === 'error');
    ws.send(JSON.stringify({ type: 'join', room }));
    const reply = await joined;
    if (reply.type !== 'joined') throw new Error(`join refused: ${String(reply.code)}`);
  };
  const a = await greet(ports[0]);
  const b = await greet(ports[1]);
  await join(a.ws);
  const aSeesB = next(a.ws, (m) => m.type === 'peer-joined');
  await join(b.ws);
  await aSeesB;
  const templates = (to: string) => ({
    sdp: splitTemplate(JSON.stringify({ type: 'offer', room, to, sdp: sessionDescription() })),
    candidate: splitTemplate(JSON.stringify({ type: 'candidate', room, to, candidate: candidateInit() })),
  });
  return [
    { ws: a.ws, ...templates(b.id) },
    { ws: b.ws, ...templates(a.id) },
  ];
}

async function openPairs(ports: [number, number], from: number, to: number): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  for (let start = from; start < to; start += 50) {
    const batch = [];
    for (let pair = start; pair < Math.min(to, start + 50); pair += 1) batch.push(openPair(ports, pair));
    for (const [a, b] of await Promise.all(batch)) endpoints.push(a, b);
  }
  return endpoints;
}

async function runLoad(config: ClusterLoadConfig): Promise<void> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const endpoints = await openPairs(config.ports, 0, config.pairs);
  emit('connected', { clients: endpoints.length });
  // The runner reads Redis's command counters before the first message (then says go) and after the last.
  await lines.next();
  let sending = true;
  let measuring = false;
  let delivered = 0;
  /** Every message sent and every one received, warm-up included: the runner divides Redis commands by `sent`. */
  let sent = 0;
  let received = 0;
  let misrouted = 0;
  let unexpected = 0;
  const latencies: number[] = [];
  const sequence = new Uint32Array(endpoints.length);
  const sendNext = (index: number) => {
    const endpoint = endpoints[index] as Endpoint;
    const template = (sequence[index] as number) % SDP_EVERY === 0 ? endpoint.sdp : endpoint.candidate;
    sequence[index] = (sequence[index] as number) + 1;
    sent += 1;
    endpoint.ws.send(fillTemplate(template, index, nowMicros()), { binary: false });
  };
  endpoints.forEach((endpoint, index) => {
    endpoint.ws.on('message', (data: Buffer) => {
      const mark = readMarker(data);
      if (mark === undefined) {
        unexpected += 1;
        return;
      }
      received += 1;
      if (mark.sender !== (index ^ 1)) {
        misrouted += 1;
        return;
      }
      if (measuring) {
        delivered += 1;
        latencies.push(nowMicros() - mark.sentAtMicros);
      }
      if (sending) sendNext(index ^ 1);
    });
  });
  for (let slot = 0; slot < config.window; slot += 1) for (let i = 0; i < endpoints.length; i += 1) sendNext(i);
  await sleep(config.warmupMs);
  emit('window-start');
  measuring = true;
  const start = performance.now();
  await sleep(config.durationMs);
  measuring = false;
  const seconds = (performance.now() - start) / 1000;
  emit('window-end');
  sending = false;
  // Let the messages in flight arrive (bounded), so every message sent has been relayed when the runner counts.
  for (let waited = 0; received < sent && waited < 10_000; waited += 20) await sleep(20);
  const sorted = Float64Array.from(latencies).sort();
  const ms = (q: number) => quantileSorted(sorted, q) / 1000;
  emit('result', { result: { delivered, seconds, messagesPerSecond: delivered / seconds, p50: ms(0.5), p99: ms(0.99), misrouted, unexpected, sent, received } });
  // Closing marks each session away in Redis (HSET): only after the runner has read the counters.
  await lines.next();
  for (const endpoint of endpoints) endpoint.ws.terminate();
}

async function runIdle(config: ClusterLoadConfig): Promise<void> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const warm = await openPairs(config.ports, 0, config.warmPairs);
  emit('idle-warm', { clients: warm.length });
  await lines.next();
  const rest = await openPairs(config.ports, config.warmPairs, config.pairs);
  emit('idle-full', { clients: warm.length + rest.length });
  await lines.next();
  for (const endpoint of [...warm, ...rest]) endpoint.ws.terminate();
  emit('result', { result: {} });
}

const config = JSON.parse(process.argv[2] ?? '{}') as ClusterLoadConfig;
(config.mode === 'idle' ? runIdle(config) : runLoad(config)).then(
  () => process.exit(0),
  (error: unknown) => {
    emit('error', { message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
