/**
 * Scale-out benchmark: relay latency and throughput of Peerchart pairs on one in-memory instance,
 * on one Redis-backed instance (both members on it), and across two Redis-backed instances (members
 * on different instances); Redis round trips per relayed message (INFO commandstats deltas over the
 * measured window); idle memory per connection with and without Redis. Servers and redis-server on
 * core 0, the load generator on core 1; modes rotate per repeat; ratios are taken within a repeat
 * against the in-memory run, and the report gives their median and min–max.
 *
 * Usage: npx nx build @peerchart/signaling-server && node --import tsx tools/bench/relay/cluster.ts [--quick]
 * Writes tools/bench/relay/cluster-results.json and prints a Markdown summary.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, rssBytes, sleep, spawnPinned, stop, waitForPort, type PinnedProcess } from '../lib/proc.js';
import { median, rotate } from '../lib/stats.js';
import type { ClusterLoadConfig } from './cluster-loadgen.js';
import { PEERCHART_RAISED_FLAGS } from './servers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '..', '..', '..', 'packages', 'signaling-server', 'dist', 'cli.js');
const LOADGEN = join(here, 'cluster-loadgen.ts');
const quick = process.argv.includes('--quick');

const MODES = ['memory', 'redis-same', 'redis-cross'] as const;
type Mode = (typeof MODES)[number];
const CONFIGS = [
  { pairs: 50, window: 1 },
  { pairs: 500, window: 32 },
];
const REPEATS = quick ? 1 : 3;
const WARMUP_MS = 1_500;
const DURATION_MS = quick ? 1_500 : 3_000;
const IDLE = { warmPairs: 100, pairs: quick ? 600 : 1_500 };

interface Running {
  servers: PinnedProcess[];
  redis: PinnedProcess | undefined;
  redisPort: number;
  ports: [number, number];
}

function redisCli(port: number, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Total commands Redis has executed (all types), from INFO commandstats. */
function redisCalls(port: number): { total: number; byCommand: Record<string, number> } {
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const match of redisCli(port, 'INFO', 'commandstats').matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) {
    if (match[1] === 'info') continue;
    byCommand[match[1] as string] = Number(match[2]);
    total += Number(match[2]);
  }
  return { total, byCommand };
}

async function start(mode: Mode): Promise<Running> {
  let redis: PinnedProcess | undefined;
  const redisPort = await freePort();
  const flags = ['--host', '127.0.0.1', ...PEERCHART_RAISED_FLAGS, '--log-level', 'warn'];
  if (mode !== 'memory') {
    redis = spawnPinned(0, '/usr/bin/redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await waitForPort(redisPort);
    flags.push('--registry', 'redis', '--redis-url', `redis://127.0.0.1:${redisPort}`, '--session-secret', 'bench-session-secret-0123456789');
  }
  const count = mode === 'memory' ? 1 : 2;
  const ports: number[] = [];
  const servers: PinnedProcess[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    servers.push(spawnPinned(0, process.execPath, [CLI, '--port', String(port), ...flags]));
    await waitForPort(port);
    ports.push(port);
  }
  const [a = 0, b = 0] = ports;
  return { servers, redis, redisPort, ports: mode === 'redis-cross' ? [a, b] : [a, a] };
}

async function shutdown(running: Running): Promise<void> {
  for (const server of running.servers) await stop(server);
  if (running.redis) await stop(running.redis);
}

function loadgen(config: ClusterLoadConfig) {
  const proc = spawnPinned(1, process.execPath, ['--import', 'tsx', LOADGEN, JSON.stringify(config)], { stdout: 'pipe', stdin: 'pipe', cwd: join(here, '..', '..') });
  const events = createInterface({ input: proc.child.stdout! })[Symbol.asyncIterator]();
  const nextEvent = async (): Promise<Record<string, unknown>> => {
    const next = await Promise.race([events.next(), sleep(180_000).then(() => ({ done: true as const, value: '' }))]);
    if (next.done) throw new Error('load generator went silent');
    const event = JSON.parse(next.value) as Record<string, unknown>;
    if (event.event === 'error') throw new Error(`load generator: ${String(event.message)}`);
    return event;
  };
  const until = async (name: string) => {
    for (;;) {
      const event = await nextEvent();
      if (event.event === name) return event;
    }
  };
  return { proc, until };
}

interface LoadRow {
  repeat: number;
  mode: Mode;
  pairs: number;
  window: number;
  messagesPerSecond: number;
  p50: number;
  p99: number;
  redisCallsPerMessage: number;
  redisByCommand: Record<string, number>;
  misrouted: number;
}

async function measureLoad(repeat: number, mode: Mode, pairs: number, window: number): Promise<LoadRow> {
  const running = await start(mode);
  try {
    const { proc, until } = loadgen({ mode: 'load', ports: running.ports, pairs, window, warmupMs: WARMUP_MS, durationMs: DURATION_MS, warmPairs: 0 });
    await until('window-start');
    const before = running.redis ? redisCalls(running.redisPort) : undefined;
    await until('window-end');
    const after = running.redis ? redisCalls(running.redisPort) : undefined;
    const result = (await until('result')).result as { messagesPerSecond: number; delivered: number; p50: number; p99: number; misrouted: number };
    await proc.exited;
    const byCommand: Record<string, number> = {};
    if (before && after) for (const [name, calls] of Object.entries(after.byCommand)) byCommand[name] = calls - (before.byCommand[name] ?? 0);
    return {
      repeat,
      mode,
      pairs,
      window,
      messagesPerSecond: result.messagesPerSecond,
      p50: result.p50,
      p99: result.p99,
      redisCallsPerMessage: before && after ? (after.total - before.total) / Math.max(1, result.delivered) : 0,
      redisByCommand: byCommand,
      misrouted: result.misrouted,
    };
  } finally {
    await shutdown(running);
  }
}

async function measureIdle(mode: 'memory' | 'redis-cross'): Promise<{ mode: string; bytesPerConnection: number }> {
  const running = await start(mode);
  try {
    const { proc, until } = loadgen({ mode: 'idle', ports: running.ports, pairs: IDLE.pairs, window: 0, warmupMs: 0, durationMs: 0, warmPairs: IDLE.warmPairs });
    const warm = (await until('idle-warm')).clients as number;
    await sleep(1_000);
    const rssBefore = running.servers.reduce((sum, server) => sum + rssBytes(server.pid), 0);
    proc.child.stdin!.write('go\n');
    const full = (await until('idle-full')).clients as number;
    await sleep(1_000);
    const rssAfter = running.servers.reduce((sum, server) => sum + rssBytes(server.pid), 0);
    proc.child.stdin!.write('go\n');
    await until('result');
    await proc.exited;
    return { mode, bytesPerConnection: (rssAfter - rssBefore) / (full - warm) };
  } finally {
    await shutdown(running);
  }
}

const rows: LoadRow[] = [];
for (let repeat = 0; repeat < REPEATS; repeat++) {
  for (const { pairs, window } of CONFIGS) {
    for (const mode of rotate(MODES, repeat)) {
      const row = await measureLoad(repeat, mode, pairs, window);
      rows.push(row);
      console.error(`repeat ${repeat} P=${pairs} W=${window} ${mode}: ${Math.round(row.messagesPerSecond)} msg/s, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, redis calls/msg ${row.redisCallsPerMessage.toFixed(3)}`);
    }
  }
}
const idle: Array<{ mode: string; bytesPerConnection: number }> = [];
for (let repeat = 0; repeat < (quick ? 1 : 2); repeat++) for (const mode of rotate(['memory', 'redis-cross'] as const, repeat)) idle.push(await measureIdle(mode));

const spread = (values: number[]) => `${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;
const lines = ['| P × W | mode | msgs/s | p50 ms | p99 ms | p50 ÷ memory | p50 ÷ redis-same | msgs/s ÷ memory | Redis calls / msg |', '|---|---|---|---|---|---|---|---|---|'];
for (const { pairs, window } of CONFIGS) {
  for (const mode of MODES) {
    const mine = rows.filter((r) => r.mode === mode && r.pairs === pairs && r.window === window);
    const ratio = (other: Mode, pick: (r: LoadRow) => number) =>
      spread(mine.map((r) => pick(r) / pick(rows.find((o) => o.mode === other && o.repeat === r.repeat && o.pairs === pairs && o.window === window) as LoadRow)));
    lines.push(
      `| ${pairs} × ${window} | ${mode} | ${Math.round(median(mine.map((r) => r.messagesPerSecond)))} | ${median(mine.map((r) => r.p50)).toFixed(2)} | ${median(mine.map((r) => r.p99)).toFixed(2)} | ${ratio('memory', (r) => r.p50)} | ${ratio('redis-same', (r) => r.p50)} | ${ratio('memory', (r) => r.messagesPerSecond)} | ${median(mine.map((r) => r.redisCallsPerMessage)).toFixed(3)} |`,
    );
  }
}
const idleMemory = idle.filter((i) => i.mode === 'memory').map((i) => i.bytesPerConnection);
const idleRedis = idle.filter((i) => i.mode === 'redis-cross').map((i) => i.bytesPerConnection);
lines.push('', `Idle memory per connection (greeted and joined, RSS delta over ${IDLE.pairs * 2 - IDLE.warmPairs * 2} connections): in-memory ${Math.round(median(idleMemory))} B, Redis ${Math.round(median(idleRedis))} B (summed over both instances), ratio ${(median(idleRedis) / median(idleMemory)).toFixed(2)}.`);
writeFileSync(join(here, 'cluster-results.json'), `${JSON.stringify({ date: new Date().toISOString(), quick, rows, idle }, null, 2)}\n`);
console.log(lines.join('\n'));
