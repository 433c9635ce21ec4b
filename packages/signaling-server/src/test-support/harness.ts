import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, inject } from 'vitest';
import WebSocket, { type ClientOptions } from 'ws';
import { PROTOCOL_VERSION, parseServerMessage, type ServerMessage } from '@peerchart/core/protocol';
import { buildApp, type BuildOptions } from '../app.js';
import { defaultConfig, type Limits, type ServerConfig } from '../config.js';

export type ConfigOverrides = Partial<Omit<ServerConfig, 'limits'>> & { limits?: Partial<Limits> };

/**
 * Which server the suites run against, set per Vitest project (vitest.config.ts): `memory`, one
 * in-memory instance; `cluster`, two Redis-backed instances (in this process) on the redis-server the
 * project's global setup started, with clients spread across them.
 */
export const TOPOLOGY: 'memory' | 'cluster' = process.env.PEERCHART_TEST_TOPOLOGY === 'cluster' ? 'cluster' : 'memory';
const CLUSTER_SIZE = 2;

export interface TestServer {
  /** The first instance. */
  app: FastifyInstance;
  /** Every instance (one with `memory`). */
  apps: FastifyInstance[];
  /** http://127.0.0.1:port of the first instance. */
  http: string;
  /**
   * ws://127.0.0.1:port/ws — of the next instance in turn, each time it is read: clients a test
   * opens one after another land on different instances of a cluster.
   */
  readonly ws: string;
  /** The /ws URL of one instance. */
  wsOf(index: number): string;
  /** /metrics of every instance, concatenated. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1, port 0, logs silent unless overridden: one instance, or a cluster (see TOPOLOGY). */
export async function startServer(overrides: ConfigOverrides = {}, options: BuildOptions = {}): Promise<TestServer> {
  const base = defaultConfig();
  const config: ServerConfig = {
    ...base,
    logLevel: 'silent',
    port: 0,
    ...overrides,
    limits: { ...base.limits, ...overrides.limits },
  };
  const cluster = TOPOLOGY === 'cluster';
  const shared: Partial<ServerConfig> = cluster
    ? {
        registry: 'redis',
        redisUrl: inject('redisUrl'),
        // A fresh key space per server: tests never see each other's rooms.
        redisKeyPrefix: `t${randomBytes(6).toString('hex')}:`,
        sessionSecret: config.sessionSecret ?? randomBytes(16).toString('hex'),
        instanceHeartbeatMs: 200,
      }
    : {};
  const apps: FastifyInstance[] = [];
  const urls: string[] = [];
  for (let i = 0; i < (cluster ? CLUSTER_SIZE : 1); i++) {
    const app = await buildApp({ ...config, ...shared }, options);
    apps.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    urls.push(`127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  }
  let next = 0;
  let closed = false;
  return {
    app: apps[0] as FastifyInstance,
    apps,
    http: `http://${urls[0]}`,
    get ws() {
      const url = `ws://${urls[next % urls.length]}/ws`;
      next += 1;
      return url;
    },
    wsOf: (index) => `ws://${urls[index]}/ws`,
    metrics: async () => (await Promise.all(urls.map(async (url) => (await fetch(`http://${url}/metrics`)).text()))).join('\n'),
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all(apps.map((app) => app.close()));
    },
  };
}

/** The sum of a metric's samples over every instance's /metrics text (`series` like `peerchart_drops_total{reason="x"}`). */
export function metricSum(text: string, series: string): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${series} `)) sum += Number(line.slice(series.length + 1));
  return sum;
}

type Pick<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** A real `ws` client that queues what it receives, validated by the protocol's own server schema. */
export class TestClient {
  readonly socket: WebSocket;
  private readonly inbox: ServerMessage[] = [];
  private waiters: Array<() => void> = [];
  /** Frames the client could not parse as server messages, and any binary frame (must stay empty). */
  readonly malformed: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  peerId = '';

  constructor(url: string, options: ClientOptions = {}) {
    this.socket = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
      this.socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      this.socket.once('close', (code, reason) => {
        this.wake();
        resolve({ code, reason: reason.toString() });
      });
    });
    this.socket.on('error', () => undefined);
    this.socket.on('message', (data, isBinary) => {
      const text = data.toString();
      // Every server frame is JSON in a text frame; a browser would hand a binary one over as a Blob.
      const parsed = isBinary ? undefined : parseServerMessage(text);
      if (parsed?.ok) this.inbox.push(parsed.message);
      else this.malformed.push(text);
      this.wake();
    });
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(url, options);
    await client.opened;
    return client;
  }

  /** Connect and say hello; resolves once welcomed. */
  static async greeted(url: string, resume?: string): Promise<TestClient> {
    const client = await TestClient.connect(url);
    client.send(resume === undefined ? { type: 'hello', v: PROTOCOL_VERSION } : { type: 'hello', v: PROTOCOL_VERSION, resume });
    const welcome = await client.next('welcome');
    client.peerId = welcome.peerId;
    client.welcome = welcome;
    return client;
  }

  welcome: Pick<'welcome'> | undefined;

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Next message (optionally of a type; others before it are discarded). */
  async next<T extends ServerMessage['type']>(type?: T, timeoutMs = 5_000): Promise<Pick<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.inbox.length > 0) {
        const message = this.inbox.shift() as ServerMessage;
        if (type === undefined || message.type === type) return message as Pick<T>;
      }
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type ?? 'a message'}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${type ?? 'a message'}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Messages received so far and not yet consumed. */
  pending(): readonly ServerMessage[] {
    return this.inbox;
  }

  async join(room: string, extra: Record<string, unknown> = {}): Promise<Pick<'joined'>> {
    this.send({ type: 'join', room, ...extra });
    return this.next('joined');
  }

  close(): void {
    this.socket.close();
  }
}

/** Resolve after the event loop had a chance to deliver in-flight frames (used only to assert absence). */
export async function settle(ms = 100): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A real server started per test, and the clients a test opened: all closed after each test (this
 * registers the `afterEach`). `server` is the one `start` built.
 */
export function useTestServer() {
  let current: TestServer | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await current?.close();
    current = undefined;
  });
  const fixture = {
    get server(): TestServer {
      if (!current) throw new Error('start() the test server first');
      return current;
    },
    async start(overrides: ConfigOverrides = {}, options: BuildOptions = {}): Promise<TestServer> {
      current = await startServer(overrides, options);
      return current;
    },
    /** Closes these clients after the test; returns the first. */
    track<T extends TestClient>(client: T, ...more: TestClient[]): T {
      clients.push(client, ...more);
      return client;
    },
    /** A client that said hello (resuming `resume` when given), closed after the test. */
    async greeted(resume?: string): Promise<TestClient> {
      return fixture.track(await TestClient.greeted(fixture.server.ws, resume));
    },
  };
  return fixture;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** redis://127.0.0.1:port of the redis-server the cluster project's global setup started. */
    redisUrl: string;
  }
}
