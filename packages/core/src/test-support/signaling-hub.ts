/**
 * An in-process signaling hub speaking the protocol subset core needs (hello/welcome with resume,
 * join/joined, peer-joined/left, leave/left, relay with a stamped `from`, typed errors), handing out
 * `WebSocketLike` objects. It lets core's tests run without the real server, which lives in another
 * package core must not depend on. Frames travel as JSON strings, asynchronously, in order.
 */
import type { WebSocketLike } from '../implementations.js';
import {
  parseClientMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ErrorCode,
  type IceServer,
  type PeerLeftReason,
  type ServerMessage,
} from '../protocol/index.js';

export interface SignalingHubOptions {
  resumeWindowMs?: number;
  maxMembers?: number;
  /** When set, `join` must carry exactly this ticket. */
  ticket?: string;
  mailboxLimit?: number;
  iceServers?: IceServer[];
  /** Sent as `iceServersTtlMs` with `joined` and `ice-servers` (credentials that expire). */
  iceServersTtlMs?: number;
  /** The id the hub gives its n-th session (default `peer<n>`); e.g. the protocol's longest, 64 characters. */
  peerId?: (n: number) => string;
}

interface Session {
  id: string;
  token: string;
  socket: HubSocket | null;
  rooms: Set<string>;
  mailbox: ServerMessage[];
  expiry: ReturnType<typeof setTimeout> | null;
}

interface Member {
  session: Session;
  name: string;
  order: number;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

class HubSocket implements WebSocketLike {
  readyState = CONNECTING;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  session: Session | null = null;

  constructor(
    readonly url: string,
    private readonly onFrame: (socket: HubSocket, data: string) => void,
    private readonly onGone: (socket: HubSocket) => void,
  ) {}

  open(): void {
    if (this.readyState !== CONNECTING) return;
    this.readyState = OPEN;
    this.onopen?.({});
  }

  send(data: string): void {
    if (this.readyState !== OPEN) throw new Error('socket is not open');
    // Frames sent before a close still arrive, as on a real connection.
    queueMicrotask(() => this.onFrame(this, data));
  }

  /** Server → client. */
  deliver(message: ServerMessage): void {
    if (this.readyState !== OPEN) return;
    const data = JSON.stringify(message);
    queueMicrotask(() => this.readyState === OPEN && this.onmessage?.({ data }));
  }

  close(code = 1000, reason = ''): void {
    this.end(this.readyState === OPEN ? code : 1006, reason);
  }

  /** Ends the connection from either side; the client sees `onclose` asynchronously. */
  end(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.onGone(this);
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }
}

export class SignalingHub {
  /** While true, new sockets fail to connect (the server looks unreachable). */
  refuseConnections = false;
  /** Every valid frame received, in order, with the sender's peer id (null before welcome). */
  readonly received: { from: string | null; message: ClientMessage }[] = [];

  private readonly sessions = new Map<string, Session>();
  private readonly rooms = new Map<string, Map<string, Member>>();
  private readonly sockets = new Set<HubSocket>();
  private nextId = 1;
  private iceServerGrants = 0;
  private nextOrder = 1;
  private readonly options: Required<Omit<SignalingHubOptions, 'ticket' | 'iceServersTtlMs' | 'peerId'>> &
    Pick<SignalingHubOptions, 'ticket' | 'iceServersTtlMs' | 'peerId'>;

  constructor(options: SignalingHubOptions = {}) {
    this.options = { resumeWindowMs: 5_000, maxMembers: 8, mailboxLimit: 32, iceServers: [], ...options };
  }

  /** Matches `Implementations.createWebSocket`. */
  readonly createWebSocket = (url: string): WebSocketLike => {
    const socket = new HubSocket(url, (s, data) => this.handle(s, data), (s) => this.gone(s));
    this.sockets.add(socket);
    queueMicrotask(() => (this.refuseConnections ? socket.end(1006, '') : socket.open()));
    return socket;
  };

  /** Drops every connection as a network loss would (1006, no close frame); identities stay resumable. */
  dropAll(): void {
    for (const socket of [...this.sockets]) socket.end(1006, '');
  }

  /** Peer ids currently members of `room`, in join order. */
  members(room: string): string[] {
    return [...(this.rooms.get(room)?.values() ?? [])].sort((a, b) => a.order - b.order).map((m) => m.session.id);
  }

  get openSockets(): number {
    return [...this.sockets].filter((s) => s.readyState === OPEN).length;
  }

  /**
   * A server restart that keeps identities (the real server with a fixed `--session-secret`): every
   * socket drops, rooms and mailboxes are forgotten, but resume tokens are still honoured, with
   * `rooms: []` in the welcome.
   */
  restart(): void {
    this.dropAll();
    for (const session of this.sessions.values()) {
      if (session.expiry) clearTimeout(session.expiry);
      session.expiry = null;
      session.rooms.clear();
      session.mailbox = [];
    }
    this.rooms.clear();
  }

  /** Ends every socket and timer. */
  close(): void {
    this.dropAll();
    for (const session of this.sessions.values()) if (session.expiry) clearTimeout(session.expiry);
    this.sessions.clear();
    this.rooms.clear();
  }

  private handle(socket: HubSocket, data: string): void {
    const parsed = parseClientMessage(data);
    if (!parsed.ok) return socket.deliver({ type: 'error', ...parsed.error });
    const message = parsed.message;
    this.received.push({ from: socket.session?.id ?? null, message });
    const fail = (code: ErrorCode, text: string) =>
      socket.deliver(message.ref === undefined ? { type: 'error', code, message: text } : { type: 'error', code, message: text, ref: message.ref });

    if (message.type === 'hello') {
      if (socket.session) return fail('already-greeted', 'already greeted');
      if (message.v !== PROTOCOL_VERSION) return fail('unsupported-version', `unsupported version ${message.v}`);
      return this.greet(socket, message.resume);
    }
    const session = socket.session;
    if (!session) return fail('hello-required', 'send hello first');
    if (message.type === 'refresh-ice-servers') {
      this.iceServerGrants++;
      return socket.deliver({ type: 'ice-servers', ...this.iceServersGrant(), ...(message.ref === undefined ? {} : { ref: message.ref }) });
    }
    const members = this.rooms.get(message.room);
    const self = members?.get(session.id);

    switch (message.type) {
      case 'join': {
        if (this.options.ticket !== undefined && message.ticket !== this.options.ticket) {
          return fail('unauthorized', 'this room needs a valid ticket');
        }
        const room = members ?? new Map<string, Member>();
        if (!self && room.size >= this.options.maxMembers) return fail('room-full', 'the room is full');
        this.rooms.set(message.room, room);
        const member = self ?? { session, name: message.name ?? '', order: this.nextOrder++ };
        room.set(session.id, member);
        session.rooms.add(message.room);
        this.sendJoined(session, message.room);
        if (!self) {
          for (const other of room.values()) {
            if (other === member) continue;
            this.send(other.session, { type: 'peer-joined', room: message.room, peer: { id: session.id, name: member.name, polite: true } });
          }
        }
        return;
      }
      case 'leave':
        if (!self) return fail('not-in-room', 'not in that room');
        this.removeMember(session, message.room, 'leave');
        return socket.deliver({ type: 'left', room: message.room });
      default: {
        if (!self || !members) return fail('not-in-room', 'not in that room');
        const target = members.get(message.to);
        if (!target) return fail('unknown-peer', 'no such peer in that room');
        const { to: _to, ref: _ref, ...rest } = message;
        if (!this.send(target.session, { ...rest, from: session.id } as ServerMessage)) {
          fail('undeliverable', 'the peer is away and its mailbox is full');
        }
      }
    }
  }

  private greet(socket: HubSocket, resume: string | undefined): void {
    const previous = resume ? [...this.sessions.values()].find((s) => s.token === resume) : undefined;
    const session: Session = previous ?? {
      id: this.options.peerId?.(this.nextId++) ?? `peer${this.nextId++}`,
      token: `token-${Math.random().toString(36).slice(2)}`,
      socket: null,
      rooms: new Set(),
      mailbox: [],
      expiry: null,
    };
    if (session.expiry) clearTimeout(session.expiry);
    session.expiry = null;
    session.socket?.end(4004, 'replaced');
    session.socket = socket;
    socket.session = session;
    this.sessions.set(session.id, session);
    socket.deliver({
      type: 'welcome',
      v: PROTOCOL_VERSION,
      peerId: session.id,
      resumeToken: session.token,
      resumed: previous !== undefined,
      resumeWindowMs: this.options.resumeWindowMs,
      rooms: previous ? [...session.rooms] : [],
    });
    if (!previous) return;
    for (const room of session.rooms) this.sendJoined(session, room);
    for (const message of session.mailbox.splice(0)) socket.deliver(message);
  }

  private sendJoined(session: Session, room: string): void {
    const members = this.rooms.get(room);
    const self = members?.get(session.id);
    if (!members || !self) return;
    const peers = [...members.values()]
      .filter((m) => m !== self)
      .sort((a, b) => a.order - b.order)
      // Whoever joined earlier is polite toward the other.
      .map((m) => ({ id: m.session.id, name: m.name, polite: self.order < m.order }));
    this.send(session, { type: 'joined', room, self: session.id, peers, ...this.iceServersGrant() });
  }

  /** After N renewals the credential reads `credential#N`, so tests can tell a renewed one from the first. */
  private iceServersGrant(): { iceServers: IceServer[]; iceServersTtlMs?: number } {
    const { iceServers, iceServersTtlMs } = this.options;
    const grant = this.iceServerGrants;
    const fresh = iceServers.map((server) => (server.credential === undefined || grant === 0 ? server : { ...server, credential: `${server.credential}#${grant}` }));
    return iceServersTtlMs === undefined ? { iceServers: fresh } : { iceServers: fresh, iceServersTtlMs };
  }

  /** Delivers now, or keeps it in the mailbox while the session is away; false when the mailbox is full. */
  private send(session: Session, message: ServerMessage): boolean {
    if (session.socket) {
      session.socket.deliver(message);
      return true;
    }
    if (session.mailbox.length >= this.options.mailboxLimit) return false;
    session.mailbox.push(message);
    return true;
  }

  private removeMember(session: Session, room: string, reason: PeerLeftReason): void {
    const members = this.rooms.get(room);
    if (!members?.delete(session.id)) return;
    session.rooms.delete(room);
    if (members.size === 0) this.rooms.delete(room);
    for (const other of members.values()) this.send(other.session, { type: 'peer-left', room, peerId: session.id, reason });
  }

  private gone(socket: HubSocket): void {
    this.sockets.delete(socket);
    const session = socket.session;
    if (!session || session.socket !== socket) return;
    session.socket = null;
    session.expiry = setTimeout(() => {
      for (const room of [...session.rooms]) this.removeMember(session, room, 'disconnect');
      this.sessions.delete(session.id);
    }, this.options.resumeWindowMs);
  }
}
