import { createReadStream, existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { validateConfig, type ServerConfig, type StaticMount } from './config.js';
import { Connection, type ConnectionDeps } from './connection.js';
import { ConnectionCounter } from './limits.js';
import { ServerMetrics } from './metrics.js';
import { MemoryRoomRegistry } from './registry/memory.js';
import { Relay, type SignalingRelay } from './relay.js';
import { connectRedisRelay } from './cluster/redis-relay.js';
import { TicketVerifier } from './tickets.js';

/** Log paths that may hold secrets or SDP (which carries IP addresses); censored at every level. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
  'ticket',
  '*.ticket',
  'sdp',
  '*.sdp',
  'candidate',
  '*.candidate',
  'resume',
  '*.resume',
  'resumeToken',
  '*.resumeToken',
];

export interface BuildOptions {
  /** Where logs go (default stdout); tests pass a stream to inspect them. */
  logStream?: DestinationStream;
}

/** What the app exposes beyond Fastify: state for tests and the CLI's shutdown sequence. */
export interface PeerchartHandle {
  readonly config: ServerConfig;
  /** The relay: in-memory, or Redis-backed (`registry: 'redis'`). */
  readonly relay: SignalingRelay;
  readonly metrics: ServerMetrics;
  /** Open WebSocket connections. */
  readonly connections: ReadonlySet<Connection>;
  /** Readiness turns 503 and new upgrades are refused; `close()` then closes every socket with 1001. */
  beginShutdown(): void;
  readonly draining: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    peerchart: PeerchartHandle;
  }
}

/** How long shutdown waits for clients to answer the 1001 close before cutting them off. */
export const SHUTDOWN_TIMEOUT_MS = 5_000;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The client IP a TCP socket holds a per-IP slot for (a property, so one shared 'close' listener can release it). */
const IP_SLOT = Symbol('peerchart.ipSlot');
type SlottedSocket = Socket & { [IP_SLOT]?: string };

/**
 * The upgrade's Origin policy: no Origin → `allowMissingOrigin`; `*` → any; a configured list →
 * exact match; nothing configured → same-origin (Origin host = Host header) or loopback.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, config: ServerConfig): boolean {
  if (origin === undefined) return config.allowMissingOrigin;
  if (config.origins.includes('*')) return true;
  const normalized = origin.toLowerCase().replace(/\/+$/, '');
  if (config.origins.length > 0) return config.origins.some((allowed) => allowed.toLowerCase().replace(/\/+$/, '') === normalized);
  let url: URL;
  try {
    url = new URL(normalized);
  } catch {
    return false; // e.g. the opaque origin "null"
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return LOOPBACK_HOSTS.has(url.hostname) || (host !== undefined && url.host === host.toLowerCase());
}

/** Build the server (routes, WebSocket endpoint, metrics); does not listen. */
export async function buildApp(config: ServerConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  validateConfig(config);
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    trustProxy: config.trustProxy,
    // Health routes answer during the drain (ready: 503 draining, live: 200), not Fastify's generic 503.
    return503OnClosing: false,
  });

  const connections = new Set<Connection>();
  let draining = false;
  // Assigned after metrics, which reads it lazily.
  let relay: SignalingRelay;
  const metrics = new ServerMetrics({
    connections: () => connections.size,
    rooms: () => relay.roomCount,
    awayPeers: () => relay.awayCount,
  });
  try {
    // With Redis, an unreachable server refuses to start (a clear error) rather than start not-ready.
    relay = config.registry === 'redis' ? await connectRedisRelay(config, metrics, app.log) : new Relay(config, new MemoryRoomRegistry(), metrics);
  } catch (error) {
    await app.close();
    throw error;
  }
  const tickets = config.ticketSecret === undefined ? undefined : new TicketVerifier(config.ticketSecret);
  const perIp = new ConnectionCounter(config.limits.connectionsPerIp);
  let connectionSeq = 0;
  /** Gives back the per-IP slot a TCP socket holds (once, whichever of upgrade failure or close comes first). */
  const releaseIpSlot = function (this: SlottedSocket) {
    const ip = this[IP_SLOT];
    this[IP_SLOT] = undefined;
    if (ip !== undefined) perIp.release(ip);
  };
  /** The HTTP response object of each upgrade in flight, to detach from its socket once upgraded. */
  const upgradeResponses = new WeakMap<IncomingMessage, ServerResponse>();

  const handle: PeerchartHandle = {
    config,
    relay,
    metrics,
    connections,
    beginShutdown: () => {
      draining = true;
    },
    get draining() {
      return draining;
    },
  };
  app.decorate('peerchart', handle);

  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      try {
        connection.heartbeat();
      } catch (error) {
        connection.log('warn', { err: error }, 'heartbeat failed');
      }
    }
  }, config.heartbeatIntervalMs);
  heartbeat.unref();

  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: config.limits.maxPayloadBytes,
      // Compression costs CPU and memory per socket and has a history of DoS issues; SDP is small.
      perMessageDeflate: false,
      // `connections` below tracks the sockets; ws's own set would cost an entry and a listener per socket.
      clientTracking: false,
    },
    // Socket errors (oversized frame, bad UTF-8, reset) are the client's; ws has already closed the socket.
    errorHandler: (error, _socket, request) => {
      request.log.debug({ err: error }, 'websocket error');
    },
    preClose: async function closeSockets() {
      draining = true;
      clearInterval(heartbeat);
      relay.shutdown();
      const open = [...connections];
      const allClosed = Promise.all(
        open.map((connection) => new Promise<void>((resolveClosed) => connection.goingAway(resolveClosed))),
      );
      // A client that never answers the close handshake must not hold the process up.
      const deadline = setTimeout(() => open.forEach((connection) => connection.terminate()), SHUTDOWN_TIMEOUT_MS);
      await allClosed;
      clearTimeout(deadline);
      await new Promise<void>((resolveClosed) => app.websocketServer.close(() => resolveClosed()));
    },
  });

  const upgradeGuard = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!request.ws) {
      void reply.code(426).header('upgrade', 'websocket').send({ error: 'WebSocket upgrade required' });
      return;
    }
    if (draining) {
      metrics.upgradesRejected.inc({ reason: 'draining' });
      void reply.code(503).send({ error: 'server shutting down' });
      return;
    }
    if (!originAllowed(request.headers.origin, request.headers.host, config)) {
      metrics.upgradesRejected.inc({ reason: 'origin' });
      request.log.info({ origin: request.headers.origin }, 'upgrade refused: origin');
      void reply.code(403).send({ error: 'origin not allowed' });
      return;
    }
    const ip = request.ip;
    if (!perIp.tryAcquire(ip)) {
      metrics.upgradesRejected.inc({ reason: 'connections-per-ip' });
      request.log.info('upgrade refused: too many connections from this IP');
      void reply.code(429).send({ error: 'too many connections from this address' });
      return;
    }
    const tcp = request.raw.socket as SlottedSocket;
    tcp[IP_SLOT] = ip;
    // Released when the TCP socket closes, whatever happens to the upgrade (a Connection takes over below).
    tcp.on('close', releaseIpSlot);
    upgradeResponses.set(request.raw, reply.raw);
    done();
  };

  const connectionDeps: ConnectionDeps = {
    config,
    relay,
    metrics,
    tickets,
    logger: app.log,
    logFrames: config.logLevel === 'debug' || config.logLevel === 'trace',
    onClosed: (closed) => {
      connections.delete(closed);
      releaseIpSlot.call(closed.tcp);
    },
  };

  app.get('/ws', { websocket: true, onRequest: upgradeGuard }, (socket, request) => {
    const tcp = request.raw.socket;
    // Nothing may keep the upgrade's HTTP request alive for the socket's lifetime (a few KB per
    // socket): @fastify/websocket's error listener closes over the request and reply (Connection
    // adds its own), and the socket still points at the HTTP response it was assigned.
    socket.removeAllListeners('error');
    const response = upgradeResponses.get(request.raw);
    upgradeResponses.delete(request.raw);
    if (response?.socket === tcp) response.detachSocket(tcp);
    metrics.connectionsOpened += 1;
    const connection = new Connection(socket, { reqId: request.id, conn: ++connectionSeq, tcp }, connectionDeps);
    connections.add(connection);
    // The connection's close gives the per-IP slot back from now on; with one 'close' listener
    // fewer, the socket's listener list shrinks back from an array to a single function.
    tcp.removeListener('close', releaseIpSlot);
    connection.log('info', { ip: request.ip }, 'connection opened');
  });

  const quiet = { logLevel: 'warn' as const };
  app.get('/health/live', quiet, async () => ({ status: 'ok' }));
  app.get('/health/ready', quiet, async (_request, reply) => {
    if (draining) return reply.code(503).send({ status: 'draining' });
    // The shared state (Redis) is unreachable: joins would fail, so the load balancer should look elsewhere.
    if (!relay.ready) return reply.code(503).send({ status: 'unavailable' });
    return { status: 'ready' };
  });
  app.get('/metrics', quiet, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });

  for (const [index, mount] of config.static.entries()) await registerStatic(app, mount, index === 0);

  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    await relay.close();
  });
  return app;
}

/** Serve `mount.dir` under `mount.prefix`; unknown extension-less paths get the SPA's index.html. */
async function registerStatic(app: FastifyInstance, mount: StaticMount, first: boolean): Promise<void> {
  const root = resolve(mount.dir);
  const index = join(root, 'index.html');
  await app.register(
    async (scope) => {
      await scope.register(fastifyStatic, { root, prefix: '/', decorateReply: first, redirect: true, wildcard: true });
      scope.setNotFoundHandler((request, reply) => {
        const path = request.url.split('?')[0] ?? '';
        const last = path.slice(path.lastIndexOf('/') + 1);
        if ((request.method === 'GET' || request.method === 'HEAD') && !last.includes('.') && existsSync(index)) {
          return reply.type('text/html; charset=utf-8').send(createReadStream(index));
        }
        return reply.code(404).send({ error: 'not found' });
      });
    },
    { prefix: mount.prefix.replace(/\/$/, '') },
  );
}
