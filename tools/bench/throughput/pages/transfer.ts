/**
 * What both throughput pages share: the chunks a sender sends, the receiver's check of what arrives,
 * and the `window.throughput` API the runner drives. Chunk size and backpressure threshold are the data
 * API's own (PEER_DATA_LIMITS), so the raw baseline sends exactly what Peerchart sends.
 *
 * Times are on the clock all pages of one browser share (`performance.timeOrigin + performance.now()`):
 * the sender marks the start, the receiver the arrival of the last byte.
 */
import { PEER_DATA_LIMITS } from '@peerchart/core';

export const CHUNK_BYTES = PEER_DATA_LIMITS.message;
export const BUFFER_LOW = PEER_DATA_LIMITS.bufferLow;

const now = () => performance.timeOrigin + performance.now();

/**
 * `total / CHUNK_BYTES` distinct chunks, made before the clock starts: the first 4 bytes of each are
 * its index (little-endian), the rest a pattern. Distinct buffers, because Peerchart queues a
 * reference to what it is given and sends it later.
 */
export function makeChunks(total: number): ArrayBuffer[] {
  if (total % CHUNK_BYTES !== 0) throw new Error(`transfer size ${total} is not a whole number of ${CHUNK_BYTES}-byte chunks`);
  return Array.from({ length: total / CHUNK_BYTES }, (_, index) => {
    const bytes = new Uint8Array(CHUNK_BYTES).fill(index & 0xff);
    new DataView(bytes.buffer).setUint32(0, index, true);
    return bytes.buffer;
  });
}

/** One transfer as the receiver saw it. */
export interface Receipt {
  expected: number;
  received: number;
  /** When the first and the last chunk arrived (shared browser clock). */
  firstAt?: number;
  lastAt?: number;
  /** The first thing that was wrong (a chunk out of order, of the wrong size, or not bytes). */
  error?: string;
}

let receipt: Receipt | undefined;
let finished: () => void = () => undefined;
let done = Promise.resolve();

/** Arms the receiver for `total` bytes; resolves `finished()` when the last chunk is in. */
function expectBytes(total: number): void {
  receipt = { expected: total, received: 0 };
  done = new Promise((resolve) => (finished = resolve));
}

/**
 * The receiving side's whole job, the same for both contenders: each message must be the next
 * chunk (right size, right index), counted until all arrived. The same cheap checks for both, so
 * neither pays for a check the other skips.
 */
export function take(data: unknown): void {
  const current = receipt;
  if (!current || current.error) return;
  if (!(data instanceof ArrayBuffer) || data.byteLength !== CHUNK_BYTES) {
    current.error = `chunk ${current.received / CHUNK_BYTES}: expected ${CHUNK_BYTES} bytes as an ArrayBuffer, got ${data instanceof ArrayBuffer ? data.byteLength : typeof data}`;
    return finished();
  }
  const index = new DataView(data).getUint32(0, true);
  if (index !== current.received / CHUNK_BYTES) {
    current.error = `expected chunk ${current.received / CHUNK_BYTES}, got chunk ${index}`;
    return finished();
  }
  current.firstAt ??= now();
  current.received += CHUNK_BYTES;
  if (current.received === current.expected) {
    current.lastAt = now();
    finished();
  }
}

/** What each contender page implements. */
export interface Contender {
  /** Signaling, and the connection started; the runner sets the pages up one after the other (the second one offers). */
  setup(options: Record<string, unknown>): Promise<void>;
  /** Resolves once this page's channel carries data both ways. */
  ready(): Promise<void>;
  /** Sends the chunks in order, backpressure included; the clock has started when this is called. */
  send(chunks: ArrayBuffer[]): void;
}

/** What the runner calls through `page.evaluate`. */
export interface ThroughputPage {
  setup(options: Record<string, unknown>): Promise<void>;
  ready(): Promise<void>;
  /** Receiver: get ready for `total` bytes. */
  expect(total: number): void;
  /** Sender: make the chunks (untimed), then start the clock and send; returns the start time. */
  send(total: number): number;
  /** Receiver: resolves when every byte arrived or something was wrong (`null`: `expect` was never called). */
  finished(): Promise<Receipt | null>;
  errors: string[];
}

declare global {
  interface Window {
    throughput: ThroughputPage;
  }
}

export function expose(contender: Contender, errors: string[]): void {
  window.throughput = {
    setup: (options) => contender.setup(options),
    ready: () => contender.ready(),
    expect: expectBytes,
    send(total) {
      const chunks = makeChunks(total);
      const startedAt = now();
      contender.send(chunks);
      return startedAt;
    },
    finished: async () => {
      await done;
      return receipt ?? null;
    },
    errors,
  };
  window.addEventListener('error', (event) => errors.push(String(event.message)));
  window.addEventListener('unhandledrejection', (event) => errors.push(String(event.reason)));
}
