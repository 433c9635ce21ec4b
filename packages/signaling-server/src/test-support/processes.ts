/**
 * Real `redis-server` and `nginx` processes for tests: free ports, temp dirs, stopped on close (also
 * after a failure: callers register `close` in afterAll/afterEach). A missing binary is an error
 * that says what to install, never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env.PEERCHART_REDIS_SERVER ?? '/usr/bin/redis-server';
export const NGINX = process.env.PEERCHART_NGINX ?? '/usr/sbin/nginx';

function requireBinary(path: string, debianPackage: string): void {
  if (!existsSync(path)) {
    throw new Error(`${path} not found: install it (apt-get install -y ${debianPackage}); the cluster tests need a real ${debianPackage}`);
  }
}

/** A TCP port free right now on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once `output()` matches `pattern`, rejects if the process exits first or the deadline passes. */
function waitForOutput(child: ChildProcess, output: () => string, pattern: RegExp, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what} did not start within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = () => {
      if (pattern.test(output())) finish();
    };
    const exited = (code: number | null) => finish(new Error(`${what} exited (${code}) before it was ready:\n${output()}`));
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', exited);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', exited);
    check();
  });
}

function collect(child: ChildProcess): () => string {
  let text = '';
  const add = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.length > 64_000) text = text.slice(-32_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface RedisProcess {
  port: number;
  url: string;
  /** Stop and start again on the same port: an empty data set (`--save ''`, no AOF), like a crashed Redis. */
  restart(): Promise<void>;
  /** Stop it (the port stays reserved for `start`). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A real redis-server on a free loopback port, without persistence. */
export async function startRedis(): Promise<RedisProcess> {
  requireBinary(REDIS_SERVER, 'redis-server');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForOutput(child, collect(child), /Ready to accept connections/, `redis-server on port ${port}`);
  };
  await start();
  const stop = () => stopChild(child, 'SIGKILL');
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    close: stop,
  };
}

/** The file whose nginx block the tests run verbatim (only the addresses are substituted). */
export const DEPLOY_DOC = new URL('../../../../docs/deploy.md', import.meta.url);

/** The ```nginx block of docs/deploy.md: its upstream servers are 127.0.0.1:8787, :8788, :8789 and it listens on 80. */
export function deployNginxBlock(): string {
  const doc = readFileSync(DEPLOY_DOC, 'utf8');
  const match = /```nginx\n([\s\S]*?)```/.exec(doc);
  if (!match?.[1]) throw new Error(`${DEPLOY_DOC.pathname} has no \`\`\`nginx block`);
  return match[1];
}

/**
 * A runnable nginx.conf: the doc's block with the test's ports for its upstreams and listener,
 * inside an `http {}` whose pid, logs and temp paths sit in `prefix` (nginx runs unprivileged there).
 */
export function nginxConfig(options: { listenPort: number; upstreamPorts: number[]; prefix: string }): string {
  const block = deployNginxBlock();
  const documented = [8787, 8788, 8789];
  if (options.upstreamPorts.length !== documented.length) throw new Error('the documented config has three instances');
  let config = block;
  documented.forEach((port, index) => {
    config = config.replace(`server 127.0.0.1:${port} `, `server 127.0.0.1:${options.upstreamPorts[index]} `);
  });
  config = config.replace(/listen 80;/, `listen 127.0.0.1:${options.listenPort};`);
  if (config.includes(':8787 ') || !config.includes(`listen 127.0.0.1:${options.listenPort};`)) {
    throw new Error('docs/deploy.md nginx block changed shape: expected upstream servers 127.0.0.1:8787-8789 and "listen 80;"');
  }
  const p = options.prefix;
  return `worker_processes 1;
pid ${p}/nginx.pid;
error_log ${p}/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${p}/tmp;
    proxy_temp_path ${p}/tmp;
    fastcgi_temp_path ${p}/tmp;
    uwsgi_temp_path ${p}/tmp;
    scgi_temp_path ${p}/tmp;
${config}
}
`;
}

export interface NginxProcess {
  port: number;
  /** ws://127.0.0.1:port/ws */
  ws: string;
  http: string;
  close(): Promise<void>;
}

/** A real nginx (foreground, own prefix and pid file in a temp dir) with the docs/deploy.md config over three local instances. */
export async function startNginx(upstreamPorts: number[]): Promise<NginxProcess> {
  requireBinary(NGINX, 'nginx');
  const prefix = mkdtempSync(join(tmpdir(), 'peerchart-nginx-'));
  mkdirSync(join(prefix, 'tmp'));
  const port = await freePort();
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, nginxConfig({ listenPort: port, upstreamPorts, prefix }));
  const child = spawn(NGINX, ['-p', prefix, '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // nginx prints nothing when it starts: poll the port until it answers.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${output()}`);
    const up = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stopChild(child, 'SIGKILL');
      throw new Error(`nginx did not listen on ${port}:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    ws: `ws://127.0.0.1:${port}/ws`,
    http: `http://127.0.0.1:${port}`,
    close: async () => {
      await stopChild(child, 'SIGQUIT');
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
