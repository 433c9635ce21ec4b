/**
 * A cluster of real `peerchart-signal` processes on Redis, optionally behind nginx (the
 * docs/deploy.md config), for tests here and in other packages (browser tests import this file by
 * path). Everything it starts is stopped by `close()`; call it in afterAll (it is safe after a failure).
 *
 *   const cluster = await startCluster({ instances: 3, nginx: true });
 *   // cluster.ws: nginx's ws:// URL; cluster.instances[i].ws: one instance; cluster.instances[i].kill('SIGKILL')
 *   await cluster.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, startNginx, startRedis, type NginxProcess, type RedisProcess } from './processes.js';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
/** tsx as a loader in the server's own process (its CLI would run the server in a child, which SIGKILL would orphan). */
const TSX_LOADER = new URL('../../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

export interface InstanceProcess {
  port: number;
  /** ws://127.0.0.1:port/ws */
  ws: string;
  http: string;
  /** Send a signal (SIGKILL: a crash; SIGTERM: a graceful drain); resolves when the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Start it again on the same port (after `kill`). */
  restart(): Promise<void>;
  output(): string;
}

export interface ClusterOptions {
  /** Number of server processes (default 2; `nginx: true` needs 3, as in docs/deploy.md). */
  instances?: number;
  nginx?: boolean;
  /** Extra CLI flags for every instance, e.g. ['--resume-window-ms', '10000']. */
  args?: string[];
  /** An already running Redis to use (not stopped by close). */
  redis?: RedisProcess;
}

export interface Cluster {
  redis: RedisProcess;
  instances: InstanceProcess[];
  nginx: NginxProcess | undefined;
  /** Where clients connect: nginx when started, else the first instance. */
  ws: string;
  http: string;
  /** The session secret every instance shares. */
  sessionSecret: string;
  close(): Promise<void>;
}

async function startInstance(port: number, args: string[]): Promise<InstanceProcess> {
  let child: ChildProcess | undefined;
  let text = '';
  const launch = async () => {
    text = '';
    const spawned = spawn(process.execPath, ['--import', TSX_LOADER, CLI, '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    const add = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.length > 64_000) text = text.slice(-32_000);
    };
    spawned.stdout.on('data', add);
    spawned.stderr.on('data', add);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance on ${port} did not start:\n${text}`)), 30_000);
      const check = () => {
        if (/listening on http/.test(text)) {
          clearTimeout(timer);
          spawned.stdout.off('data', check);
          resolve();
        }
      };
      spawned.stdout.on('data', check);
      spawned.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`instance on ${port} exited (${code}):\n${text}`));
      });
    });
  };
  await launch();
  const kill = async (signal: NodeJS.Signals) => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill(signal);
    const force = setTimeout(() => current.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(force);
  };
  return { port, ws: `ws://127.0.0.1:${port}/ws`, http: `http://127.0.0.1:${port}`, kill, restart: launch, output: () => text };
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.instances ?? (options.nginx ? 3 : 2);
  const ownRedis = options.redis === undefined;
  const redis = options.redis ?? (await startRedis());
  const sessionSecret = `cluster-secret-${Math.random().toString(36).slice(2)}-0123456789`;
  const instances: InstanceProcess[] = [];
  let nginx: NginxProcess | undefined;
  const close = async () => {
    await nginx?.close();
    await Promise.all(instances.map((instance) => instance.kill('SIGTERM')));
    if (ownRedis) await redis.close();
  };
  try {
    const args = [
      '--registry', 'redis',
      '--redis-url', redis.url,
      '--redis-key-prefix', `c${Math.random().toString(36).slice(2, 8)}:`,
      '--session-secret', sessionSecret,
      '--log-level', 'warn',
      '--instance-heartbeat-ms', '500',
      ...(options.nginx ? ['--trust-proxy', 'true'] : []),
      ...(options.args ?? []),
    ];
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    instances.push(...(await Promise.all(ports.map((port) => startInstance(port, args)))));
    if (options.nginx) nginx = await startNginx(ports);
  } catch (error) {
    await close();
    throw error;
  }
  const first = instances[0] as InstanceProcess;
  return { redis, instances, nginx, ws: nginx?.ws ?? first.ws, http: nginx?.http ?? first.http, sessionSecret, close };
}
