/**
 * Scale-out with real processes: redis-server (started, stopped and restarted here), server
 * instances (in this process, or as `peerchart-signal` processes killed with SIGKILL), and nginx with
 * the docs/deploy.md config.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import { defaultConfig, type ServerConfig } from './config.js';
import { startCluster, type Cluster } from './test-support/cluster.js';
import { redisInstances, type RedisInstances } from './test-support/instances.js';
import { settle, TestClient } from './test-support/harness.js';
import { freePort, startRedis, type RedisProcess } from './test-support/processes.js';
import { sendOffer, wirePeer } from './test-support/werift.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** Poll `check` until it holds or the deadline passes (returns whether it held). */
async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15_000, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await settle(everyMs);
  }
}

const readiness = async (http: string) => {
  const response = await fetch(`${http}/health/ready`).catch(() => undefined);
  return response ? { status: response.status, body: (await response.json()) as unknown } : undefined;
};

describe('Redis unreachable at start', () => {
  it('refuses to start with a clear error naming Redis, and exits 1', async () => {
    const port = await freePort(); // nothing listens there
    const child = spawn(process.execPath, [tsx, cli, '--port', '0', '--registry', 'redis', '--redis-url', `redis://127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain(`cannot reach Redis at redis://127.0.0.1:${port} (--registry redis)`);
    expect(output).not.toContain('listening on');
  });
});

/** Two Redis-backed instances in this process on a Redis of this file's own. */
const twoInstances = (redis: RedisProcess, overrides: Partial<ServerConfig> = {}) => redisInstances(redis, 2, overrides);

describe('Redis lost while running, then back (restarted empty)', () => {
  let redis: RedisProcess;
  let cluster: RedisInstances | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await cluster?.close();
    await redis?.close();
  });

  it('turns readiness 503, answers joins with unavailable, keeps same-instance relay, and recovers without a restart', async () => {
    cluster = await twoInstances(redis);
    const [ws0, ws1] = cluster.ws as [string, string];
    const [http0, http1] = cluster.http as [string, string];
    const a = await TestClient.greeted(ws0);
    const a2 = await TestClient.greeted(ws0);
    const b = await TestClient.greeted(ws1);
    clients.push(a, a2, b);
    await a.join('outage');
    await a2.join('outage');
    await b.join('outage');
    await a.next('peer-joined');
    await a.next('peer-joined');

    await redis.stop();
    expect(await eventually(async () => (await readiness(http0))?.status === 503 && (await readiness(http1))?.status === 503)).toBe(true);
    expect((await readiness(http0))?.body).toEqual({ status: 'unavailable' });
    expect((await (await fetch(`${http0}/health/live`)).json())).toEqual({ status: 'ok' });
    const late = await TestClient.connect(ws1);
    clients.push(late);
    late.send({ type: 'hello', v: 1, ref: 'h' });
    expect(await late.next()).toMatchObject({ type: 'error', code: 'unavailable', ref: 'h' });
    a.send({ type: 'join', room: 'another', ref: 'j' });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'unavailable', ref: 'j' });
    // Two sockets of one instance still reach each other (the replica is local).
    a.send({ type: 'app', room: 'outage', to: a2.peerId, data: 'local during outage' });
    expect(await a2.next('app')).toMatchObject({ from: a.peerId, data: 'local during outage' });

    await redis.start(); // same port, empty data set
    expect(await eventually(async () => (await readiness(http0))?.status === 200 && (await readiness(http1))?.status === 200)).toBe(true);
    // Across instances again, both ways.
    a.send({ type: 'app', room: 'outage', to: b.peerId, data: 'after' });
    expect(await b.next('app')).toMatchObject({ from: a.peerId, data: 'after' });
    b.send({ type: 'app', room: 'outage', to: a.peerId, data: 'back' });
    expect(await a.next('app')).toMatchObject({ from: b.peerId, data: 'back' });
    // The memberships were rebuilt into the empty Redis: a newcomer sees all three, and they see it.
    const newcomer = await TestClient.greeted(ws1);
    clients.push(newcomer);
    const joined = await newcomer.join('outage');
    expect(joined.peers.map((peer) => peer.id).sort()).toEqual([a.peerId, a2.peerId, b.peerId].sort());
    expect(await a.next('peer-joined')).toMatchObject({ peer: { id: newcomer.peerId } });
    expect(await b.next('peer-joined')).toMatchObject({ peer: { id: newcomer.peerId } });
    await settle();
    // Nobody was told of a departure that did not happen.
    for (const client of [a, a2, b]) expect(client.pending().filter((m) => m.type === 'peer-left')).toEqual([]);
  });
});

describe('two instances sharing one Redis', () => {
  let redis: RedisProcess;
  const clients: TestClient[] = [];
  let cluster: RedisInstances | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await cluster?.close();
    cluster = undefined;
  });
  afterAll(async () => {
    await redis?.close();
  });
  const greeted = async (ws: string, token?: string) => {
    const client = await TestClient.greeted(ws, token);
    clients.push(client);
    return client;
  };

  it('lets exactly one of two joins racing for the last seat on different instances win', async () => {
    cluster = await twoInstances(redis, { limits: { ...defaultConfig().limits, membersPerRoom: 2 } });
    const [ws0, ws1] = cluster.ws as [string, string];
    for (let round = 0; round < 10; round++) {
      const room = `race${round}`;
      const first = await greeted(ws0);
      await first.join(room);
      const left = await greeted(ws0);
      const right = await greeted(ws1);
      left.send({ type: 'join', room, ref: 'race' });
      right.send({ type: 'join', room, ref: 'race' });
      const outcomes = await Promise.all([left.next(), right.next()]);
      expect(outcomes.map((m) => (m.type === 'error' ? m.code : m.type)).sort()).toEqual(['joined', 'room-full']);
    }
  });

  it('a graceful stop (zero-downtime deploy): clients closed 1001 resume on the other instance, nobody sees them leave', async () => {
    cluster = await twoInstances(redis);
    const [ws0, ws1] = cluster.ws as [string, string];
    const a = await greeted(ws0);
    const b = await greeted(ws1);
    await a.join('deploy');
    await b.join('deploy');
    await a.next('peer-joined');
    await cluster.apps[0]?.close(); // SIGTERM's path: drain, close 1001
    expect((await a.closed).code).toBe(1001);
    const back = await greeted(ws1, a.welcome?.resumeToken);
    expect(back.welcome).toMatchObject({ peerId: a.peerId, resumed: true, rooms: ['deploy'] });
    expect(await back.next('joined')).toMatchObject({ room: 'deploy', peers: [{ id: b.peerId }] });
    b.send({ type: 'app', room: 'deploy', to: a.peerId, data: 'after the deploy' });
    expect(await back.next('app')).toMatchObject({ from: b.peerId, data: 'after the deploy' });
    await settle(300);
    expect(b.pending().filter((m) => m.type === 'peer-left')).toEqual([]);
  });
});

describe('random interleavings across two instances (property)', () => {
  let redis: RedisProcess;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.close();
  });

  const ROOMS = ['r0', 'r1'];
  const CAP = 2;
  type Command =
    | { kind: 'join'; client: number; room: string }
    | { kind: 'leave'; client: number; room: string }
    | { kind: 'drop'; client: number }
    | { kind: 'resume'; client: number }
    | { kind: 'send'; client: number; to: number; room: string };
  const client = fc.integer({ min: 0, max: 3 });
  const room = fc.constantFrom(...ROOMS);
  const command: fc.Arbitrary<Command> = fc.oneof(
    fc.record({ kind: fc.constant('join' as const), client, room }),
    fc.record({ kind: fc.constant('leave' as const), client, room }),
    fc.record({ kind: fc.constant('drop' as const), client }),
    fc.record({ kind: fc.constant('resume' as const), client }),
    fc.record({ kind: fc.constant('send' as const), client, to: client, room }),
  );

  it('never leaves a member visible after it left, never exceeds the cap, never delivers across rooms', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 14 }), async (commands) => {
        const cluster = await twoInstances(redis, { limits: { ...defaultConfig().limits, membersPerRoom: CAP }, resumeWindowMs: 60_000 });
        const prefix = cluster.config.redisKeyPrefix;
        // Model: each client's socket, identity, token, rooms, and which instance it is on.
        const state = await Promise.all(
          [0, 1, 2, 3].map(async (i) => {
            const socket = await TestClient.greeted(cluster.ws[i % 2] as string);
            return { socket: socket as TestClient | null, peerId: socket.peerId, token: socket.welcome?.resumeToken as string, rooms: new Set<string>(), instance: i % 2, received: [] as Array<{ room: string; from: string; data: number }> };
          }),
        );
        const sockets: TestClient[] = state.map((s) => s.socket as TestClient);
        /** The sends (by step) whose sender and target were both members of the room named, when sent. */
        const allowed = new Map<number, { room: string; to: string }>();
        const collect = (index: number, socket: TestClient) =>
          socket.socket.on('message', (data) => {
            const message = JSON.parse(data.toString()) as { type: string; room?: string; from?: string; data?: number };
            if (message.type === 'app') state[index]?.received.push({ room: message.room as string, from: message.from as string, data: message.data as number });
          });
        state.forEach((s, i) => collect(i, s.socket as TestClient));
        try {
          for (const [step, cmd] of commands.entries()) {
            const me = state[cmd.client] as (typeof state)[number];
            const socket = me.socket;
            if (cmd.kind === 'drop') {
              if (!socket) continue;
              socket.socket.terminate();
              await socket.closed;
              me.socket = null;
              continue;
            }
            if (cmd.kind === 'resume') {
              if (socket) continue;
              me.instance = 1 - me.instance; // come back on the other instance
              const back = await TestClient.greeted(cluster.ws[me.instance] as string, me.token);
              sockets.push(back);
              expect(back.welcome).toMatchObject({ peerId: me.peerId, resumed: true });
              expect(new Set(back.welcome?.rooms)).toEqual(me.rooms);
              me.token = back.welcome?.resumeToken as string;
              me.socket = back;
              collect(cmd.client, back);
              continue;
            }
            if (!socket) continue;
            const ref = `c${step}`;
            if (cmd.kind === 'join') {
              socket.send({ type: 'join', room: cmd.room, ref });
              const reply = await socket.next(undefined, 5_000).then(async function skip(m): Promise<typeof m> {
                return 'ref' in m && m.ref === ref ? m : skip(await socket.next());
              });
              const members = state.filter((s) => s.rooms.has(cmd.room)).length;
              if (me.rooms.has(cmd.room) || members < CAP) {
                expect(reply).toMatchObject({ type: 'joined', room: cmd.room });
                me.rooms.add(cmd.room);
              } else {
                expect(reply).toMatchObject({ type: 'error', code: 'room-full' });
              }
            } else if (cmd.kind === 'leave') {
              socket.send({ type: 'leave', room: cmd.room, ref });
              const reply = await socket.next(undefined, 5_000).then(async function skip(m): Promise<typeof m> {
                return 'ref' in m && m.ref === ref ? m : skip(await socket.next());
              });
              expect(reply.type).toBe(me.rooms.has(cmd.room) ? 'left' : 'error');
              me.rooms.delete(cmd.room);
            } else {
              const target = state[cmd.to] as (typeof state)[number];
              if (me.rooms.has(cmd.room) && target.rooms.has(cmd.room)) allowed.set(step, { room: cmd.room, to: target.peerId });
              socket.send({ type: 'app', room: cmd.room, to: target.peerId, data: step, ref });
            }
          }
          // Replies to sends are errors or nothing: let them and the relayed frames arrive.
          await settle(300);
          for (const [index, s] of state.entries()) {
            // Never across rooms: a frame arrived only in a room both sides were in when it was sent
            // (rooms only change by the commands above, so a frame's room must be a room of the receiver now or a room it left).
            for (const message of s.received) {
              expect(allowed.get(message.data), `client ${index} got step ${message.data} across rooms`).toEqual({ room: message.room, to: s.peerId });
            }
          }
          for (const name of ROOMS) {
            const stored = await admin.hkeys(`${prefix}room:${name}`);
            const expected = state.filter((s) => s.rooms.has(name)).map((s) => s.peerId);
            expect(stored.length).toBeLessThanOrEqual(CAP);
            expect(stored.sort()).toEqual(expected.sort());
            // What a member sees (a repeated join answers the current state) matches: nobody who left is still listed.
            for (const s of state.filter((member) => member.rooms.has(name) && member.socket)) {
              const socket = s.socket as TestClient;
              socket.send({ type: 'join', room: name, ref: 'check' });
              let view = await socket.next('joined');
              while (view.ref !== 'check') view = await socket.next('joined');
              expect(view.peers.map((peer) => peer.id).sort()).toEqual(expected.filter((id) => id !== s.peerId).sort());
            }
          }
        } finally {
          for (const socket of sockets) socket.close();
          await cluster.close();
        }
      }),
      { numRuns: 12, seed: 1201, endOnFailure: true },
    );
  }, 120_000);
});

describe('three instances behind nginx (docs/deploy.md config)', () => {
  let cluster: Cluster | undefined;
  const clients: TestClient[] = [];
  const peers: RTCPeerConnection[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await Promise.all(peers.map((pc) => pc.close()));
    await cluster?.close();
  });

  /** Open connections per instance, read from their metrics. */
  const openPerInstance = async (c: Cluster) =>
    Promise.all(
      c.instances.map(async (instance) => {
        const text = await fetch(`${instance.http}/metrics`).then((r) => r.text(), () => 'peerchart_connections 0');
        return Number(/^peerchart_connections (\d+)$/m.exec(text)?.[1] ?? 0);
      }),
    );

  it('relays between instances, survives kill -9 of one (media keeps flowing, its client resumes on another, mailbox delivered, renegotiation works), and a Redis restart', async () => {
    cluster = await startCluster({ nginx: true, args: ['--resume-window-ms', '20000'] });
    const a = await TestClient.greeted(cluster.ws);
    clients.push(a);
    const afterA = await openPerInstance(cluster);
    const aInstance = afterA.indexOf(1);
    const b = await TestClient.greeted(cluster.ws);
    clients.push(b);
    const afterB = await openPerInstance(cluster);
    expect(afterB.filter((n) => n === 1)).toHaveLength(2); // least_conn spread them: two instances, one socket each
    await a.join('lb');
    await b.join('lb');
    await a.next('peer-joined');
    b.send({ type: 'offer', room: 'lb', to: a.peerId, sdp: 'v=0 cross' });
    expect(await a.next('offer')).toEqual({ type: 'offer', room: 'lb', from: b.peerId, sdp: 'v=0 cross' });
    a.send({ type: 'answer', room: 'lb', to: b.peerId, sdp: 'v=0 back' });
    expect(await b.next('answer')).toMatchObject({ from: a.peerId, sdp: 'v=0 back' });

    // A real call between two werift peers, signaled through the two instances.
    let aSignaling = a;
    const aPc = new RTCPeerConnection({ iceServers: [] });
    const bPc = new RTCPeerConnection({ iceServers: [] });
    peers.push(aPc, bPc);
    const aWire = wirePeer(aPc, 'lb', () => b.peerId, () => aSignaling);
    wirePeer(bPc, 'lb', () => a.peerId, () => b);
    const received: string[] = [];
    const aChannels: string[] = [];
    aPc.onDataChannel.subscribe((channel) => {
      aChannels.push(channel.label);
      channel.onMessage.subscribe((data) => received.push(`${channel.label}:${data.toString()}`));
    });
    const chat = bPc.createDataChannel('chat');
    const chatOpen = new Promise<void>((resolve) => chat.stateChanged.subscribe((state) => state === 'open' && resolve()));
    await sendOffer(bPc, b, 'lb', a.peerId);
    await chatOpen;
    chat.send('before the crash');
    expect(await eventually(() => received.includes('chat:before the crash'))).toBe(true);

    // Crash a's instance: no cleanup, no close frames.
    await cluster.instances[aInstance]?.kill('SIGKILL');
    await a.closed;
    // The call does not need the signaling server: data keeps flowing peer to peer.
    chat.send('during the outage');
    expect(await eventually(() => received.includes('chat:during the outage'))).toBe(true);
    b.send({ type: 'app', room: 'lb', to: a.peerId, data: 'sent while a was away' });
    await settle(200);
    const back = await TestClient.greeted(cluster.ws, a.welcome?.resumeToken);
    clients.push(back);
    expect(back.welcome).toMatchObject({ peerId: a.peerId, resumed: true, rooms: ['lb'] });
    expect(await back.next('joined')).toMatchObject({ room: 'lb', peers: [{ id: b.peerId }] });
    expect(await back.next('app')).toMatchObject({ from: b.peerId, data: 'sent while a was away' });
    back.send({ type: 'app', room: 'lb', to: b.peerId, data: 'resumed elsewhere' });
    expect(await b.next('app')).toMatchObject({ from: a.peerId, data: 'resumed elsewhere' });
    expect(b.pending().filter((m) => m.type === 'peer-left')).toEqual([]);
    // Signaling works on the new instance: a renegotiation (a new channel, as a screen share would add a track) completes.
    aSignaling = back;
    aWire.listen(back);
    const screen = bPc.createDataChannel('screen');
    const screenOpen = new Promise<void>((resolve) => screen.stateChanged.subscribe((state) => state === 'open' && resolve()));
    await sendOffer(bPc, b, 'lb', a.peerId);
    await screenOpen;
    screen.send('renegotiated');
    expect(await eventually(() => received.includes('screen:renegotiated'))).toBe(true);
    expect(aChannels).toEqual(['chat', 'screen']);

    // Redis restarts empty: every live instance rebuilds; signaling works again, no server restart.
    await cluster.redis.restart();
    const live = cluster.instances.filter((_, index) => index !== aInstance);
    expect(await eventually(async () => (await Promise.all(live.map((i) => readiness(i.http)))).every((r) => r?.status === 200), 20_000)).toBe(true);
    b.send({ type: 'app', room: 'lb', to: a.peerId, data: 'after the Redis restart' });
    expect(await back.next('app')).toMatchObject({ from: b.peerId, data: 'after the Redis restart' });
    const late = await TestClient.greeted(cluster.ws);
    clients.push(late);
    expect((await late.join('lb')).peers.map((p) => p.id).sort()).toEqual([a.peerId, b.peerId].sort());
  }, 90_000);

  it('removes the members of a dead instance within the documented bound when they do not come back', async () => {
    cluster ??= await startCluster({ nginx: true, args: ['--resume-window-ms', '20000'] });
    // A short window for this check: a fresh cluster would cost seconds; the bound is sweep + window.
    const c = await startCluster({ instances: 2, redis: cluster.redis, args: ['--resume-window-ms', '500'] });
    try {
      const [first, second] = c.instances as [NonNullable<Cluster['instances'][0]>, NonNullable<Cluster['instances'][0]>];
      const stays = await TestClient.greeted(first.ws);
      const gone = await TestClient.greeted(second.ws);
      clients.push(stays, gone);
      await stays.join('sweep');
      await gone.join('sweep');
      await stays.next('peer-joined');
      await second.kill('SIGKILL');
      // Bound: 4 × --instance-heartbeat-ms (500 ms in this cluster) to sweep, then the resume window.
      expect(await stays.next('peer-left', 4 * 500 + 500 + 3_000)).toEqual({ type: 'peer-left', room: 'sweep', peerId: gone.peerId, reason: 'disconnect' });
    } finally {
      await c.close();
    }
  }, 60_000);
});
