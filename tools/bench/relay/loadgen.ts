/**
 * The load generator: a separate process (pinned to its own core by the runner) that opens P pairs
 * of clients against one contender and drives them closed-loop. Each client keeps W messages in
 * flight to its partner; a delivery frees the sender's slot and it sends the next. Talks to the
 * runner in JSON lines on stdout (`event`), and in idle mode waits for a line on stdin between phases.
 *
 * Usage: node --import tsx loadgen.ts '<json LoadgenConfig>'
 */
import { createInterface } from 'node:readline';
import { quantileSorted } from '../lib/stats.js';
import { OPEN_PAIR, socketErrors, type ContenderId, type Endpoint } from './clients.js';
import { fillTemplate, readMarker, SDP_EVERY } from './payloads.js';

export interface LoadConfig {
  mode: 'load';
  contender: ContenderId;
  port: number;
  pairs: number;
  window: number;
  warmupMs: number;
  durationMs: number;
}

export interface IdleConfig {
  mode: 'idle';
  contender: ContenderId;
  port: number;
  /** Clients connected before the baseline RSS sample (warms the server's code paths). */
  warmClients: number;
  /** Clients connected in total at the second sample. */
  totalClients: number;
}

export type LoadgenConfig = LoadConfig | IdleConfig;

export interface LoadResult {
  delivered: number;
  seconds: number;
  messagesPerSecond: number;
  bytesPerSecond: number;
  latencyMs: { p50: number; p99: number; p999: number; max: number };
  /** CPU seconds per wall second the generator itself used during the window (1 = a full core). */
  generatorCpu: number;
  /** Frames without a marker (server errors, notices) and frames from someone other than the partner. */
  unexpectedFrames: number;
  misrouted: number;
  socketErrors: number;
  closedEarly: number;
}

const emit = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
const nowMicros = () => performance.now() * 1000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Connection set-up runs this many pairs at a time: enough to be quick, few enough for the accept backlog. */
const CONNECT_BATCH = 50;
const CONNECT_BUDGET_MS = 120_000;

async function openPairs(config: { contender: ContenderId; port: number }, from: number, to: number): Promise<Endpoint[]> {
  const base = `ws://127.0.0.1:${config.port}`;
  const deadline = Date.now() + CONNECT_BUDGET_MS;
  const endpoints: Endpoint[] = [];
  for (let start = from; start < to; start += CONNECT_BATCH) {
    if (Date.now() > deadline) throw new Error(`connecting took longer than ${CONNECT_BUDGET_MS} ms`);
    const batch = [];
    for (let pair = start; pair < Math.min(to, start + CONNECT_BATCH); pair += 1) batch.push(OPEN_PAIR[config.contender](base, pair));
    for (const [a, b] of await Promise.all(batch)) endpoints.push(a, b);
  }
  return endpoints;
}

/** A growable Float64Array of latency samples (µs). */
class Samples {
  private data = new Float64Array(1 << 20);
  length = 0;
  push(value: number) {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

async function runLoad(config: LoadConfig): Promise<void> {
  const endpoints = await openPairs(config, 0, config.pairs);
  emit('connected', { clients: endpoints.length });

  let sending = true;
  let measuring = false;
  let delivered = 0;
  let bytes = 0;
  let unexpectedFrames = 0;
  let misrouted = 0;
  let closedEarly = 0;
  const latencies = new Samples();
  const sequence = new Uint32Array(endpoints.length);

  const sendNext = (index: number) => {
    const endpoint = endpoints[index] as Endpoint;
    const template = sequence[index]! % SDP_EVERY === 0 ? endpoint.sdp : endpoint.candidate;
    sequence[index]! += 1;
    endpoint.ws.send(fillTemplate(template, index, nowMicros()), { binary: false });
  };

  endpoints.forEach((endpoint, index) => {
    const partner = index ^ 1;
    endpoint.ws.on('message', (data: Buffer) => {
      const mark = readMarker(data);
      if (mark === undefined) {
        unexpectedFrames += 1;
        return;
      }
      if (mark.sender === index) return; // y-webrtc echoes a publish to its sender
      if (mark.sender !== partner) {
        misrouted += 1;
        return;
      }
      if (measuring) {
        delivered += 1;
        bytes += data.length;
        latencies.push(nowMicros() - mark.sentAtMicros);
      }
      if (sending) sendNext(partner);
    });
    endpoint.ws.on('close', () => {
      if (sending) closedEarly += 1;
    });
  });

  for (let slot = 0; slot < config.window; slot += 1) for (let i = 0; i < endpoints.length; i += 1) sendNext(i);
  await sleep(config.warmupMs);

  measuring = true;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  emit('window-start');
  await sleep(config.durationMs);
  measuring = false;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  emit('window-end');
  sending = false;

  const sorted = latencies.sorted();
  const ms = (q: number) => quantileSorted(sorted, q) / 1000;
  const result: LoadResult = {
    delivered,
    seconds,
    messagesPerSecond: delivered / seconds,
    bytesPerSecond: bytes / seconds,
    latencyMs: { p50: ms(0.5), p99: ms(0.99), p999: ms(0.999), max: sorted.length ? (sorted[sorted.length - 1] as number) / 1000 : Number.NaN },
    generatorCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    unexpectedFrames,
    misrouted,
    socketErrors: socketErrors.count,
    closedEarly,
  };
  emit('result', { result });
  for (const endpoint of endpoints) endpoint.ws.terminate();
}

async function runIdle(config: IdleConfig): Promise<void> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const waitForRunner = async () => {
    const next = await Promise.race([lines.next(), sleep(60_000).then(() => ({ done: true as const, value: undefined }))]);
    if (next.done) throw new Error('runner went away');
  };
  const warm = await openPairs(config, 0, config.warmClients / 2);
  emit('idle-warm', { clients: warm.length });
  await waitForRunner();
  const rest = await openPairs(config, config.warmClients / 2, config.totalClients / 2);
  const all = [...warm, ...rest];
  const closed = () => all.filter((endpoint) => endpoint.ws.readyState !== endpoint.ws.OPEN).length;
  emit('idle-full', { clients: all.length, closed: closed() });
  await waitForRunner();
  emit('result', { result: { clients: all.length, closed: closed(), socketErrors: socketErrors.count } });
  for (const endpoint of all) endpoint.ws.terminate();
}

const config = JSON.parse(process.argv[2] ?? '{}') as LoadgenConfig;
const run = config.mode === 'idle' ? runIdle(config) : runLoad(config);
run.then(
  () => process.exit(0),
  (error: unknown) => {
    emit('error', { message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
