/**
 * Directed frames across instances leave once per event-loop turn and target instance, as one
 * PUBLISH (src/cluster/redis-relay.ts `flushOutbox`): order, exactly-once delivery, the dead-instance
 * path, and the receiving side's defence against malformed batches.
 */
import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisInstances, type RedisInstances } from './test-support/instances.js';
import { settle, TestClient } from './test-support/harness.js';
import { startRedis, type RedisProcess } from './test-support/processes.js';

/** Frames sent per test: well inside the default rate burst (100). */
const N = 40;

/** Calls of PUBLISH Redis has executed so far (INFO commandstats). */
async function publishes(admin: Redis): Promise<number> {
  const match = /^cmdstat_publish:calls=(\d+)/m.exec(await admin.info('commandstats'));
  return Number(match?.[1] ?? 0);
}

/**
 * Send `messages` in one TCP write, so that the server reads them in one socket read and relays them
 * all in one event-loop turn.
 */
function sendInOneWrite(client: TestClient, messages: unknown[]): void {
  const tcp = (client.socket as unknown as { _socket: Socket })._socket;
  tcp.cork();
  for (const message of messages) client.send(message);
  tcp.uncork();
}

/** The `data` of the `app` frames a client received (and did not consume yet), in arrival order. */
const appData = (client: TestClient) => client.pending().flatMap((m) => (m.type === 'app' ? [m.data] : []));

async function appFrames(client: TestClient, count: number): Promise<unknown[]> {
  const data: unknown[] = [];
  while (data.length < count) data.push((await client.next('app')).data);
  return data;
}

describe('directed frames batched per event-loop turn', () => {
  let redis: RedisProcess;
  let admin: Redis;
  let cluster: RedisInstances | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await cluster?.close();
    cluster = undefined;
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.close();
  });
  const greeted = async (ws: string, token?: string) => {
    const client = await TestClient.greeted(ws, token);
    clients.push(client);
    return client;
  };
  /** Everyone joins `room`, and every earlier member has seen every later one join. */
  const joinAll = async (room: string, members: TestClient[]) => {
    for (const [i, member] of members.entries()) {
      await member.join(room);
      for (const earlier of members.slice(0, i)) await earlier.next('peer-joined');
    }
  };

  it('frames of one turn to two other instances arrive exactly once and in order, one PUBLISH per instance', async () => {
    cluster = await redisInstances(redis, 3);
    const [ws0, ws1, ws2] = cluster.ws as [string, string, string];
    const a = await greeted(ws0);
    const b = await greeted(ws1);
    const c = await greeted(ws2);
    await joinAll('batch', [a, b, c]);

    const before = await publishes(admin);
    // Interleaved: even steps to b (instance 1), odd ones to c (instance 2).
    sendInOneWrite(
      a,
      Array.from({ length: N }, (_, i) => ({ type: 'app', room: 'batch', to: i % 2 === 0 ? b.peerId : c.peerId, data: i })),
    );
    const evens = Array.from({ length: N / 2 }, (_, i) => 2 * i);
    expect(await appFrames(b, N / 2)).toEqual(evens);
    expect(await appFrames(c, N / 2)).toEqual(evens.map((i) => i + 1));
    await settle(200);
    // Exactly once: nothing more arrived, and nothing the clients could not parse.
    expect([appData(b), appData(c), b.malformed, c.malformed]).toEqual([[], [], [], []]);
    expect(a.pending().filter((m) => m.type === 'error')).toEqual([]);
    // One PUBLISH per target instance for the turn that read them (one more each should the server's
    // read have been split), not one per frame.
    expect(await publishes(admin) - before).toBeLessThanOrEqual(4);
  });

  it('more than a full batch (64 KiB) for one instance in a turn arrives whole, exactly once and in order', async () => {
    cluster = await redisInstances(redis, 2);
    const [ws0, ws1] = cluster.ws as [string, string];
    const a = await greeted(ws0);
    const b = await greeted(ws1);
    await joinAll('big', [a, b]);
    // 40 frames of 4 KiB: 160 KiB for one instance, more than two full batches (64 KiB).
    const padding = 'x'.repeat(4096);
    sendInOneWrite(
      a,
      Array.from({ length: N }, (_, i) => ({ type: 'app', room: 'big', to: b.peerId, data: { i, padding } })),
    );
    const received = await appFrames(b, N);
    expect(received.map((data) => (data as { i: number }).i)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(received.every((data) => (data as { padding: string }).padding === padding)).toBe(true);
    await settle(200);
    expect([appData(b), b.malformed]).toEqual([[], []]);
  });

  it('a batch to an instance nobody listens on any more lands in its peers\' mailboxes, in order, and resumes', async () => {
    // No heartbeat during the test: the dead instance is not swept, so the sender's replica still
    // places its peers there and the batch is published to a channel without listeners.
    cluster = await redisInstances(redis, 2, { instanceHeartbeatMs: 60_000, resumeWindowMs: 60_000 });
    const [ws0, ws1] = cluster.ws as [string, string];
    const a = await greeted(ws0);
    const b1 = await greeted(ws1);
    const b2 = await greeted(ws1);
    await joinAll('dead', [a, b1, b2]);

    await cluster.apps[1]?.close(); // its subscription ends with it
    expect((await b1.closed).code).toBe(1001);
    expect((await b2.closed).code).toBe(1001);
    sendInOneWrite(
      a,
      Array.from({ length: N }, (_, i) => ({ type: 'app', room: 'dead', to: i % 2 === 0 ? b1.peerId : b2.peerId, data: i })),
    );
    const prefix = cluster.config.redisKeyPrefix;
    const queued = async () => (await admin.llen(`${prefix}mailbox:${b1.peerId}`)) + (await admin.llen(`${prefix}mailbox:${b2.peerId}`));
    const deadline = Date.now() + 10_000;
    while ((await queued()) < N && Date.now() < deadline) await settle(50);
    expect(await queued()).toBe(N);

    const evens = Array.from({ length: N / 2 }, (_, i) => 2 * i);
    for (const [peer, expected] of [
      [b1, evens],
      [b2, evens.map((i) => i + 1)],
    ] as const) {
      const back = await greeted(ws0, peer.welcome?.resumeToken);
      expect(back.welcome).toMatchObject({ peerId: peer.peerId, resumed: true, rooms: ['dead'] });
      expect(await appFrames(back, N / 2)).toEqual(expected);
      await settle(100);
      expect([appData(back), back.malformed]).toEqual([[], []]);
    }
    expect(a.pending().filter((m) => m.type === 'error')).toEqual([]);
  });

  it('ignores malformed batches on an instance channel, delivering nothing of them, and keeps relaying', async () => {
    cluster = await redisInstances(redis, 2);
    const [ws0, ws1] = cluster.ws as [string, string];
    const a = await greeted(ws0);
    const b = await greeted(ws1);
    await joinAll('bad', [a, b]);
    const prefix = cluster.config.redisKeyPrefix;
    const channel = `${prefix}inst:${await admin.hget(`${prefix}session:${b.peerId}`, 'instance')}`;
    const envelope = (data: string) => `F\n${b.peerId}\n${a.peerId}\nnowhere\n\n{"type":"app","room":"bad","from":"${a.peerId}","data":"${data}"}`;
    const entry = (env: string) => `${Buffer.byteLength(env)}\n${env}`;
    const good = envelope('good');
    const malformed = [
      'B',
      'B\n',
      'Bx',
      `B\nx\n${good}`,
      `B\n99999\n${good}`,
      `B\n${Buffer.byteLength(good) - 1}\n${good}`,
      `B\n${Buffer.byteLength(good) + 1}\n${good}`,
      `B\n12345678901\n${good}`,
      `B\n5\nT\nabc`,
      // A whole first entry, then a broken one: none of the batch is delivered.
      `B\n${entry(envelope('first of a broken batch'))}3\n`,
      `B\n${entry(envelope('before a non-frame'))}${entry(`T\n${b.peerId}`)}`,
      // Well delimited, but the envelope's header is cut short: that entry is skipped.
      `B\n${entry(`F\n${b.peerId}\n`)}`,
      `F\n${b.peerId}\n`,
      'Z unknown kind',
    ];
    for (const message of malformed) expect(await admin.publish(channel, message)).toBe(1);
    // A well-formed batch written by hand, then a frame relayed the ordinary way.
    expect(await admin.publish(channel, `B\n${entry(envelope('one'))}${entry(envelope('two'))}`)).toBe(1);
    a.send({ type: 'app', room: 'bad', to: b.peerId, data: 'relayed' });
    expect(await appFrames(b, 3)).toEqual(['one', 'two', 'relayed']);
    await settle(200);
    expect([appData(b), b.malformed]).toEqual([[], []]);
    // Still alive and ready.
    expect((await fetch(`${cluster.http[1]}/health/ready`)).status).toBe(200);
    b.send({ type: 'app', room: 'bad', to: a.peerId, data: 'back' });
    expect(await appFrames(a, 1)).toEqual(['back']);
  });
});
