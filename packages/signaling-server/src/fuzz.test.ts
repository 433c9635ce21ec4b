import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ERROR_CODES, parseClientMessage, PROTOCOL_VERSION, type ServerMessage } from '@peerchart/core/protocol';
import { MAX_APP_DATA_DEPTH } from './connection.js';
import { startServer, TestClient, type TestServer } from './test-support/harness.js';

// A real GC between measurements, without needing --expose-gc on the worker's command line.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const FUZZ_SOCKETS = 4;
const FRAMES_PER_SOCKET = 2_500; // 10,000 arbitrary frames in all
const BATCH = 250;
const PAIR_MESSAGES = 1_000;
const PAIR_ROOM = 'valid-pair-room-zz9';

interface Frame {
  binary: boolean;
  payload: Buffer | string;
}

const ref = fc.option(fc.oneof(fc.string({ maxLength: 70 }), fc.integer(), fc.double()), { nil: undefined });
const room = fc.oneof(fc.constantFrom('fuzz-a', 'fuzz-b', 'has space', ''), fc.string({ maxLength: 70 }));
const peerId = fc.oneof(fc.constantFrom('abcdef', 'nobody'), fc.string({ maxLength: 70 }));
const candidate = fc.oneof(
  fc.constant(null),
  fc.record({ candidate: fc.string({ maxLength: 80 }), sdpMid: fc.option(fc.string({ maxLength: 4 })), sdpMLineIndex: fc.option(fc.integer({ min: -2, max: 2000 })) }),
);
const small = fc.jsonValue({ maxDepth: 3 });

/** Messages that are valid or nearly so: the shapes a buggy or hostile client would send. */
const message = fc.oneof(
  fc.record({ type: fc.constant('hello'), v: fc.oneof(fc.constant(PROTOCOL_VERSION), fc.integer()), resume: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), ref }),
  fc.record({ type: fc.constant('join'), room, name: fc.option(fc.string({ maxLength: 70 }), { nil: undefined }), ticket: fc.option(fc.string(), { nil: undefined }), ref }),
  fc.record({ type: fc.constant('leave'), room, ref }),
  fc.record({ type: fc.constantFrom('offer', 'answer'), room, to: peerId, sdp: fc.string({ maxLength: 200 }), ref }),
  fc.record({ type: fc.constant('candidate'), room, to: peerId, candidate, ref }),
  fc.record({ type: fc.constant('bye'), room, to: peerId, reason: fc.option(fc.string({ maxLength: 140 }), { nil: undefined }), ref }),
  fc.record({ type: fc.constant('app'), room, to: peerId, data: small, ref }),
);

const mutated = fc
  .tuple(message, fc.constantFrom('keep', 'drop', 'add', 'retype', 'replace', 'from'), fc.string({ maxLength: 12 }), small)
  .map(([original, how, key, value]) => {
    const record: Record<string, unknown> = JSON.parse(JSON.stringify(original)) as Record<string, unknown>;
    const keys = Object.keys(record);
    const pickedKey = keys[key.length % keys.length] as string;
    if (how === 'drop') delete record[pickedKey];
    if (how === 'add') record[key || 'extra'] = value;
    if (how === 'retype') record.type = key;
    if (how === 'replace') record[pickedKey] = value;
    if (how === 'from') record.from = 'forged';
    return JSON.stringify(record);
  });

const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ binary: true, payload: Buffer.from(bytes) })),
  fc.string({ unit: 'binary', maxLength: 300 }).map((text) => ({ binary: false, payload: text })),
  fc.json({ maxDepth: 4 }).map((text) => ({ binary: false, payload: text })),
  mutated.map((text) => ({ binary: false, payload: text })),
  mutated.map((text) => ({ binary: false, payload: text })),
);

/** What the server must answer for a frame: an exact error for an invalid one, at most one reply for a valid one. */
function expectation(frame: Frame): { code: string; ref?: unknown } | 'valid' {
  if (frame.binary) return { code: 'invalid-json' };
  // What actually travels: lone surrogates become U+FFFD when the client encodes the text frame.
  const parsed = parseClientMessage(Buffer.from(frame.payload as string).toString());
  if (parsed.ok) return 'valid';
  return parsed.error.ref === undefined ? { code: parsed.error.code } : { code: parsed.error.code, ref: parsed.error.ref };
}

/** Replies to one's own frames; presence and relayed traffic from other sockets are not replies. */
const isReply = (message: ServerMessage) => ['error', 'welcome', 'joined', 'left'].includes(message.type);

let server: TestServer;
afterAll(async () => server?.close());

describe('deeply nested app data', () => {
  it('relays data nested to the documented limit and answers deeper (even 6,000 levels) with invalid-message, never internal', async () => {
    const local = await startServer();
    try {
      const a = await TestClient.greeted(local.ws);
      const b = await TestClient.greeted(local.ws);
      await a.join('deep');
      await b.join('deep');
      await a.next('peer-joined');
      const nested = (depth: number) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
      b.send({ type: 'app', room: 'deep', to: a.peerId, data: nested(MAX_APP_DATA_DEPTH) });
      expect(await a.next('app')).toMatchObject({ from: b.peerId, data: nested(MAX_APP_DATA_DEPTH) });
      for (const depth of [MAX_APP_DATA_DEPTH + 1, 6_000, 20_000]) {
        // Sent as text: the client's own JSON.stringify would overflow on 6,000 levels too.
        b.send(`{"type":"app","room":"deep","to":"${a.peerId}","ref":${depth},"data":${'['.repeat(depth)}${']'.repeat(depth)}}`);
        const reply = await b.next('error');
        expect(reply).toMatchObject({ code: 'invalid-message', ref: depth });
        expect(reply.message).toContain(`${MAX_APP_DATA_DEPTH} levels`);
      }
      expect(await local.metrics()).not.toMatch(/reason="internal"/);
      expect(a.pending().filter((m) => m.type === 'app')).toEqual([]);
      a.close();
      b.close();
    } finally {
      await local.close();
    }
  });
});

describe('fuzz', () => {
  it(
    'survives 10,000 arbitrary frames with typed errors while a valid pair loses nothing, and memory stays bounded',
    async () => {
      server = await startServer({
        resumeWindowMs: 0,
        // Thresholds that would close the fuzzing sockets are tested on their own (limits.test.ts).
        limits: { ratePerSecond: 1_000_000, rateBurst: 1_000_000, invalidFrameStrikes: 1_000_000_000, rateLimitStrikes: 1_000_000 },
      });
      const a = await TestClient.greeted(server.ws);
      const b = await TestClient.greeted(server.ws);
      await a.join(PAIR_ROOM);
      await b.join(PAIR_ROOM);
      await a.next('peer-joined');

      gc();
      const heapBefore = process.memoryUsage().heapUsed;

      // The valid pair: each sends PAIR_MESSAGES numbered app messages to the other, in small slices.
      const receivedBy = new Map<TestClient, number[]>([
        [a, []],
        [b, []],
      ]);
      const collect = (client: TestClient) =>
        client.socket.on('message', (data) => {
          const parsed = JSON.parse(data.toString()) as ServerMessage;
          if (parsed.type === 'app') receivedBy.get(client)?.push((parsed.data as { seq: number }).seq);
        });
      collect(a);
      collect(b);
      const pairTraffic = (async () => {
        for (let seq = 0; seq < PAIR_MESSAGES; seq++) {
          a.send({ type: 'app', room: PAIR_ROOM, to: b.peerId, data: { seq } });
          b.send({ type: 'app', room: PAIR_ROOM, to: a.peerId, data: { seq } });
          if (seq % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
        }
      })();

      const fuzzers = await Promise.all(
        Array.from({ length: FUZZ_SOCKETS }, async (_, index) => {
          // One socket never says hello, so the hello-required path is fuzzed too.
          const client = index === 0 ? await TestClient.connect(server.ws) : await TestClient.greeted(server.ws);
          const frames = fc.sample(frameArb, { numRuns: FRAMES_PER_SOCKET, seed: 4242 + index });
          let checkedInvalid = 0;
          for (let start = 0; start < frames.length; start += BATCH) {
            const batch = frames.slice(start, start + BATCH);
            batch.forEach((frame, offset) => {
              client.socket.send(frame.payload, { binary: frame.binary });
              // A sentinel after every frame marks where that frame's replies end.
              client.send({ type: 'sentinel', ref: `s${start + offset}` });
            });
            for (const [offset, frame] of batch.entries()) {
              const replies: ServerMessage[] = [];
              for (;;) {
                const next = await client.next();
                if (next.type === 'error' && next.code === 'unknown-type' && next.ref === `s${start + offset}`) break;
                if (isReply(next)) replies.push(next);
              }
              const expected = expectation(frame);
              if (expected === 'valid') {
                expect(replies.length).toBeLessThanOrEqual(1);
                for (const reply of replies) if (reply.type === 'error') expect(ERROR_CODES).toContain(reply.code);
              } else {
                expect(replies).toHaveLength(1);
                const [reply] = replies;
                expect(reply?.type === 'error' && { code: reply.code, ...(reply.ref === undefined ? {} : { ref: reply.ref }) }).toEqual(expected);
                checkedInvalid += 1;
              }
            }
          }
          expect(client.malformed).toEqual([]);
          expect(client.socket.readyState).toBe(WebSocket.OPEN);
          client.close();
          await client.closed;
          return checkedInvalid;
        }),
      );
      await pairTraffic;
      const everything = Array.from({ length: PAIR_MESSAGES }, (_, seq) => seq);
      for (let i = 0; i < 200 && (receivedBy.get(a)?.length !== PAIR_MESSAGES || receivedBy.get(b)?.length !== PAIR_MESSAGES); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(receivedBy.get(a)).toEqual(everything);
      expect(receivedBy.get(b)).toEqual(everything);
      // Most arbitrary frames are invalid, and each of those got exactly its typed error.
      expect(fuzzers.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(FUZZ_SOCKETS * FRAMES_PER_SOCKET * 0.5);

      // The fuzzers are gone: so is everything they held on the server.
      const open = () => server.apps.reduce((sum, app) => sum + app.peerchart.connections.size, 0);
      for (let i = 0; i < 100 && open() > 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(open()).toBe(2);
      // Only the pair's room is held (by every instance with a pair member: with a cluster, a and b are on different ones).
      for (const app of server.apps) expect(app.peerchart.relay.roomCount).toBe(1);
      gc();
      const heapAfter = process.memoryUsage().heapUsed;
      expect(heapAfter).toBeLessThan(heapBefore * 2 + 32 * 1024 * 1024);
      a.close();
      b.close();
    },
    90_000,
  );
});
