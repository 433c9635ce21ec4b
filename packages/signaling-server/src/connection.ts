import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ErrorCode,
  type JoinMessage,
  type Ref,
  parseClientMessage,
} from '@peerchart/core/protocol';
import type { ServerConfig } from './config.js';
import { CLOSE_REASONS, errorFrame } from './errors.js';
import type { ReceivedFrame } from './frames.js';
import { TokenBucket } from './limits.js';
import { LATENCY_SAMPLE_EVERY, type ServerMetrics } from './metrics.js';
import type { AwayReason, Frame, LogLevel, Outlet, Session, SignalingRelay } from './relay.js';
import type { TicketVerifier } from './tickets.js';

type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** What every connection of one app shares (one object for all of them, not one per socket). */
export interface ConnectionDeps {
  config: ServerConfig;
  relay: SignalingRelay;
  metrics: ServerMetrics;
  tickets: TicketVerifier | undefined;
  /** The app's logger; a connection's lines carry `reqId`, `conn` and `peer` as fields. */
  logger: FastifyBaseLogger;
  /** Per-frame lines (type only, never bodies) exist at debug and below. */
  logFrames: boolean;
  /** Called once when the socket has closed, to forget it. */
  onClosed: (connection: Connection) => void;
}

/** Where a connection came from: the upgrade's request id and a per-app connection number, for the logs. */
export interface ConnectionOrigin {
  reqId: string;
  conn: number;
  /** The TCP socket under the WebSocket, corked while a tick's frames to it are queued. */
  tcp: Socket;
}

/** Stands for a binary frame in the backlog (refused in its turn, so replies keep the frames' order). */
const BINARY = Symbol('binary frame') as unknown as string;

/** ws sends a Buffer as a binary frame unless told otherwise; every frame of this protocol is text. */
const TEXT_FRAME = { binary: false } as const;

/** The connection a `ws` socket belongs to; lets the socket's listeners be shared functions, not closures per socket. */
const CONNECTION = Symbol('peerchart.connection');
type OwnedSocket = WebSocket & { [CONNECTION]?: Connection };

function onMessage(this: OwnedSocket, data: RawData, isBinary: boolean): void {
  this[CONNECTION]?.onFrame(data, isBinary);
}
function onPong(this: OwnedSocket): void {
  const connection = this[CONNECTION];
  if (connection) connection.alive = true;
}
function onClose(this: OwnedSocket, code: number): void {
  this[CONNECTION]?.onClose(code);
}
// Socket errors (oversized frame, bad UTF-8, reset) are the client's; ws has already closed the socket.
function onError(this: OwnedSocket, error: Error): void {
  const connection = this[CONNECTION];
  if (!connection) return;
  connection.sentCloseCode ??= closeCodeOf(error);
  connection.log('debug', { err: error }, 'websocket error');
}

/**
 * The close code ws sent for a protocol error (1007 invalid UTF-8, 1009 too big, 1002 ...): ws keeps
 * it on the error under a private symbol; the `close` event then reports 1006 (no close frame came back).
 */
function closeCodeOf(error: Error): number | undefined {
  const symbol = Object.getOwnPropertySymbols(error).find((s) => s.description === 'status-code');
  const code = symbol === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[symbol];
  return typeof code === 'number' ? code : undefined;
}

/** The deepest `app.data` nesting relayed; deeper is `invalid-message` (serializing it would exhaust the stack). */
export const MAX_APP_DATA_DEPTH = 64;

/** Whether `value` nests arrays/objects deeper than `max` levels (iterative: no recursion on client input). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Sockets with frames queued during the current tick. Frames are written when the tick ends, so
 * that the frames a single read produced for one receiver leave in one `writev` instead of one
 * system call each; the frame still leaves before any other I/O is handled.
 */
let corked: Connection[] = [];

function flushCorked(): void {
  const batch = corked;
  corked = [];
  for (const connection of batch) {
    try {
      connection.flush();
    } catch (error) {
      connection.log('error', { err: error }, 'error while writing frames');
    }
  }
}

/**
 * One WebSocket's lifecycle: rate limit, validation, dispatch to the relay, heartbeat and close.
 * Every frame is handled inside a try/catch, so one socket's fault never reaches the process.
 * Kept small: one of these lives as long as its socket, and idle sockets are the common case.
 */
export class Connection implements Outlet {
  private session: Session | null = null;
  /** The identity's id once greeted; stays for the logs after the identity went away. */
  private peerId: string | undefined = undefined;
  private readonly bucket: TokenBucket;
  private invalidFrames = 0;
  /** True while an async step (ticket check, a shared-registry call) runs; frames arriving meanwhile wait in `backlog`, in order. */
  private pending = false;
  private backlog: string[] | null = null;
  private closed = false;
  private corked = false;
  private awayReason: AwayReason = 'disconnect';
  private frameCount = 0;
  /** The close code this server sent (its own close, or ws's on a protocol error), counted in metrics. */
  sentCloseCode: number | undefined = undefined;
  /** Set by a pong or any frame; the heartbeat terminates a socket that stayed silent for a whole interval. */
  alive = true;
  private readonly reqId: string;
  private readonly conn: number;
  /** The TCP socket under the WebSocket. */
  readonly tcp: Socket;

  constructor(
    private readonly ws: WebSocket,
    origin: ConnectionOrigin,
    private readonly deps: ConnectionDeps,
  ) {
    const { limits } = deps.config;
    this.reqId = origin.reqId;
    this.conn = origin.conn;
    this.tcp = origin.tcp;
    this.bucket = new TokenBucket(limits.ratePerSecond, limits.rateBurst);
    (ws as OwnedSocket)[CONNECTION] = this;
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    ws.on('error', onError);
  }

  /**
   * Log a line about this connection. Its identity goes in as fields rather than through a pino
   * child per socket: a child logger costs about a kilobyte for as long as the socket lives.
   */
  log(level: LogLevel, fields: Record<string, unknown>, message: string): void {
    this.deps.logger[level]({ reqId: this.reqId, conn: this.conn, peer: this.peerId, ...fields }, message);
  }

  /** Queue a serialized frame; it is written when the tick ends (false if the socket is closed). */
  send(frame: Frame): boolean {
    if (this.closed) return false;
    if (!this.corked) {
      this.corked = true;
      this.tcp.cork();
      if (corked.push(this) === 1) process.nextTick(flushCorked);
    }
    this.ws.send(frame, TEXT_FRAME);
    return true;
  }

  /** Write what this tick queued; a socket whose outgoing buffer stays past the limit is closed 4002. */
  flush(): void {
    this.corked = false;
    this.tcp.uncork();
    if (this.closed || this.ws.bufferedAmount <= this.deps.config.limits.slowConsumerBytes) return;
    this.deps.metrics.drop('slow-consumer');
    this.close(CLOSE_CODES.slowConsumer);
  }

  replace(): void {
    this.session = null; // the identity now belongs to the newer socket
    this.close(CLOSE_CODES.replaced);
  }

  /** Close with a protocol close code; the identity goes away (resumable) at once. */
  close(code: CloseCode): void {
    if (this.closed) return;
    this.closed = true;
    this.sentCloseCode = code;
    this.log('info', { code }, 'closing connection');
    this.detach();
    this.ws.close(code, CLOSE_REASONS[code as keyof typeof CLOSE_REASONS] ?? '');
  }

  /** Heartbeat tick: terminate if nothing was heard since the last one, else ping. */
  heartbeat(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.log('info', {}, 'heartbeat lost, terminating');
      this.awayReason = 'timeout';
      this.closed = true;
      this.detach();
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  onFrame(data: RawData, isBinary: boolean): void {
    this.alive = true;
    if (this.closed) return;
    try {
      if (!this.bucket.take()) {
        this.rateLimited();
        return;
      }
      const text = isBinary ? BINARY : data.toString();
      if (this.pending) {
        const backlog = (this.backlog ??= []);
        if (backlog.length >= this.deps.config.limits.rateBurst) this.rateLimited();
        else backlog.push(text);
        return;
      }
      this.handle(text, Buffer.isBuffer(data) && !isBinary ? { text, bytes: data } : undefined);
    } catch (error) {
      this.fault(error);
    }
  }

  private handle(text: string, received?: ReceivedFrame): void {
    if (text === BINARY) {
      this.invalid('invalid-json', 'binary frames are not accepted; send JSON text', undefined);
      return;
    }
    const startedAt = ++this.frameCount % LATENCY_SAMPLE_EVERY === 0 ? performance.now() : -1;
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.invalid(parsed.error.code, parsed.error.message, parsed.error.ref);
      return;
    }
    const message = parsed.message;
    this.deps.metrics.message(message.type);
    if (this.deps.logFrames) this.log('debug', { type: message.type }, 'frame');
    const session = this.session;
    if (message.type === 'hello') {
      this.hello(message.v, message.resume, message.ref);
      return;
    }
    if (!session) {
      this.invalid('hello-required', 'send hello first', message.ref);
      return;
    }
    this.dispatch(session, message, startedAt, received);
  }

  private dispatch(
    session: Session,
    message: Exclude<ClientMessage, { type: 'hello' }>,
    startedAt: number,
    received: ReceivedFrame | undefined,
  ): void {
    const relay = this.deps.relay;
    switch (message.type) {
      case 'join':
        if (this.deps.tickets) this.checkTicketThenJoin(session, message);
        else this.await(relay.join(session, message));
        return;
      case 'leave':
        this.await(relay.leave(session, message.room, message.ref));
        return;
      case 'refresh-ice-servers':
        relay.refreshIceServers(session, message.ref);
        return;
      case 'app':
        if (nestedDeeperThan(message.data, MAX_APP_DATA_DEPTH)) {
          this.invalid('invalid-message', `app data nests deeper than ${MAX_APP_DATA_DEPTH} levels`, message.ref);
          return;
        }
        relay.relay(session, message, startedAt, received);
        return;
      default:
        relay.relay(session, message, startedAt, received);
    }
  }

  private hello(version: number, resume: string | undefined, ref: Ref | undefined): void {
    if (this.session || this.pending) {
      this.invalid('already-greeted', 'hello was already answered on this socket', ref);
      return;
    }
    if (version !== PROTOCOL_VERSION) {
      this.invalid('unsupported-version', `this server speaks protocol version ${PROTOCOL_VERSION}`, ref);
      return;
    }
    const greeted = this.deps.relay.greet(this, resume, ref);
    if (greeted instanceof Promise) this.await(greeted.then((session) => this.greeted(session)));
    else this.greeted(greeted);
  }

  private greeted(session: Session | undefined): void {
    if (!session) return;
    this.peerId = session.peerId;
    if (this.closed) {
      // The socket went while the identity was being looked up: it is away from the start.
      this.deps.relay.disconnected(session, this, this.awayReason);
      return;
    }
    this.session = session;
    this.log('info', {}, 'greeted');
  }

  /** Hold later frames back while an async step runs, so they are handled in order. */
  private await(step: void | Promise<void>): void {
    if (!(step instanceof Promise)) return;
    this.pending = true;
    void step
      .catch((error: unknown) => this.fault(error))
      .finally(() => {
        this.pending = false;
        this.drainBacklog();
      });
  }

  /** Ticket verification is async: hold later frames back so they are handled in order. */
  private checkTicketThenJoin(session: Session, message: JoinMessage): void {
    const tickets = this.deps.tickets as TicketVerifier;
    this.await(
      tickets.check(message.ticket, message.room).then((check) => {
        if (this.closed || this.session !== session) return;
        if (check.ok) return this.deps.relay.join(session, message);
        this.log('info', { room: message.room, reason: check.reason }, 'join refused: ticket');
        this.deps.metrics.drop('unauthorized');
        this.send(errorFrame('unauthorized', `join ticket ${check.reason}`, message.ref));
      }),
    );
  }

  private drainBacklog(): void {
    // handle() may start another ticket check; the rest then waits for it, still in order.
    const backlog = this.backlog;
    while (!this.pending && !this.closed && backlog !== null && backlog.length > 0) {
      const next = backlog.shift() as string;
      try {
        this.handle(next);
      } catch (error) {
        this.fault(error);
      }
    }
  }

  private rateLimited(): void {
    this.deps.metrics.drop('rate-limited');
    if (this.bucket.strikes >= this.deps.config.limits.rateLimitStrikes) {
      this.close(CLOSE_CODES.rateLimitAbuse);
      return;
    }
    this.send(errorFrame('rate-limited', 'too many frames; this one was dropped'));
  }

  private invalid(code: ErrorCode, message: string, ref: Ref | undefined): void {
    this.deps.metrics.drop(code);
    this.send(errorFrame(code, message, ref));
    if (++this.invalidFrames >= this.deps.config.limits.invalidFrameStrikes) this.close(CLOSE_CODES.protocolAbuse);
  }

  /** A bug of ours while handling a frame: answer `internal`, keep the socket. */
  private fault(error: unknown): void {
    this.log('error', { err: error }, 'error while handling a frame');
    this.deps.metrics.drop('internal');
    this.send(errorFrame('internal', 'internal error; the frame was dropped'));
  }

  private detach(): void {
    const session = this.session;
    this.session = null;
    if (session) this.deps.relay.disconnected(session, this, this.awayReason);
  }

  onClose(code: number): void {
    this.closed = true;
    this.backlog = null;
    try {
      this.detach();
    } catch (error) {
      this.log('error', { err: error }, 'error while detaching a closed socket');
    }
    this.deps.metrics.closed(this.sentCloseCode ?? code);
    this.log('info', { code }, 'connection closed');
    this.deps.onClosed(this);
  }

  /** Graceful shutdown: close 1001 (the relay, already shutting down, sends no presence updates). */
  goingAway(onClosed: () => void): void {
    if (this.ws.readyState === this.ws.CLOSED) onClosed();
    else this.ws.once('close', () => onClosed());
    this.close(CLOSE_CODES.goingAway);
  }

  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}
