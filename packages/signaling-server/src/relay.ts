import {
  PROTOCOL_VERSION,
  type DirectedMessage,
  type JoinMessage,
  type PeerInfo,
  type PeerLeftReason,
  type Ref,
} from '@peerchart/core/protocol';
import type { ServerConfig } from './config.js';
import { errorFrame } from './errors.js';
import { relayedFrame, type ReceivedFrame } from './frames.js';
import type { ServerMetrics } from './metrics.js';
import type { RoomMember, RoomRegistry } from './registry/types.js';
import { randomId, ResumeTokens } from './tokens.js';
import { iceServersGrant } from './turn.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A serialized frame: text, or its UTF-8 bytes (always sent as a text frame). */
export type Frame = string | Buffer;

/** What the relay needs from a socket: send a serialized frame (false if it could not). */
export interface Outlet {
  send(frame: Frame): boolean;
  /** Close a socket whose identity moved to a newer socket (4004). */
  replace(): void;
  /** Log a line tagged with the socket's identity. */
  log(level: LogLevel, fields: Record<string, unknown>, message: string): void;
}

/** Why an identity's socket went away; becomes the `peer-left` reason if the resume window lapses. */
export type AwayReason = Extract<PeerLeftReason, 'disconnect' | 'timeout'>;

/** An identity (peer id + memberships) that outlives one socket for the resume window. */
export class Session {
  /**
   * The rooms this identity is in, in join order. Replaced, never changed (so it can be iterated
   * while rooms are left) and exactly sized: a Set costs ~0.2 KB per identity, this a few words.
   */
  rooms: readonly string[] = NO_ROOMS;
  /**
   * Serialized frames addressed to this peer while it is away, delivered in order on resume. Kept as
   * strings: a small Buffer is a view into an 8 KB pool slab, which it would keep alive for the whole
   * resume window (64 of them per away peer could hold 512 KB).
   */
  mailbox: string[] | null = null;
  outlet: Outlet | null;
  awayTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly peerId: string,
    /** The nonce of the one resume token that currently names this identity. */
    public nonce: string,
    outlet: Outlet | null,
  ) {
    this.outlet = outlet;
  }
}

export const NO_ROOMS: readonly string[] = Object.freeze([]);

/** What a socket's connection needs from a relay, whichever registry backs it. */
export interface SignalingRelay {
  /** `hello`: a fresh identity, or the one the resume token names (undefined: refused, the error was sent). */
  greet(outlet: Outlet, resumeToken: string | undefined, ref: Ref | undefined): Session | Promise<Session | undefined>;
  join(session: Session, message: JoinMessage): void | Promise<void>;
  leave(session: Session, room: string, ref: Ref | undefined): void | Promise<void>;
  relay(session: Session, message: DirectedMessage, startedAt: number, received?: ReceivedFrame): void;
  refreshIceServers(session: Session, ref: Ref | undefined): void;
  disconnected(session: Session, outlet: Outlet, reason: AwayReason): void;
  /** Stop presence updates and timers: every socket is about to close with 1001. */
  shutdown(): void;
  /** Release what the relay holds outside the process (Redis connections); after the sockets closed. */
  close(): Promise<void>;
  /** False while the shared state is unreachable (readiness 503). */
  readonly ready: boolean;
  readonly awayCount: number;
  readonly roomCount: number;
}

/** The `welcome` frame. */
export function welcomeFrame(config: ServerConfig, session: Session, token: string, resumed: boolean, rooms: readonly string[], ref: Ref | undefined): string {
  return JSON.stringify({
    type: 'welcome',
    v: PROTOCOL_VERSION,
    peerId: session.peerId,
    resumeToken: token,
    resumed,
    resumeWindowMs: config.resumeWindowMs,
    rooms,
    ...(ref === undefined ? {} : { ref }),
  });
}

/** How long a restored token's nonce is remembered, so that a token works once after a restart too. */
const USED_NONCE_MS = 24 * 60 * 60 * 1000;

/**
 * Room-scoped routing in one process: identities, presence, relay of directed messages, mailboxes
 * and resume. Membership lives in the `RoomRegistry`; everything else about a peer lives in its `Session`.
 */
export class Relay implements SignalingRelay {
  private readonly sessions = new Map<string, Session>();
  /** Nonces of tokens honoured without a session (issued before a restart), with when they may be forgotten. */
  private readonly usedNonces = new Map<string, number>();
  private readonly tokens: ResumeTokens;
  /** This process's epoch: a token of this epoch without a session names an identity that ended. */
  private readonly epoch = randomId(6);
  private shuttingDown = false;
  readonly ready = true;

  constructor(
    private readonly config: ServerConfig,
    private readonly registry: RoomRegistry,
    private readonly metrics: ServerMetrics,
  ) {
    this.tokens = new ResumeTokens(config.sessionSecret);
  }

  get awayCount(): number {
    let away = 0;
    for (const session of this.sessions.values()) if (session.outlet === null) away += 1;
    return away;
  }

  get roomCount(): number {
    return this.registry.roomCount;
  }

  greet(outlet: Outlet, resumeToken: string | undefined, ref: Ref | undefined): Session {
    const claims = resumeToken !== undefined && this.config.resumeWindowMs > 0 ? this.tokens.verify(resumeToken) : undefined;
    let resumed: Session | undefined;
    let restored = false;
    if (claims) {
      const existing = this.sessions.get(claims.peerId);
      if (existing) {
        if (existing.nonce === claims.nonce) resumed = existing;
      } else if (claims.epoch !== this.epoch && this.rememberNonce(claims.nonce)) {
        // Issued before a restart (same session secret): the identity comes back, its rooms do not.
        resumed = new Session(claims.peerId, claims.nonce, null);
        this.sessions.set(resumed.peerId, resumed);
        restored = true;
      }
    }
    const session = resumed ?? this.createSession(outlet);
    const { token, nonce } = this.tokens.issue(session.peerId, this.epoch);
    session.nonce = nonce;
    if (resumed) {
      clearTimeout(resumed.awayTimer);
      resumed.awayTimer = undefined;
      const previous = resumed.outlet;
      resumed.outlet = outlet;
      // An old socket still open (e.g. half-open TCP) loses the identity to the new one.
      previous?.replace();
    }
    const rooms = resumed && !restored ? resumed.rooms : NO_ROOMS;
    outlet.send(welcomeFrame(this.config, session, token, resumed !== undefined, rooms, ref));
    if (resumed) {
      for (const room of rooms) this.sendJoined(resumed, room, undefined);
      const mailbox = resumed.mailbox ?? [];
      resumed.mailbox = null;
      for (const frame of mailbox) outlet.send(frame);
    }
    return session;
  }

  /** Record a restored token's nonce; false if it was used already. */
  private rememberNonce(nonce: string): boolean {
    const now = Date.now();
    for (const [used, until] of this.usedNonces) {
      if (until > now) break; // insertion order is expiry order
      this.usedNonces.delete(used);
    }
    if (this.usedNonces.has(nonce)) return false;
    this.usedNonces.set(nonce, now + USED_NONCE_MS);
    return true;
  }

  private createSession(outlet: Outlet): Session {
    let peerId = randomId(12);
    while (this.sessions.has(peerId)) peerId = randomId(12);
    const session = new Session(peerId, '', outlet);
    this.sessions.set(peerId, session);
    return session;
  }

  join(session: Session, message: JoinMessage): void {
    const { room, ref } = message;
    if (!session.rooms.includes(room)) {
      if (session.rooms.length >= this.config.limits.roomsPerSocket) {
        this.refuse(session, 'too-many-rooms', `already in ${session.rooms.length} rooms (the maximum)`, ref);
        return;
      }
      const outcome = this.registry.join(room, session.peerId, message.name ?? '', this.config.limits.membersPerRoom);
      if (!outcome.ok) {
        this.refuse(session, 'room-full', `room ${room} already has ${this.config.limits.membersPerRoom} members`, ref);
        return;
      }
      session.rooms = session.rooms.concat(room); // concat allocates exactly; spread and push leave spare slots
      session.outlet?.log('info', { room }, 'joined room');
      // The members already there joined earlier: each is the polite side toward the newcomer.
      const frame = JSON.stringify({ type: 'peer-joined', room, peer: this.peerInfo(outcome.member, true) });
      for (const peer of outcome.peers) this.sessions.get(peer.peerId)?.outlet?.send(frame);
    }
    // Joining a room one is already in is idempotent: the current state is sent again.
    this.sendJoined(session, room, ref);
  }

  leave(session: Session, room: string, ref: Ref | undefined): void {
    if (!session.rooms.includes(room)) {
      this.refuse(session, 'not-in-room', `not a member of room ${room}`, ref);
      return;
    }
    this.removeFromRoom(session, room, 'leave');
    session.outlet?.send(JSON.stringify(ref === undefined ? { type: 'left', room } : { type: 'left', room, ref }));
  }

  /** Relay a directed message to a member of the same room, stamping `from`. `received` is the frame it was parsed from. */
  relay(session: Session, message: DirectedMessage, startedAt: number, received?: ReceivedFrame): void {
    const { room, to } = message;
    if (!session.rooms.includes(room)) {
      this.refuse(session, 'not-in-room', `not a member of room ${room}`, message.ref);
      return;
    }
    const target = this.registry.member(room, to) && this.sessions.get(to);
    if (!target) {
      this.refuse(session, 'unknown-peer', `no peer ${to} in room ${room}`, message.ref);
      return;
    }
    const frame = relayedFrame(message, session.peerId, received);
    const outlet = target.outlet;
    if (outlet) {
      outlet.send(frame);
      if (startedAt >= 0) this.metrics.relayLatency(startedAt);
      return;
    }
    const mailbox = (target.mailbox ??= []);
    if (mailbox.length >= this.config.limits.mailboxSize) {
      this.refuse(session, 'undeliverable', `peer ${to} is away and its mailbox is full`, message.ref);
      return;
    }
    mailbox.push(typeof frame === 'string' ? frame : frame.toString());
  }

  /** The socket is gone: keep the identity for the resume window, then remove it from its rooms. */
  disconnected(session: Session, outlet: Outlet, reason: AwayReason): void {
    if (session.outlet !== outlet) return; // already replaced by a resumed socket
    session.outlet = null;
    if (this.shuttingDown) return;
    if (this.config.resumeWindowMs === 0) {
      this.expire(session, reason);
      return;
    }
    session.awayTimer = setTimeout(() => {
      try {
        this.expire(session, reason);
      } catch (error) {
        outlet.log('error', { err: error }, 'error while expiring an identity');
      }
    }, this.config.resumeWindowMs);
    session.awayTimer.unref();
  }

  private expire(session: Session, reason: AwayReason): void {
    session.awayTimer = undefined;
    if (session.mailbox && session.mailbox.length > 0) this.metrics.drop('mailbox-expired', session.mailbox.length);
    session.mailbox = null;
    for (const room of session.rooms) this.removeFromRoom(session, room, reason);
    this.sessions.delete(session.peerId);
  }

  /** Stop presence updates and timers: every socket is about to close with 1001. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const session of this.sessions.values()) clearTimeout(session.awayTimer);
  }

  async close(): Promise<void> {}

  private removeFromRoom(session: Session, room: string, reason: PeerLeftReason): void {
    const index = session.rooms.indexOf(room);
    if (index >= 0) session.rooms = session.rooms.slice(0, index).concat(session.rooms.slice(index + 1));
    if (!this.registry.leave(room, session.peerId)) return;
    const frame = JSON.stringify({ type: 'peer-left', room, peerId: session.peerId, reason });
    for (const member of this.registry.members(room)) this.sessions.get(member.peerId)?.outlet?.send(frame);
  }

  private sendJoined(session: Session, room: string, ref: Ref | undefined): void {
    const self = this.registry.member(room, session.peerId);
    if (!self || !session.outlet) return;
    const peers: PeerInfo[] = [];
    for (const member of this.registry.members(room)) {
      // `polite` is the receiver's role toward that peer: polite toward anyone who joined later.
      if (member !== self) peers.push(this.peerInfo(member, self.seq < member.seq));
    }
    const joined = {
      type: 'joined',
      room,
      self: session.peerId,
      peers,
      ...iceServersGrant(session.peerId, this.config),
      ...(ref === undefined ? {} : { ref }),
    };
    session.outlet.send(JSON.stringify(joined));
  }

  /** `refresh-ice-servers`: the same grant as `joined`, freshly minted, before the old one expires. */
  refreshIceServers(session: Session, ref: Ref | undefined): void {
    const reply = { type: 'ice-servers', ...iceServersGrant(session.peerId, this.config), ...(ref === undefined ? {} : { ref }) };
    session.outlet?.send(JSON.stringify(reply));
  }

  private peerInfo(member: RoomMember, polite: boolean): PeerInfo {
    return { id: member.peerId, name: member.name, polite };
  }

  private refuse(session: Session, code: Parameters<typeof errorFrame>[0], message: string, ref: Ref | undefined): void {
    this.metrics.drop(code);
    session.outlet?.send(errorFrame(code, message, ref));
  }
}
