/**
 * The relay for several instances sharing rooms, sessions and relay through Redis.
 *
 * Client library: ioredis — it re-subscribes its channels by itself after a reconnect, defines Lua
 * scripts once (EVALSHA with a fallback), and a second connection for subscribe is one `duplicate()`.
 *
 * - Membership lives in Redis (a hash per room), changed only by Lua scripts that bump the room's
 *   version and publish the change on one presence channel. Every instance keeps a replica of the
 *   rooms its sockets are in, fed by that channel in Redis's order: `member()` on the relay hot path
 *   is a local lookup, and presence reaches members on every instance in the order the room saw it.
 * - Directed messages to peers on another instance leave, per event-loop turn, as one PUBLISH to
 *   that instance's channel (no other Redis command on the hot path; several frames go as one batch
 *   envelope). When nobody listens there (the instance died) or the peer is no longer there, a
 *   script forwards each frame to where its peer is, or keeps it in the peer's mailbox (a Redis
 *   list, bounded, the resume window as TTL).
 * - Sessions live in Redis (nonce, owning instance, rooms, away flag): a token resumes on any
 *   instance, once (the nonce rotates atomically).
 * - Every instance renews a liveness key; survivors sweep the sessions of an instance whose key
 *   expired (they become away, and expire after the resume window unless resumed elsewhere).
 */
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import { type DirectedMessage, type JoinMessage, type PeerInfo, type Ref } from '@peerchart/core/protocol';
import type { ServerConfig } from '../config.js';
import { errorFrame } from '../errors.js';
import { relayedFrame, type ReceivedFrame } from '../frames.js';
import type { ServerMetrics } from '../metrics.js';
import { NO_ROOMS, Session, welcomeFrame, type AwayReason, type Frame, type Outlet, type SignalingRelay } from '../relay.js';
import { randomId, ResumeTokens } from '../tokens.js';
import { iceServersGrant } from '../turn.js';
import { CLAIM, EXPIRE, JOIN, LEAVE, PUSH, SNAPSHOT, SWEEP } from './scripts.js';

/** A member as the replica keeps it: where its socket is, and its place in the room's join order. */
interface Member {
  peerId: string;
  name: string;
  seq: number;
  instance: string;
}

/** A membership change, as published by the scripts. */
interface PresenceEvent {
  r: string;
  v: number;
  k: 'join' | 'leave' | 'move';
  p: string;
  m?: string;
  why?: 'leave' | 'disconnect' | 'timeout';
}

/** A join waiting until the replica reflects its version. */
interface Waiter {
  ver: number;
  resolve: () => void;
}

/**
 * The local replica of one room, for as long as a socket of this instance is in it. One lives per
 * room and instance for as long as the room has a member here, so it is kept as small as the
 * in-memory registry's room: exactly sized arrays, replaced rather than changed (iteration-safe),
 * and nothing allocated for waiters until a join has to wait.
 */
interface Replica {
  /** The room version the members reflect; -1 until the first snapshot. */
  ver: number;
  /** In join order. */
  members: readonly Member[];
  /** Sessions of this instance in the room, or joining it. */
  refs: number;
  /** Events held while a snapshot is being taken (null once live). */
  buffer: PresenceEvent[] | null;
  waiters: Waiter[] | null;
}

const NO_MEMBERS: readonly Member[] = Object.freeze([]);

/** How long a restored token's nonce is remembered in Redis, so that a token works once. */
const USED_NONCE_MS = 24 * 60 * 60 * 1000;
/** A replica that did not catch up with a join's version within this long is re-read. */
const CATCH_UP_MS = 2_000;

type Scripted = {
  pcJoin(...args: Array<string | number>): Promise<[string, number?, string[]?]>;
  pcSnapshot(...args: Array<string | number>): Promise<[number, string[]]>;
  pcLeave(...args: Array<string | number>): Promise<number>;
  pcExpire(...args: Array<string | number>): Promise<number>;
  pcClaim(...args: Array<string | number>): Promise<string[]>;
  pcPush(...args: Array<string | number>): Promise<string>;
  pcSweep(...args: Array<string | number>): Promise<string[] | null>;
};

/** Connect to Redis and build the relay; throws (the server refuses to start) when Redis cannot be reached. */
export async function connectRedisRelay(config: ServerConfig, metrics: ServerMetrics, log: FastifyBaseLogger): Promise<RedisRelay> {
  const options = {
    lazyConnect: true,
    // Commands fail at once while Redis is away (clients get `unavailable`) instead of queueing.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // No retries while starting: an unreachable Redis refuses the start at once.
    retryStrategy: () => null,
  };
  const cmd = new Redis(config.redisUrl, options);
  const sub = cmd.duplicate();
  for (const connection of [cmd, sub]) connection.on('error', (error: Error) => log.debug({ err: error }, 'redis connection error'));
  try {
    await cmd.connect();
    await sub.connect();
  } catch (error) {
    cmd.disconnect();
    sub.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(config.redisUrl)} (--registry redis): ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  // Once running, a lost connection is retried for as long as it takes (readiness is 503 meanwhile).
  for (const connection of [cmd, sub]) connection.options.retryStrategy = (attempt: number) => Math.min(100 * attempt, 1_000);
  const relay = new RedisRelay(config, metrics, log, cmd, sub);
  await relay.start();
  return relay;
}

const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

export class RedisRelay implements SignalingRelay {
  readonly instance = randomId(9);
  private epoch = '';
  private readonly sessions = new Map<string, Session>();
  /** Frames for a session whose cross-instance resume is still being set up, by peer id (see `resumed`). */
  private readonly held = new Map<string, Frame[]>();
  private readonly replicas = new Map<string, Replica>();
  /**
   * One string per instance id (replica members hold these, not a copy each); pruned on the
   * heartbeat to the instances still registered.
   */
  private readonly instanceIds = new Map<string, string>();
  private readonly tokens: ResumeTokens;
  private readonly scripts: Scripted;
  private readonly key: (suffix: string) => string;
  private readonly presenceChannel: string;
  private readonly myChannel: string;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Directed frames of this event-loop turn for other instances, by target instance, in the order sent. */
  private outbox = new Map<string, Batch>();
  private flushScheduled = false;
  private shuttingDown = false;
  private closed = false;
  /** Set when a connection dropped: on its return the instance rewrites what it owns. */
  private lost = false;
  private rebuilding: Promise<void> | null = null;

  constructor(
    private readonly config: ServerConfig,
    private readonly metrics: ServerMetrics,
    private readonly log: FastifyBaseLogger,
    private readonly cmd: Redis,
    private readonly sub: Redis,
  ) {
    this.tokens = new ResumeTokens(config.sessionSecret);
    const prefix = config.redisKeyPrefix;
    this.key = (suffix) => `${prefix}${suffix}`;
    this.presenceChannel = this.key('presence');
    this.myChannel = this.key(`inst:${this.instance}`);
    this.instanceIds.set(this.instance, this.instance);
    const define = (name: string, numberOfKeys: number, lua: string) => cmd.defineCommand(name, { numberOfKeys, lua });
    define('pcJoin', 4, JOIN);
    define('pcSnapshot', 2, SNAPSHOT);
    define('pcLeave', 1, LEAVE);
    define('pcExpire', 3, EXPIRE);
    define('pcClaim', 4, CLAIM);
    define('pcPush', 2, PUSH);
    define('pcSweep', 4, SWEEP);
    this.scripts = cmd as unknown as Scripted;
  }

  get ready(): boolean {
    return !this.lost && this.rebuilding === null && this.cmd.status === 'ready' && this.sub.status === 'ready';
  }

  get awayCount(): number {
    let away = 0;
    for (const session of this.sessions.values()) if (session.outlet === null) away += 1;
    return away;
  }

  /** Rooms with a member on this instance. */
  get roomCount(): number {
    return this.replicas.size;
  }

  async start(): Promise<void> {
    // Bytes, not strings: a relayed frame goes from Redis to its socket without a UTF-8 decode and re-encode.
    const presenceChannel = Buffer.from(this.presenceChannel);
    const myChannel = Buffer.from(this.myChannel);
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      try {
        if (channel.equals(myChannel)) this.onDirect(message);
        else if (channel.equals(presenceChannel)) this.onPresence(JSON.parse(message.toString()) as PresenceEvent);
      } catch (error) {
        this.log.error({ err: error }, 'error while handling a Redis message');
      }
    });
    await this.sub.subscribe(this.presenceChannel, this.myChannel);
    await this.register();
    for (const connection of [this.cmd, this.sub]) {
      connection.on('close', () => {
        if (!this.closed) this.lost = true;
      });
      connection.on('ready', () => this.maybeRebuild());
    }
    this.heartbeat = setInterval(() => void this.beat(), this.config.instanceHeartbeatMs);
    this.heartbeat.unref();
  }

  /** Epoch (SET NX: the first instance after Redis lost its data starts a new one), liveness key, instance set. */
  private async register(): Promise<void> {
    await this.cmd.set(this.key('epoch'), randomId(6), 'NX');
    this.epoch = (await this.cmd.get(this.key('epoch'))) ?? '';
    await this.cmd.set(this.key(`instance:${this.instance}`), '1', 'PX', this.config.instanceHeartbeatMs * 3);
    await this.cmd.sadd(this.key('instances'), this.instance);
  }

  // ---- hello / resume -------------------------------------------------------------------------

  async greet(outlet: Outlet, resumeToken: string | undefined, ref: Ref | undefined): Promise<Session | undefined> {
    if (!this.ready) {
      outlet.send(errorFrame('unavailable', 'the server cannot reach its shared state; retry shortly', ref));
      this.metrics.drop('unavailable');
      return undefined;
    }
    const claims = resumeToken !== undefined && this.config.resumeWindowMs > 0 ? this.tokens.verify(resumeToken) : undefined;
    try {
      if (claims) {
        const { token, nonce } = this.tokens.issue(claims.peerId, this.epoch);
        const result = await this.scripts.pcClaim(
          this.key(`session:${claims.peerId}`),
          this.key(`used:${claims.nonce}`),
          this.key(`peers:${this.instance}`),
          this.key(`mailbox:${claims.peerId}`),
          this.config.redisKeyPrefix,
          this.presenceChannel,
          claims.peerId,
          claims.nonce,
          claims.epoch,
          this.epoch,
          nonce,
          this.instance,
          USED_NONCE_MS,
        );
        if (result[0] === 'resumed') return await this.resumed(outlet, claims.peerId, nonce, token, result, ref);
        if (result[0] === 'restored') {
          // Issued before Redis lost its data (or before a restart): the identity comes back, its rooms do not.
          const session = this.adopt(claims.peerId, nonce, outlet);
          outlet.send(welcomeFrame(this.config, session, token, true, NO_ROOMS, ref));
          return session;
        }
      }
      let peerId = randomId(12);
      while (this.sessions.has(peerId)) peerId = randomId(12);
      const { token, nonce } = this.tokens.issue(peerId, this.epoch);
      await this.cmd
        .multi()
        .hset(this.key(`session:${peerId}`), 'nonce', nonce, 'instance', this.instance, 'rooms', '', 'away', '0')
        .sadd(this.key(`peers:${this.instance}`), peerId)
        .exec();
      const session = this.adopt(peerId, nonce, outlet);
      outlet.send(welcomeFrame(this.config, session, token, false, NO_ROOMS, ref));
      return session;
    } catch (error) {
      this.unavailable(outlet, error, ref);
      return undefined;
    }
  }

  private adopt(peerId: string, nonce: string, outlet: Outlet): Session {
    const session = new Session(peerId, nonce, outlet);
    this.sessions.set(peerId, session);
    return session;
  }

  private async resumed(outlet: Outlet, peerId: string, nonce: string, token: string, result: string[], ref: Ref | undefined): Promise<Session> {
    const [, oldInstance = '', roomList = '', ...mailbox] = result;
    const rooms = roomList === '' ? [] : roomList.split(',');
    let session = this.sessions.get(peerId);
    let held: Frame[] = [];
    if (session) {
      // Its last socket was on this instance: the same resume as with one process.
      clearTimeout(session.awayTimer);
      session.awayTimer = undefined;
      const previous = session.outlet;
      session.outlet = outlet;
      session.nonce = nonce;
      previous?.replace();
    } else {
      if (oldInstance !== '' && oldInstance !== this.instance) {
        // The old instance closes a socket still open there (4004) and forgets the identity.
        void this.cmd.publish(this.key(`inst:${oldInstance}`), `T\n${peerId}`).catch(() => undefined);
      }
      session = this.adopt(peerId, nonce, outlet);
      session.rooms = rooms;
      // Frames that reach this instance for the peer while its rooms are being followed (sent after the
      // resume script moved it here) wait, so the welcome, its `joined` and the mailbox go first.
      this.held.set(peerId, []);
      try {
        await Promise.all(rooms.map((room) => this.follow(room)));
      } finally {
        held = this.held.get(peerId) ?? [];
        this.held.delete(peerId);
      }
    }
    outlet.send(welcomeFrame(this.config, session, token, true, session.rooms, ref));
    for (const room of session.rooms) this.sendJoined(session, room, undefined);
    for (const frame of mailbox) outlet.send(frame);
    for (const frame of held) outlet.send(frame);
    return session;
  }

  /** Start (or keep) a replica of `room` for one more local session, from a fresh snapshot. */
  private async follow(room: string): Promise<void> {
    const replica = this.track(room);
    if (replica.buffer === null) return;
    const [ver, flat] = await this.scripts.pcSnapshot(this.key(`room:${room}`), this.key(`roomver:${room}`));
    this.initReplica(room, replica, ver, flat);
  }

  // ---- rooms ----------------------------------------------------------------------------------

  async join(session: Session, message: JoinMessage): Promise<void> {
    const { room, ref } = message;
    if (session.rooms.includes(room)) {
      // Joining a room one is already in is idempotent: the current state is sent again.
      this.sendJoined(session, room, ref);
      return;
    }
    if (session.rooms.length >= this.config.limits.roomsPerSocket) {
      this.refuse(session, 'too-many-rooms', `already in ${session.rooms.length} rooms (the maximum)`, ref);
      return;
    }
    if (!this.ready) {
      this.refuse(session, 'unavailable', 'the server cannot reach its shared state; retry shortly', ref);
      return;
    }
    const replica = this.track(room);
    let result: Awaited<ReturnType<Scripted['pcJoin']>>;
    try {
      result = await this.scripts.pcJoin(
        this.key(`room:${room}`),
        this.key(`roomver:${room}`),
        this.key('seq'),
        this.key(`session:${session.peerId}`),
        room,
        session.peerId,
        message.name ?? '',
        this.instance,
        this.config.limits.membersPerRoom,
        this.presenceChannel,
      );
    } catch (error) {
      this.untrack(room);
      if (session.outlet) this.unavailable(session.outlet, error, ref);
      return;
    }
    if (result[0] !== 'ok') {
      this.untrack(room);
      this.refuse(session, 'room-full', `room ${room} already has ${this.config.limits.membersPerRoom} members`, ref);
      return;
    }
    const ver = Number(result[1]);
    if (replica.buffer !== null) this.initReplica(room, replica, ver, result[2] ?? []);
    else await this.caughtUp(room, replica, ver);
    if (!this.sessions.has(session.peerId)) {
      this.untrack(room);
      return;
    }
    session.rooms = session.rooms.concat(room);
    session.outlet?.log('info', { room }, 'joined room');
    this.sendJoined(session, room, ref);
  }

  async leave(session: Session, room: string, ref: Ref | undefined): Promise<void> {
    if (!session.rooms.includes(room)) {
      this.refuse(session, 'not-in-room', `not a member of room ${room}`, ref);
      return;
    }
    if (!this.ready) {
      this.refuse(session, 'unavailable', 'the server cannot reach its shared state; retry shortly', ref);
      return;
    }
    try {
      await this.scripts.pcLeave(this.key(`session:${session.peerId}`), this.config.redisKeyPrefix, this.presenceChannel, room, session.peerId, 'leave');
    } catch (error) {
      if (session.outlet) this.unavailable(session.outlet, error, ref);
      return;
    }
    this.dropRoom(session, room);
    session.outlet?.send(JSON.stringify(ref === undefined ? { type: 'left', room } : { type: 'left', room, ref }));
  }

  private dropRoom(session: Session, room: string): void {
    const index = session.rooms.indexOf(room);
    if (index < 0) return;
    session.rooms = session.rooms.slice(0, index).concat(session.rooms.slice(index + 1));
    this.untrack(room);
  }

  // ---- relay ----------------------------------------------------------------------------------

  relay(session: Session, message: DirectedMessage, startedAt: number, received?: ReceivedFrame): void {
    const { room, to, ref } = message;
    if (!session.rooms.includes(room)) {
      this.refuse(session, 'not-in-room', `not a member of room ${room}`, ref);
      return;
    }
    const target = this.member(room, to);
    if (!target) {
      this.refuse(session, 'unknown-peer', `no peer ${to} in room ${room}`, ref);
      return;
    }
    const frame = relayedFrame(message, session.peerId, received);
    const local = this.sessions.get(to);
    if (local?.outlet) {
      local.outlet.send(frame);
      if (startedAt >= 0) this.metrics.relayLatency(startedAt);
      return;
    }
    if (local || target.instance === this.instance) {
      this.pushElsewhere(to, directEnvelope(to, session.peerId, this.instance, ref, frame).toString(), frame.toString(), session.peerId, this.instance, ref);
      return;
    }
    // Leaves in its target instance's PUBLISH at the end of the turn (see `flushOutbox`), or now
    // when the batch is full.
    let batch = this.outbox.get(target.instance);
    if (batch === undefined) {
      batch = { frames: [], size: 0 };
      this.outbox.set(target.instance, batch);
    }
    batch.frames.push({ to, from: session.peerId, ref, frame, startedAt });
    batch.size += frame.length;
    if (batch.size >= FULL_BATCH) {
      this.outbox.delete(target.instance);
      this.publishBatch(target.instance, batch.frames);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushOutbox);
    }
  }

  /**
   * The hot path's only Redis command: the directed frames of one event-loop turn leave as one
   * `PUBLISH` per target instance (and per `FULL_BATCH` of frames), in the turn's check phase (`setImmediate`), after every socket
   * that was readable in this turn has been read (when the tick ends would be once per client socket
   * read, i.e. once per message when each client has one frame in flight). Per message, that saves
   * an ioredis command and its promise, a RESP encode, Redis's work, and on the receiving instance a
   * RESP parse and a 'messageBuffer' event: what made a cross-instance message cost twice the CPU of
   * a same-instance one. The PUBLISHes (one per target instance) leave in one write. Nothing waits
   * for a timer. (ioredis's auto-pipelining was tried and dropped: it builds a pipeline object per
   * batch, and still one command per message; one quick bench run: ≈ 4× the server CPU per message.)
   *
   * A turn's lone frame for an instance goes as a plain `F` envelope (no copy into a batch, no
   * length header: the low-load case, where latency matters most, costs what it did), several as one
   * `B` envelope. When nobody listens there (the instance died), every frame of it goes, in order, to
   * wherever its peer is now, or to its mailbox; when Redis fails, each sender gets its own error.
   */
  private readonly flushOutbox = (): void => {
    this.flushScheduled = false;
    const outbox = this.outbox;
    if (outbox.size === 0) return;
    this.outbox = new Map();
    const stream = this.cmd.stream;
    stream?.cork();
    for (const [instance, batch] of outbox) this.publishBatch(instance, batch.frames);
    stream?.uncork();
  };

  private publishBatch(instance: string, batch: Outgoing[]): void {
    const message = batch.length === 1 ? outgoingEnvelope(batch[0] as Outgoing, this.instance) : batchEnvelope(batch, this.instance);
    this.cmd.publish(this.key(`inst:${instance}`), message).then(
      (listeners) => {
        if (listeners === 0) {
          for (const m of batch) this.pushElsewhere(m.to, outgoingEnvelope(m, this.instance).toString(), m.frame.toString(), m.from, this.instance, m.ref);
          return;
        }
        for (const m of batch) if (m.startedAt >= 0) this.metrics.relayLatency(m.startedAt);
      },
      () => {
        for (const m of batch) this.errorTo(m.from, this.instance, errorFrame('unavailable', 'the server cannot reach its shared state; the message was dropped', m.ref));
      },
    );
  }

  /** Forward a frame to the instance that has the peer connected, or keep it in its mailbox. */
  private pushElsewhere(to: string, envelope: string, frame: string, from: string, fromInstance: string, ref: Ref | undefined): void {
    const { mailboxSize } = this.config.limits;
    this.scripts
      .pcPush(this.key(`session:${to}`), this.key(`mailbox:${to}`), this.config.redisKeyPrefix, envelope, frame, mailboxSize, Math.max(this.config.resumeWindowMs, 1), this.instance)
      .then(
        (outcome) => {
          if (outcome === 'full' || outcome === 'gone') {
            this.metrics.drop('undeliverable');
            const why = outcome === 'full' ? `peer ${to} is away and its mailbox is full` : `peer ${to} is gone`;
            this.errorTo(from, fromInstance, errorFrame('undeliverable', why, ref));
          }
        },
        () => this.errorTo(from, fromInstance, errorFrame('unavailable', 'the server cannot reach its shared state; the message was dropped', ref)),
      );
  }

  /** Send an error frame to a peer, here or on its instance. */
  private errorTo(peerId: string, instance: string, frame: string): void {
    if (instance === this.instance) {
      this.sessions.get(peerId)?.outlet?.send(frame);
      return;
    }
    void this.cmd.publish(this.key(`inst:${instance}`), `E\n${peerId}\n${frame}`).catch(() => undefined);
  }

  /** A message on this instance's channel: a frame (or a batch of them) to deliver, a takeover, or an error for a sender. */
  private onDirect(message: Buffer): void {
    const kind = message[0];
    if (kind === F) {
      this.onFrame(message);
    } else if (kind === B) {
      const bounds = batchBounds(message);
      if (bounds === null) {
        // Only instances publish here; this one is of another kind (or broken): nothing of it is delivered.
        this.log.warn({ bytes: message.length }, 'ignored a malformed batch on the instance channel');
        return;
      }
      for (let i = 0; i < bounds.length; i += 2) this.onFrame(message.subarray(bounds[i], bounds[i + 1]));
    } else if (kind === T) {
      const peerId = message.toString('utf8', 2);
      const session = this.sessions.get(peerId);
      if (!session) return;
      // The identity resumed on another instance: forget it here (no presence: it is still in its rooms).
      clearTimeout(session.awayTimer);
      this.sessions.delete(peerId);
      for (const room of session.rooms) this.untrack(room);
      session.rooms = NO_ROOMS;
      session.outlet?.replace();
    } else if (kind === E) {
      const newline = message.indexOf(NEWLINE, 2);
      const session = this.sessions.get(message.toString('utf8', 2, newline));
      if (session) this.deliver(session, message.subarray(newline + 1));
    }
  }

  /** An `F` envelope: to the addressee's socket if it is here, else on to wherever it is now. */
  private onFrame(envelope: Buffer): void {
    // Only the addressee is read on the way to a socket; the rest of the header when it is not here.
    const toEnd = envelope.indexOf(NEWLINE, 2);
    const start = toEnd < 0 ? -1 : headerEnd(envelope, toEnd);
    if (start < 0) {
      this.log.warn({ bytes: envelope.length }, 'ignored a malformed frame envelope on the instance channel');
      return;
    }
    const local = this.sessions.get(envelope.toString('utf8', 2, toEnd));
    if (local?.outlet) {
      this.deliver(local, envelope.subarray(start));
      return;
    }
    const { to, from, fromInstance, ref, frame } = parseEnvelope(envelope.toString());
    this.pushElsewhere(to, envelope.toString(), frame, from, fromInstance, ref);
  }

  refreshIceServers(session: Session, ref: Ref | undefined): void {
    const reply = { type: 'ice-servers', ...iceServersGrant(session.peerId, this.config), ...(ref === undefined ? {} : { ref }) };
    session.outlet?.send(JSON.stringify(reply));
  }

  // ---- away, expiry, shutdown -----------------------------------------------------------------

  disconnected(session: Session, outlet: Outlet, reason: AwayReason): void {
    if (session.outlet !== outlet) return;
    session.outlet = null;
    if (this.shuttingDown || !this.sessions.has(session.peerId)) return;
    // Frames for it now go to the mailbox (the push script reads this flag), wherever they come from.
    void this.cmd.hset(this.key(`session:${session.peerId}`), 'away', '1').catch(() => undefined);
    this.awayFor(session, reason);
  }

  private awayFor(session: Session, reason: AwayReason): void {
    if (this.config.resumeWindowMs === 0) {
      void this.expire(session, reason);
      return;
    }
    session.awayTimer = setTimeout(() => void this.expire(session, reason), this.config.resumeWindowMs);
    session.awayTimer.unref();
  }

  private async expire(session: Session, reason: AwayReason): Promise<void> {
    session.awayTimer = undefined;
    if (this.sessions.get(session.peerId) !== session || session.outlet !== null) return;
    try {
      await this.scripts.pcExpire(
        this.key(`session:${session.peerId}`),
        this.key(`mailbox:${session.peerId}`),
        this.key(`peers:${this.instance}`),
        this.config.redisKeyPrefix,
        this.presenceChannel,
        session.peerId,
        session.nonce,
        reason,
        this.instance,
      );
    } catch (error) {
      // Redis is away: try again once it is back (the rebuild keeps the session meanwhile).
      this.log.warn({ err: error, peer: session.peerId }, 'could not expire an identity; retrying');
      session.awayTimer = setTimeout(() => void this.expire(session, reason), this.config.instanceHeartbeatMs);
      session.awayTimer.unref();
      return;
    }
    if (this.sessions.get(session.peerId) !== session || session.outlet !== null) return;
    this.sessions.delete(session.peerId);
    for (const room of session.rooms) this.untrack(room);
    session.rooms = NO_ROOMS;
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const session of this.sessions.values()) clearTimeout(session.awayTimer);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    // Gone at once rather than after the liveness TTL: a survivor sweeps this instance's sessions on
    // its next beat, so clients that reconnect elsewhere resume (and the rest expire after the window).
    await this.cmd.del(this.key(`instance:${this.instance}`)).catch(() => undefined);
    this.sub.disconnect();
    this.cmd.disconnect();
  }

  // ---- liveness and sweeping ------------------------------------------------------------------

  private async beat(): Promise<void> {
    if (!this.ready) return;
    try {
      await this.cmd.set(this.key(`instance:${this.instance}`), '1', 'PX', this.config.instanceHeartbeatMs * 3);
      const instances = await this.cmd.smembers(this.key('instances'));
      for (const id of this.instanceIds.keys()) if (!instances.includes(id)) this.instanceIds.delete(id);
      for (const other of instances) {
        if (other === this.instance || (await this.cmd.exists(this.key(`instance:${other}`))) === 1) continue;
        await this.sweep(other);
      }
    } catch (error) {
      this.log.debug({ err: error }, 'instance heartbeat failed');
    }
  }

  /** Take over the sessions of a dead instance: away here, expiring after the resume window unless resumed. */
  private async sweep(dead: string): Promise<void> {
    const taken = await this.scripts.pcSweep(
      this.key(`instance:${dead}`),
      this.key('instances'),
      this.key(`peers:${dead}`),
      this.key(`peers:${this.instance}`),
      this.config.redisKeyPrefix,
      dead,
      this.instance,
    );
    if (!taken) return;
    this.log.info({ instance: dead, sessions: taken.length / 3 }, 'swept a dead instance');
    for (let i = 0; i + 2 < taken.length; i += 3) {
      const [peerId, nonce, rooms] = [taken[i] as string, taken[i + 1] as string, taken[i + 2] as string];
      if (this.sessions.has(peerId)) continue;
      const session = new Session(peerId, nonce, null);
      session.rooms = rooms === '' ? NO_ROOMS : rooms.split(',');
      this.sessions.set(peerId, session);
      await Promise.all(session.rooms.map((room) => this.follow(room)));
      this.awayFor(session, 'disconnect');
    }
  }

  // ---- Redis lost and back ----------------------------------------------------------------------

  private maybeRebuild(): void {
    if (this.closed || !this.lost || this.rebuilding || this.cmd.status !== 'ready' || this.sub.status !== 'ready') return;
    this.rebuilding = this.rebuild()
      .then(() => {
        this.lost = false;
        this.log.info('redis back: state rebuilt');
      })
      .catch((error: unknown) => this.log.warn({ err: error }, 'rebuild after a Redis outage failed; retrying on the next beat'))
      .finally(() => {
        this.rebuilding = null;
        if (this.lost && !this.closed) setTimeout(() => this.maybeRebuild(), this.config.instanceHeartbeatMs).unref();
      });
  }

  /**
   * Redis came back (perhaps empty after a restart): write back every session this instance owns
   * and its memberships (the scripts are idempotent), then re-read every room it follows and tell
   * local members what changed meanwhile.
   */
  private async rebuild(): Promise<void> {
    await this.register();
    for (const replica of this.replicas.values()) replica.buffer ??= [];
    for (const session of this.sessions.values()) {
      await this.cmd
        .multi()
        .hset(this.key(`session:${session.peerId}`), 'nonce', session.nonce, 'instance', this.instance, 'rooms', '', 'away', session.outlet ? '0' : '1')
        .sadd(this.key(`peers:${this.instance}`), session.peerId)
        .exec();
      for (const room of session.rooms) {
        const member = this.member(room, session.peerId);
        await this.scripts.pcJoin(
          this.key(`room:${room}`),
          this.key(`roomver:${room}`),
          this.key('seq'),
          this.key(`session:${session.peerId}`),
          room,
          session.peerId,
          member?.name ?? '',
          this.instance,
          // Back in a room it was in: never refused for capacity.
          Number.MAX_SAFE_INTEGER,
          this.presenceChannel,
        );
      }
    }
    for (const [room, replica] of this.replicas) {
      const [ver, flat] = await this.scripts.pcSnapshot(this.key(`room:${room}`), this.key(`roomver:${room}`));
      const before = new Set(replica.members.map((m) => m.peerId));
      const after = this.parseMembers(flat);
      const afterIds = new Set(after.map((m) => m.peerId));
      for (const gone of replica.members) if (!afterIds.has(gone.peerId)) this.deliverLeft(room, gone.peerId, 'disconnect');
      replica.members = after;
      for (const member of after) if (!before.has(member.peerId)) this.deliverJoined(room, replica, member);
      replica.ver = -1;
      this.initReplica(room, replica, ver, flat);
    }
  }

  // ---- replicas ---------------------------------------------------------------------------------

  private track(room: string): Replica {
    let replica = this.replicas.get(room);
    if (!replica) {
      replica = { ver: -1, members: NO_MEMBERS, refs: 0, buffer: [], waiters: null };
      this.replicas.set(room, replica);
    }
    replica.refs += 1;
    return replica;
  }

  private untrack(room: string): void {
    const replica = this.replicas.get(room);
    if (!replica) return;
    replica.refs -= 1;
    if (replica.refs > 0) return;
    this.replicas.delete(room);
    for (const waiter of replica.waiters ?? []) waiter.resolve();
  }

  /** A snapshot at `ver`: the members, then the events held meanwhile that came after it. */
  private initReplica(room: string, replica: Replica, ver: number, flat: string[]): void {
    if (replica.buffer === null) return;
    replica.ver = Math.max(replica.ver, ver);
    if (replica.ver === ver) replica.members = this.parseMembers(flat);
    const held = replica.buffer;
    replica.buffer = null;
    for (const event of held) this.apply(room, replica, event);
    this.wake(replica);
  }

  /** Wait until the replica reflects version `ver` (the presence channel delivers it shortly). */
  private async caughtUp(room: string, replica: Replica, ver: number): Promise<void> {
    if (replica.ver >= ver) return;
    const reached = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CATCH_UP_MS);
      (replica.waiters ??= []).push({ ver, resolve: () => (clearTimeout(timer), resolve(true)) });
    });
    if (await reached) return;
    // The event was lost (a reconnect between): read the room again.
    replica.buffer = [];
    const [now, flat] = await this.scripts.pcSnapshot(this.key(`room:${room}`), this.key(`roomver:${room}`));
    replica.ver = -1;
    this.initReplica(room, replica, now, flat);
  }

  private wake(replica: Replica): void {
    const waiting = replica.waiters;
    if (waiting === null) return;
    const still = waiting.filter((waiter) => waiter.ver > replica.ver);
    replica.waiters = still.length > 0 ? still : null;
    for (const waiter of waiting) if (waiter.ver <= replica.ver) waiter.resolve();
  }

  private onPresence(event: PresenceEvent): void {
    const replica = this.replicas.get(event.r);
    if (!replica) return;
    if (replica.buffer !== null) replica.buffer.push(event);
    else this.apply(event.r, replica, event);
    this.wake(replica);
  }

  private apply(room: string, replica: Replica, event: PresenceEvent): void {
    if (event.v <= replica.ver) return;
    replica.ver = event.v;
    const members = replica.members;
    const index = members.findIndex((m) => m.peerId === event.p);
    if (event.k === 'leave') {
      if (index < 0) return;
      replica.members = members.length === 1 ? NO_MEMBERS : members.slice(0, index).concat(members.slice(index + 1));
      this.deliverLeft(room, event.p, event.why ?? 'leave');
      return;
    }
    const member = this.parseMember(event.p, event.m ?? '');
    if (index >= 0) {
      // A move, or a member re-added after a Redis restart: no news for the room.
      replica.members = members.slice(0, index).concat(member, members.slice(index + 1));
      return;
    }
    if (event.k !== 'join') return;
    // concat allocates exactly (push would leave spare slots in every replica).
    replica.members = members.concat(member).sort((a, b) => a.seq - b.seq);
    this.deliverJoined(room, replica, member);
  }

  /**
   * A member as Redis stores it (`seq|instance|name`). Its peer id is the local session's string when
   * the peer is connected here, and its instance id the one shared string: a replica member costs
   * an object, not three fresh strings.
   */
  private parseMember(peerId: string, stored: string): Member {
    const first = stored.indexOf('|');
    const second = stored.indexOf('|', first + 1);
    const instanceId = stored.slice(first + 1, second);
    let instance = this.instanceIds.get(instanceId);
    if (instance === undefined) {
      instance = instanceId;
      this.instanceIds.set(instance, instance);
    }
    const id = this.sessions.get(peerId)?.peerId ?? peerId;
    return { peerId: id, seq: Number(stored.slice(0, first)), instance, name: stored.slice(second + 1) };
  }

  private parseMembers(flat: string[]): readonly Member[] {
    if (flat.length === 0) return NO_MEMBERS;
    const members: Member[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) members.push(this.parseMember(flat[i] as string, flat[i + 1] as string));
    // A copy by slice is exactly sized (push leaves spare slots).
    return members.sort((a, b) => a.seq - b.seq).slice();
  }

  /** `peer-joined` to this instance's members of the room (the earlier members are polite toward the newcomer). */
  private deliverJoined(room: string, replica: Replica, member: Member): void {
    const frame = JSON.stringify({ type: 'peer-joined', room, peer: peerInfo(member, true) });
    for (const other of replica.members) {
      if (other.peerId === member.peerId) continue;
      const session = this.sessions.get(other.peerId);
      if (session?.rooms.includes(room)) this.deliver(session, frame);
    }
  }

  private deliverLeft(room: string, peerId: string, reason: 'leave' | 'disconnect' | 'timeout'): void {
    if (this.shuttingDown) return;
    const replica = this.replicas.get(room);
    if (!replica) return;
    const frame = JSON.stringify({ type: 'peer-left', room, peerId, reason });
    for (const other of replica.members) {
      if (other.peerId === peerId) continue;
      const session = this.sessions.get(other.peerId);
      if (session?.rooms.includes(room)) this.deliver(session, frame);
    }
  }

  /** To a local session's socket, unless its resume is still being set up (then after its welcome). */
  private deliver(session: Session, frame: Frame): void {
    const held = this.held.get(session.peerId);
    if (held) held.push(frame);
    else session.outlet?.send(frame);
  }

  private member(room: string, peerId: string): Member | undefined {
    const members = this.replicas.get(room)?.members;
    if (!members) return undefined;
    for (const member of members) if (member.peerId === peerId) return member;
    return undefined;
  }

  private sendJoined(session: Session, room: string, ref: Ref | undefined): void {
    const replica = this.replicas.get(room);
    const self = this.member(room, session.peerId);
    if (!replica || !self || !session.outlet) return;
    const peers: PeerInfo[] = [];
    for (const member of replica.members) {
      // `polite` is the receiver's role toward that peer: polite toward anyone who joined later.
      if (member !== self) peers.push(peerInfo(member, self.seq < member.seq));
    }
    const joined = { type: 'joined', room, self: session.peerId, peers, ...iceServersGrant(session.peerId, this.config), ...(ref === undefined ? {} : { ref }) };
    session.outlet.send(JSON.stringify(joined));
  }

  private refuse(session: Session, code: Parameters<typeof errorFrame>[0], message: string, ref: Ref | undefined): void {
    this.metrics.drop(code);
    session.outlet?.send(errorFrame(code, message, ref));
  }

  private unavailable(outlet: Outlet, error: unknown, ref: Ref | undefined): void {
    outlet.log('warn', { err: error }, 'redis call failed');
    this.metrics.drop('unavailable');
    outlet.send(errorFrame('unavailable', 'the server cannot reach its shared state; retry shortly', ref));
  }
}

function peerInfo(member: Member, polite: boolean): PeerInfo {
  return { id: member.peerId, name: member.name, polite };
}


/** First bytes of the messages on an instance's channel: a frame, a batch of frames, a takeover, an error for a sender. */
const F = 0x46;
const B = 0x42;
const T = 0x54;
const E = 0x45;
const NEWLINE = 0x0a;

/**
 * A batch leaves as soon as its frames reach this size (characters or bytes), not only when the
 * turn ends: a PUBLISH stays far below Redis's output buffer limit for subscribers (`pubsub` class:
 * 8 MiB soft, 32 MiB hard), each side allocates and copies buffers of a size the allocator reuses,
 * and the receiving instance starts on a busy turn's frames before the turn ends (a quick run at
 * P=500 W=32: p50 lower in four of four paired runs than without a limit).
 */
const FULL_BATCH = 64 * 1024;

/** The frames for one instance so far in this turn, and their size. */
interface Batch {
  frames: Outgoing[];
  size: number;
}

/** A directed frame waiting for the end of the event-loop turn (see `flushOutbox`). */
interface Outgoing {
  to: string;
  /** The sender's peer id (a session of this instance). */
  from: string;
  ref: Ref | undefined;
  frame: string | Buffer;
  /** For the relay latency metric; negative when not measured. */
  startedAt: number;
}

/**
 * `F` to, from, sender's instance, ref (JSON or empty), then the frame: one line each (ids and JSON
 * hold no newline, and a newline byte never occurs inside a multi-byte UTF-8 character). A frame
 * held as bytes stays bytes.
 */
function directEnvelope(to: string, from: string, fromInstance: string, ref: Ref | undefined, frame: string | Buffer): string | Buffer {
  const header = envelopeHeader(to, from, fromInstance, ref);
  return typeof frame === 'string' ? header + frame : Buffer.concat([Buffer.from(header), frame]);
}

function envelopeHeader(to: string, from: string, fromInstance: string, ref: Ref | undefined): string {
  return `F\n${to}\n${from}\n${fromInstance}\n${ref === undefined ? '' : JSON.stringify(ref)}\n`;
}

const outgoingEnvelope = (m: Outgoing, fromInstance: string) => directEnvelope(m.to, m.from, fromInstance, m.ref, m.frame);

/**
 * `B`, then each frame's `F` envelope behind its length in bytes: `B\n<length>\n<F envelope><length>\n<F
 * envelope>…`. Length-prefixed rather than separated, so that nothing inside an envelope has to be
 * escaped or scanned for; written straight into one buffer (one copy of each frame).
 */
function batchEnvelope(batch: readonly Outgoing[], fromInstance: string): Buffer {
  const headers: string[] = [];
  const lengths: number[] = [];
  let total = 2;
  for (const m of batch) {
    const header = envelopeHeader(m.to, m.from, fromInstance, m.ref);
    const length = Buffer.byteLength(header) + (typeof m.frame === 'string' ? Buffer.byteLength(m.frame) : m.frame.length);
    headers.push(header);
    lengths.push(length);
    total += String(length).length + 1 + length;
  }
  const out = Buffer.allocUnsafe(total);
  out[0] = B;
  out[1] = NEWLINE;
  let at = 2;
  for (let i = 0; i < batch.length; i++) {
    const frame = (batch[i] as Outgoing).frame;
    at += out.write(`${lengths[i] as number}\n${headers[i] as string}`, at);
    at += typeof frame === 'string' ? out.write(frame, at) : frame.copy(out, at);
  }
  return out;
}

/**
 * Start and end of each `F` envelope in a `B` batch, or null when it is not a well-formed one
 * (then none of it is delivered).
 */
function batchBounds(batch: Buffer): number[] | null {
  if (batch[1] !== NEWLINE) return null;
  const bounds: number[] = [];
  let at = 2;
  while (at < batch.length) {
    let length = 0;
    let digits = 0;
    for (; at < batch.length && batch[at] !== NEWLINE; at++) {
      const digit = (batch[at] as number) - 0x30;
      digits += 1;
      if (digit < 0 || digit > 9 || digits > 10) return null;
      length = length * 10 + digit;
    }
    const start = at + 1;
    const end = start + length;
    if (digits === 0 || end > batch.length || batch[start] !== F) return null;
    bounds.push(start, end);
    at = end;
  }
  return bounds.length > 0 ? bounds : null;
}

/** Where the frame starts in an `F` envelope whose first line ends at `toEnd` (-1 when a header line is missing). */
function headerEnd(envelope: Buffer, toEnd: number): number {
  let at = toEnd + 1;
  for (let i = 0; i < 3; i++) {
    const newline = envelope.indexOf(NEWLINE, at);
    if (newline < 0) return -1;
    at = newline + 1;
  }
  return at;
}

function parseEnvelope(envelope: string): { to: string; from: string; fromInstance: string; ref: Ref | undefined; frame: string } {
  const lines: string[] = [];
  let at = 2;
  for (let i = 0; i < 4; i++) {
    const end = envelope.indexOf('\n', at);
    lines.push(envelope.slice(at, end));
    at = end + 1;
  }
  const [to = '', from = '', fromInstance = '', ref = ''] = lines;
  return { to, from, fromInstance, ref: ref === '' ? undefined : (JSON.parse(ref) as Ref), frame: envelope.slice(at) };
}
