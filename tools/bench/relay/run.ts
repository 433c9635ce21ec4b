/**
 * Runs the relay comparison: for every repeat, every configuration and every contender (order
 * rotated per repeat), a fresh server pinned to core 0 and a fresh load generator pinned to core 1.
 * Ratios are taken within a repeat (same minute, same machine state) and the median of those ratios
 * is what the report quotes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cpuSeconds, freePort, rssBytes, sleep, spawnPinned, stop, waitForPort, type PinnedProcess } from '../lib/proc.js';
import { summarizeProfile, type ProfileSummary } from '../lib/profile-summary.js';
import { median, rotate } from '../lib/stats.js';
import { CONTENDER_IDS, type ContenderId } from './clients.js';
import type { IdleConfig, LoadConfig, LoadResult } from './loadgen.js';
import { launchSpec, PEERCHART_RAISED_FLAGS, TOOLS_DIR } from './servers.js';

export const SERVER_CORE = 0;
export const GENERATOR_CORE = 1;

export interface RelaySettings {
  contenders: ContenderId[];
  repeats: number;
  warmupMs: number;
  durationMs: number;
  configs: { pairs: number; window: number }[];
  idle: { repeats: number; warmClients: number; totalClients: number };
  /** Contenders to run once more per configuration under `node --cpu-prof`, for the where-the-time-goes summary. */
  profile: ContenderId[];
}

export const DEFAULT_RELAY_SETTINGS: RelaySettings = {
  contenders: [...CONTENDER_IDS],
  // Four short repeats rather than three long ones: on a shared machine the noise comes in bursts
  // of seconds, and a median over more repeats shrugs off more of them.
  repeats: 4,
  warmupMs: 1_500,
  durationMs: 3_000,
  configs: [
    { pairs: 50, window: 1 },
    { pairs: 500, window: 32 },
  ],
  idle: { repeats: 2, warmClients: 200, totalClients: 5_000 },
  profile: [],
};

export interface LoadRun extends LoadResult {
  repeat: number;
  pairs: number;
  window: number;
  contender: ContenderId;
  /** Server CPU seconds per wall second during the window (1 = the whole server core). */
  serverCpu: number;
}

export interface IdleRun {
  repeat: number;
  contender: ContenderId;
  rssWarmBytes: number;
  rssFullBytes: number;
  clients: number;
  bytesPerConnection: number;
  closed: number;
}

/** JSON lines from a child's stdout, as an async queue with a bounded wait. */
function eventsOf(proc: PinnedProcess) {
  const queue: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  const lines = createInterface({ input: proc.child.stdout! });
  lines.on('line', (line) => {
    try {
      queue.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      queue.push({ event: 'noise', line });
    }
    wake?.();
  });
  lines.on('close', () => {
    queue.push({ event: 'exit' });
    wake?.();
  });
  return async function next(expected: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = queue.shift();
      if (event?.event === expected) return event;
      if (event?.event === 'error' || event?.event === 'exit') throw new Error(`load generator: ${JSON.stringify(event)}`);
      if (event) continue;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`load generator: no "${expected}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };
}

async function startServer(contender: ContenderId, profileDir?: string): Promise<{ server: PinnedProcess; port: number }> {
  const port = await freePort();
  const spec = launchSpec(contender, port);
  const args = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...spec.args] : spec.args;
  const server = spawnPinned(SERVER_CORE, spec.command, args, { env: spec.env, cwd: TOOLS_DIR });
  await waitForPort(port);
  return { server, port };
}

function startGenerator(config: LoadConfig | IdleConfig): PinnedProcess {
  return spawnPinned(
    GENERATOR_CORE,
    process.execPath,
    ['--import', 'tsx', join(TOOLS_DIR, 'bench', 'relay', 'loadgen.ts'), JSON.stringify(config)],
    { cwd: TOOLS_DIR, stdin: 'pipe', stdout: 'pipe' },
  );
}

async function loadRun(
  settings: RelaySettings,
  repeat: number,
  contender: ContenderId,
  pairs: number,
  window: number,
  profileDir?: string,
  /** Receives the measured window on the monotonic clock (µs), which V8's CPU profiles also use. */
  onWindow?: (startMicros: number, endMicros: number) => void,
): Promise<LoadRun> {
  const { server, port } = await startServer(contender, profileDir);
  const generator = startGenerator({ mode: 'load', contender, port, pairs, window, warmupMs: settings.warmupMs, durationMs: settings.durationMs });
  const next = eventsOf(generator);
  try {
    await next('connected', 130_000);
    await next('window-start', settings.warmupMs + 30_000);
    const cpu0 = cpuSeconds(server.pid);
    const t0 = performance.now();
    const monotonic0 = monotonicMicros();
    await next('window-end', settings.durationMs + 30_000);
    const serverCpu = (cpuSeconds(server.pid) - cpu0) / ((performance.now() - t0) / 1000);
    onWindow?.(monotonic0, monotonicMicros());
    const { result } = (await next('result', 30_000)) as unknown as { result: LoadResult };
    return { repeat, pairs, window, contender, serverCpu, ...result };
  } finally {
    await stop(generator);
    await stop(server);
  }
}

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

async function sampleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    samples.push(rssBytes(pid));
    await sleep(250);
  }
  return median(samples);
}

async function idleRun(settings: RelaySettings, repeat: number, contender: ContenderId): Promise<IdleRun> {
  const { server, port } = await startServer(contender);
  const { warmClients, totalClients } = settings.idle;
  const generator = startGenerator({ mode: 'idle', contender, port, warmClients, totalClients });
  const next = eventsOf(generator);
  const proceed = () => generator.child.stdin!.write('go\n');
  try {
    await next('idle-warm', 60_000);
    await sleep(1_000);
    const rssWarmBytes = await sampleRss(server.pid);
    proceed();
    const full = await next('idle-full', 130_000);
    await sleep(2_000);
    const rssFullBytes = await sampleRss(server.pid);
    proceed();
    await next('result', 30_000);
    const clients = Number(full.clients);
    return {
      repeat,
      contender,
      rssWarmBytes,
      rssFullBytes,
      clients,
      bytesPerConnection: (rssFullBytes - rssWarmBytes) / (clients - warmClients),
      closed: Number(full.closed),
    };
  } finally {
    generator.child.stdin?.end();
    await stop(generator);
    await stop(server);
  }
}

export interface ProfiledRun {
  contender: ContenderId;
  pairs: number;
  window: number;
  messagesPerSecond: number;
  serverCpu: number;
  /** Server CPU µs per delivered message (whole process, window only). */
  cpuMicrosPerMessage: number;
  /** Self time during the measured window only (start-up and connection set-up excluded), busy time only. */
  profile: ProfileSummary;
}

export interface RelayResults {
  benchmark: 'relay';
  settings: RelaySettings & { peerchartRaisedFlags: string[]; serverCore: number; generatorCore: number };
  load: LoadRun[];
  idle: IdleRun[];
  profiles: ProfiledRun[];
  summary: RelaySummary;
}

/** One extra run under `node --cpu-prof`; the profile is summarised and the raw file discarded. */
async function profiledRun(settings: RelaySettings, contender: ContenderId, pairs: number, window: number): Promise<ProfiledRun> {
  const dir = mkdtempSync(join(tmpdir(), 'peerchart-prof-'));
  try {
    let measured: [number, number] | undefined;
    const run = await loadRun(settings, -1, contender, pairs, window, dir, (start, end) => (measured = [start, end]));
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`${contender} wrote no CPU profile (did it exit on SIGTERM?)`);
    const profile = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), 15, measured);
    return {
      contender,
      pairs,
      window,
      messagesPerSecond: run.messagesPerSecond,
      serverCpu: run.serverCpu,
      cpuMicrosPerMessage: (run.serverCpu * 1e6) / run.messagesPerSecond,
      profile,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RelayRow {
  contender: ContenderId;
  messagesPerSecond: number;
  /** Median over repeats of (contender ÷ bare relay in the same repeat). */
  throughputRatio: number;
  p50Ms: number;
  p99Ms: number;
  p99Ratio: number;
  serverCpu: number;
  /** Server CPU µs per delivered message: efficiency even when the generator is the limit. */
  cpuMicrosPerMessage: number;
  cpuPerMessageRatio: number;
  generatorCpu: number;
  unexpectedFrames: number;
}

export interface RelaySummary {
  configs: { pairs: number; window: number; rows: RelayRow[] }[];
  idle: { contender: ContenderId; bytesPerConnection: number; ratio: number }[];
}

const cpuPerMessage = (run: LoadRun) => (run.serverCpu * 1e6) / run.messagesPerSecond;

/** Medians of per-repeat ratios against the bare relay. */
export function summarize(load: LoadRun[], idle: IdleRun[], settings: RelaySettings): RelaySummary {
  const perRepeatRatio = <T extends { repeat: number; contender: ContenderId }>(runs: T[], contender: ContenderId, value: (run: T) => number) =>
    median(
      runs
        .filter((run) => run.contender === contender)
        .map((run) => {
          const base = runs.find((other) => other.contender === 'bare' && other.repeat === run.repeat);
          return base ? value(run) / value(base) : Number.NaN;
        }),
    );
  const configs = settings.configs.map(({ pairs, window }) => {
    const runs = load.filter((run) => run.pairs === pairs && run.window === window);
    const rows = settings.contenders.map((contender): RelayRow => {
      const mine = runs.filter((run) => run.contender === contender);
      return {
        contender,
        messagesPerSecond: median(mine.map((run) => run.messagesPerSecond)),
        throughputRatio: perRepeatRatio(runs, contender, (run) => run.messagesPerSecond),
        p50Ms: median(mine.map((run) => run.latencyMs.p50)),
        p99Ms: median(mine.map((run) => run.latencyMs.p99)),
        p99Ratio: perRepeatRatio(runs, contender, (run) => run.latencyMs.p99),
        serverCpu: median(mine.map((run) => run.serverCpu)),
        cpuMicrosPerMessage: median(mine.map(cpuPerMessage)),
        cpuPerMessageRatio: perRepeatRatio(runs, contender, cpuPerMessage),
        generatorCpu: median(mine.map((run) => run.generatorCpu)),
        unexpectedFrames: mine.reduce((sum, run) => sum + run.unexpectedFrames, 0),
      };
    });
    return { pairs, window, rows };
  });
  const idleRows = settings.contenders.map((contender) => ({
    contender,
    bytesPerConnection: median(idle.filter((run) => run.contender === contender).map((run) => run.bytesPerConnection)),
    ratio: perRepeatRatio(idle, contender, (run) => run.bytesPerConnection),
  }));
  return { configs, idle: idleRows };
}

export async function runRelay(settings: RelaySettings, log: (line: string) => void): Promise<RelayResults> {
  const load: LoadRun[] = [];
  const idle: IdleRun[] = [];
  for (let repeat = 0; repeat < settings.repeats; repeat += 1) {
    for (const { pairs, window } of settings.configs) {
      for (const contender of rotate(settings.contenders, repeat)) {
        const run = await loadRun(settings, repeat, contender, pairs, window);
        load.push(run);
        log(
          `relay r${repeat} P=${pairs} W=${window} ${contender.padEnd(9)} ${Math.round(run.messagesPerSecond)} msg/s ` +
            `p50 ${run.latencyMs.p50.toFixed(2)} ms p99 ${run.latencyMs.p99.toFixed(2)} ms ` +
            `server cpu ${run.serverCpu.toFixed(2)} gen cpu ${run.generatorCpu.toFixed(2)}` +
            (run.unexpectedFrames || run.closedEarly ? ` unexpected ${run.unexpectedFrames} closed ${run.closedEarly}` : ''),
        );
      }
    }
  }
  for (let repeat = 0; repeat < settings.idle.repeats; repeat += 1) {
    for (const contender of rotate(settings.contenders, repeat)) {
      const run = await idleRun(settings, repeat, contender);
      idle.push(run);
      log(`idle r${repeat} ${contender.padEnd(9)} ${Math.round(run.bytesPerConnection)} B/connection (${run.clients} clients, ${run.closed} closed)`);
    }
  }
  const profiles: ProfiledRun[] = [];
  for (const { pairs, window } of settings.configs) {
    for (const contender of settings.profile) {
      const run = await profiledRun(settings, contender, pairs, window);
      profiles.push(run);
      const top = run.profile.byPackage.slice(0, 5).map((row) => `${row.name} ${row.pct}%`).join(', ');
      log(`profile P=${pairs} W=${window} ${contender.padEnd(9)} ${run.cpuMicrosPerMessage.toFixed(1)} µs CPU/msg; ${top}`);
    }
  }
  return {
    benchmark: 'relay',
    settings: { ...settings, peerchartRaisedFlags: PEERCHART_RAISED_FLAGS, serverCore: SERVER_CORE, generatorCore: GENERATOR_CORE },
    load,
    idle,
    profiles,
    summary: summarize(load, idle, settings),
  };
}

