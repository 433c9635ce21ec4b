/**
 * Scale-out benchmark: relay latency and throughput of Peerchart pairs on one in-memory instance,
 * on one Redis-backed instance (both members on it), and across two Redis-backed instances (members
 * on different instances); Redis commands per relayed message (INFO commandstats from the first
 * message sent to the last one received, divided by the messages sent, with the commands other
 * than PUBLISH listed); server and redis-server CPU time per message; idle memory per connection
 * with and without Redis (RSS and JS heap after a forced GC, read through the inspector). Servers
 * and redis-server on core 0, the load generator on core 1; modes rotate per repeat; ratios are
 * taken within a repeat, and the report gives their median and min–max.
 *
 * Usage: `npm run bench -- scale` (or, after `npx nx build @peerchart/signaling-server`:
 * node --import tsx tools/bench/relay/cluster.ts [--quick] [--part load|idle] [--configs 50x1,500x32] [--repeats N]).
 * Writes bench/results/scale.json (a `--part` run only prints) and a Markdown summary.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { memoryAfterGc, type MemorySample } from '../lib/inspector.js';
import { cpuSeconds, freePort, sleep, spawnPinned, stop, waitForPort, type PinnedProcess } from '../lib/proc.js';
import { bootstrapRatioOfMedians, median, rotate } from '../lib/stats.js';
import type { ClusterLoadConfig } from './cluster-loadgen.js';
import { PEERCHART_RAISED_FLAGS } from './servers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** `PEERCHART_SCALE_CLI` runs another build of the server (a before/after comparison on the same machine state). */
const CLI = process.env.PEERCHART_SCALE_CLI ?? join(here, '..', '..', '..', 'packages', 'signaling-server', 'dist', 'cli.js');
const LOADGEN = join(here, 'cluster-loadgen.ts');
const quick = process.argv.includes('--quick');

const MODES = ['memory', 'redis-same', 'redis-cross'] as const;
type Mode = (typeof MODES)[number];
/** `--configs 50x1` runs only the listed P×W configurations (comma-separated). */
const configsFlag = process.argv.indexOf('--configs');
const CONFIGS = [
  { pairs: 50, window: 1 },
  { pairs: 500, window: 32 },
].filter(({ pairs, window }) => configsFlag < 0 || (process.argv[configsFlag + 1] ?? '').split(',').includes(`${pairs}x${window}`));
/** `--repeats N` overrides the number of repeats (load and idle alike). */
const repeatsFlag = process.argv.indexOf('--repeats');
const REPEATS = repeatsFlag >= 0 ? Number(process.argv[repeatsFlag + 1]) : quick ? 1 : 3;
/** `--first-repeat K` numbers repeats from K (the mode order rotates with it), to interleave separate runs. */
const firstFlag = process.argv.indexOf('--first-repeat');
const FIRST_REPEAT = firstFlag >= 0 ? Number(process.argv[firstFlag + 1]) : 0;
const WARMUP_MS = 1_500;
const DURATION_MS = quick ? 1_500 : 3_000;
/**
 * Idle memory: the marginal cost of 2 × (pairs − warmPairs) connections (2,000 in a full run) on
 * top of 2 × warmPairs already open, so that what a process grows once (JIT code, allocator
 * arenas, heap slack: twice with two instances) is in the baseline rather than spread over the
 * connections; that fixed cost is reported separately (`baseline`).
 */
const IDLE = { warmPairs: quick ? 200 : 500, pairs: quick ? 700 : 1_500, repeats: REPEATS };
/** Which measurements to run: `--part load`, `--part idle`, or both (the default). */
const partFlag = process.argv.indexOf('--part');
const PART = partFlag >= 0 ? process.argv[partFlag + 1] : 'all';

interface Running {
  servers: PinnedProcess[];
  /** Inspector port of each server (idle runs only): memory is read after a forced GC through it. */
  inspectPorts: number[];
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

/** Generous: on a shared, busy machine a server can take many seconds to start. */
const START_TIMEOUT_MS = 90_000;

async function start(mode: Mode, inspect = false): Promise<Running> {
  const running: Running = { servers: [], inspectPorts: [], redis: undefined, redisPort: await freePort(), ports: [0, 0] };
  const flags = ['--host', '127.0.0.1', ...PEERCHART_RAISED_FLAGS, '--log-level', 'warn'];
  try {
    if (mode !== 'memory') {
      running.redis = spawnPinned(0, '/usr/bin/redis-server', ['--port', String(running.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
      await waitForPort(running.redisPort, START_TIMEOUT_MS);
      flags.push('--registry', 'redis', '--redis-url', `redis://127.0.0.1:${running.redisPort}`, '--session-secret', 'bench-session-secret-0123456789');
    }
    const ports: number[] = [];
    // Two server processes on core 0 in every mode (in memory mode the second, another in-memory
    // instance, stays idle like redis-same's): the modes differ in where messages go, not in how
    // many processes share the core.
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const nodeFlags: string[] = [];
      if (inspect) {
        const inspectPort = await freePort();
        running.inspectPorts.push(inspectPort);
        nodeFlags.push(`--inspect=127.0.0.1:${inspectPort}`);
      }
      running.servers.push(spawnPinned(0, process.execPath, [...nodeFlags, CLI, '--port', String(port), ...flags]));
      await waitForPort(port, START_TIMEOUT_MS);
      ports.push(port);
    }
    const [a = 0, b = 0] = ports;
    running.ports = mode === 'redis-cross' ? [a, b] : [a, a];
    return running;
  } catch (error) {
    await shutdown(running); // nothing it started outlives a failed start
    throw error;
  }
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
  /** Every Redis command from the first message sent to the last one received (liveness beats included), per message sent. */
  redisCallsPerMessage: number;
  sent: number;
  received: number;
  /**
   * CPU time of the server process(es) and redis-server per delivered message, over the window:
   * what each message costs, which waiting for a share of a busy core does not change.
   */
  serverCpuMicrosPerMessage: number;
  redisCpuMicrosPerMessage: number;
  /** The load generator's (core 1): when it is as busy as the servers, the ratios are lower bounds. */
  generatorCpuMicrosPerMessage: number;
  redisByCommand: Record<string, number>;
  misrouted: number;
}

async function measureLoad(repeat: number, mode: Mode, pairs: number, window: number): Promise<LoadRow> {
  const running = await start(mode);
  let generator: PinnedProcess | undefined;
  try {
    const { proc, until } = loadgen({ mode: 'load', ports: running.ports, pairs, window, warmupMs: WARMUP_MS, durationMs: DURATION_MS, warmPairs: 0 });
    generator = proc;
    await until('connected');
    const before = running.redis ? redisCalls(running.redisPort) : undefined;
    proc.child.stdin!.write('go\n');
    await until('window-start');
    const cpu = () => ({
      servers: running.servers.reduce((sum, server) => sum + cpuSeconds(server.pid), 0),
      redis: running.redis ? cpuSeconds(running.redis.pid) : 0,
      generator: cpuSeconds(proc.pid),
    });
    const cpuBefore = cpu();
    await until('window-end');
    const cpuAfter = cpu();
    const result = (await until('result')).result as { messagesPerSecond: number; delivered: number; p50: number; p99: number; misrouted: number; sent: number; received: number };
    const after = running.redis ? redisCalls(running.redisPort) : undefined;
    proc.child.stdin!.write('go\n');
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
      redisCallsPerMessage: before && after ? (after.total - before.total) / Math.max(1, result.sent) : 0,
      sent: result.sent,
      received: result.received,
      serverCpuMicrosPerMessage: ((cpuAfter.servers - cpuBefore.servers) * 1e6) / Math.max(1, result.delivered),
      redisCpuMicrosPerMessage: ((cpuAfter.redis - cpuBefore.redis) * 1e6) / Math.max(1, result.delivered),
      generatorCpuMicrosPerMessage: ((cpuAfter.generator - cpuBefore.generator) * 1e6) / Math.max(1, result.delivered),
      redisByCommand: byCommand,
      misrouted: result.misrouted,
    };
  } finally {
    if (generator) await stop(generator);
    await shutdown(running);
  }
}

/**
 * Idle modes: one in-memory instance; one Redis-backed instance holding every connection (the cost
 * of Redis alone, same process count); two Redis-backed instances with the members of each room on
 * different instances (summed: each instance also keeps a replica of every room it has a member in).
 */
const IDLE_MODES = ['memory', 'redis-same', 'redis-cross'] as const;
type IdleMode = (typeof IDLE_MODES)[number];

interface IdleRow {
  repeat: number;
  mode: IdleMode;
  connections: number;
  /** RSS of the mode's server process(es) with the warm-up connections open: the fixed cost. */
  baselineRss: number;
  /** Summed over the mode's server processes, after a forced GC, per measured connection. */
  rssPerConnection: number;
  heapPerConnection: number;
  externalPerConnection: number;
  /** Growth of V8's reserved heap spaces, all and young generation only, per measured connection (part of the RSS growth). */
  heapSpacesPerConnection: number;
  newSpacePerConnection: number;
}

/** Summed over the server processes that hold the connections (redis-same: the first one only). */
async function memoryOf(running: Running, mode: IdleMode): Promise<MemorySample> {
  const total: MemorySample = { rss: 0, heapUsed: 0, external: 0, heapSpaces: 0, newSpace: 0 };
  for (const port of mode === 'redis-cross' ? running.inspectPorts : running.inspectPorts.slice(0, 1)) {
    const sample = await memoryAfterGc(port);
    total.rss += sample.rss;
    total.heapUsed += sample.heapUsed;
    total.external += sample.external;
    total.heapSpaces += sample.heapSpaces;
    total.newSpace += sample.newSpace;
  }
  return total;
}

async function measureIdle(repeat: number, mode: IdleMode): Promise<IdleRow> {
  const running = await start(mode, true);
  let generator: PinnedProcess | undefined;
  try {
    const { proc, until } = loadgen({ mode: 'idle', ports: running.ports, pairs: IDLE.pairs, window: 0, warmupMs: 0, durationMs: 0, warmPairs: IDLE.warmPairs });
    generator = proc;
    const warm = (await until('idle-warm')).clients as number;
    const before = await memoryOf(running, mode);
    proc.child.stdin!.write('go\n');
    const full = (await until('idle-full')).clients as number;
    const after = await memoryOf(running, mode);
    proc.child.stdin!.write('go\n');
    await until('result');
    await proc.exited;
    const connections = full - warm;
    return {
      repeat,
      mode,
      connections,
      baselineRss: before.rss,
      rssPerConnection: (after.rss - before.rss) / connections,
      heapPerConnection: (after.heapUsed - before.heapUsed) / connections,
      externalPerConnection: (after.external - before.external) / connections,
      heapSpacesPerConnection: (after.heapSpaces - before.heapSpaces) / connections,
      newSpacePerConnection: (after.newSpace - before.newSpace) / connections,
    };
  } finally {
    if (generator) await stop(generator);
    await shutdown(running);
  }
}

const rows: LoadRow[] = [];
for (let repeat = FIRST_REPEAT; PART !== 'idle' && repeat < FIRST_REPEAT + REPEATS; repeat++) {
  for (const { pairs, window } of CONFIGS) {
    for (const mode of rotate(MODES, repeat)) {
      const row = await measureLoad(repeat, mode, pairs, window);
      rows.push(row);
      console.error(`repeat ${repeat} P=${pairs} W=${window} ${mode}: ${Math.round(row.messagesPerSecond)} msg/s, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, redis calls/msg ${row.redisCallsPerMessage.toFixed(3)}, CPU µs/msg servers ${row.serverCpuMicrosPerMessage.toFixed(1)} redis ${row.redisCpuMicrosPerMessage.toFixed(1)} generator ${row.generatorCpuMicrosPerMessage.toFixed(1)}`);
    }
  }
}
const idle: IdleRow[] = [];
for (let repeat = FIRST_REPEAT; PART !== 'load' && repeat < FIRST_REPEAT + IDLE.repeats; repeat++) {
  for (const mode of rotate(IDLE_MODES, repeat)) {
    const row = await measureIdle(repeat, mode);
    idle.push(row);
    console.error(`idle repeat ${repeat} ${mode}: ${Math.round(row.rssPerConnection)} B RSS, ${Math.round(row.heapPerConnection)} B heap, ${Math.round(row.externalPerConnection)} B external per connection; heap spaces +${Math.round(row.heapSpacesPerConnection)} B, of which young generation +${Math.round(row.newSpacePerConnection)} B`);
  }
}

/** Commands other than PUBLISH over the runs of one row, summed (the liveness beat: SET, SMEMBERS, EXISTS). */
const otherCommands = (mine: LoadRow[]) => {
  const sums: Record<string, number> = {};
  for (const row of mine) for (const [name, calls] of Object.entries(row.redisByCommand)) if (name !== 'publish' && calls > 0) sums[name] = (sums[name] ?? 0) + calls;
  return Object.entries(sums).map(([name, calls]) => `${name.toUpperCase()} ${calls}`).join(', ') || '–';
};
const spread = (values: number[]) => `${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;
/** The median of per-repeat ratios, their min–max, and a 95 % bootstrap interval of the ratio of the two sides' medians. */
const ratioCell = (mine: number[], theirs: number[]) => {
  const [low, high] = bootstrapRatioOfMedians(mine, theirs);
  return `${spread(mine.map((value, i) => value / (theirs[i] as number)))} [${low.toFixed(2)}–${high.toFixed(2)}]`;
};
const lines = rows.length === 0 ? [] : ['Ratios: median of the per-repeat ratios (min–max) [95 % bootstrap interval of the ratio of medians].', '', '| P × W | mode | msgs/s | p50 ms | p99 ms | p50 ÷ memory | p50 ÷ redis-same | msgs/s ÷ memory | Redis calls / msg | other Redis commands (all repeats) | CPU µs / msg (servers + redis) | generator CPU µs / msg |', '|---|---|---|---|---|---|---|---|---|---|---|---|'];
for (const { pairs, window } of rows.length === 0 ? [] : CONFIGS) {
  for (const mode of MODES) {
    const mine = rows.filter((r) => r.mode === mode && r.pairs === pairs && r.window === window);
    const ratio = (other: Mode, pick: (r: LoadRow) => number) =>
      ratioCell(mine.map(pick), mine.map((r) => pick(rows.find((o) => o.mode === other && o.repeat === r.repeat && o.pairs === pairs && o.window === window) as LoadRow)));
    lines.push(
      `| ${pairs} × ${window} | ${mode} | ${Math.round(median(mine.map((r) => r.messagesPerSecond)))} | ${median(mine.map((r) => r.p50)).toFixed(2)} | ${median(mine.map((r) => r.p99)).toFixed(2)} | ${ratio('memory', (r) => r.p50)} | ${ratio('redis-same', (r) => r.p50)} | ${ratio('memory', (r) => r.messagesPerSecond)} | ${median(mine.map((r) => r.redisCallsPerMessage)).toFixed(3)} | ${otherCommands(mine)} | ${median(mine.map((r) => r.serverCpuMicrosPerMessage)).toFixed(1)} + ${median(mine.map((r) => r.redisCpuMicrosPerMessage)).toFixed(1)} | ${median(mine.map((r) => r.generatorCpuMicrosPerMessage)).toFixed(1)} |`,
    );
  }
}
const idleRatio = (mode: IdleMode, pick: (row: IdleRow) => number) => {
  const mine = idle.filter((row) => row.mode === mode);
  return ratioCell(mine.map(pick), mine.map((row) => pick(idle.find((o) => o.mode === 'memory' && o.repeat === row.repeat) as IdleRow)));
};
const idleMedian = (mode: IdleMode, pick: (row: IdleRow) => number) => Math.round(median(idle.filter((row) => row.mode === mode).map(pick)));
if (idle.length > 0) {
  lines.push(
    '',
    `Idle memory per connection (greeted and joined; after a forced GC; delta from ${IDLE.warmPairs * 2} to ${IDLE.pairs * 2} connections; redis-cross summed over both instances; ${IDLE.repeats} repeat(s); ratios per repeat, median (min–max) [95 % bootstrap interval]):`,
    '',
    '| mode | RSS | RSS ÷ memory | JS heap | heap ÷ memory | external | heap spaces reserved (young generation) | RSS at baseline |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const mode of IDLE_MODES) {
    const rss = (r: IdleRow) => r.rssPerConnection;
    const heap = (r: IdleRow) => r.heapPerConnection;
    lines.push(
      `| ${mode} | ${idleMedian(mode, rss)} B | ${idleRatio(mode, rss)} | ${idleMedian(mode, heap)} B | ${idleRatio(mode, heap)} | ${idleMedian(mode, (r) => r.externalPerConnection)} B | ${idleMedian(mode, (r) => r.heapSpacesPerConnection)} B (${idleMedian(mode, (r) => r.newSpacePerConnection)} B) | ${(median(idle.filter((r) => r.mode === mode).map((r) => r.baselineRss)) / 2 ** 20).toFixed(1)} MiB |`,
    );
  }
}
const results = `${JSON.stringify({ date: new Date().toISOString(), quick, part: PART, rows, idle }, null, 2)}\n`;
// A partial run (--part) prints its figures but leaves the recorded full results alone.
if (PART === 'all') writeFileSync(join(here, '..', '..', '..', 'bench', 'results', 'scale.json'), results);
else console.error(results);
console.log(lines.join('\n'));
