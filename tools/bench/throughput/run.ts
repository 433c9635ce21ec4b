/**
 * Data API throughput in headless Chromium: bulk binary from one page to another on loopback, through
 * Peerchart's data API (`createRoom` + `DATA.SEND`, its real server for signaling) and through a raw
 * RTCPeerConnection data channel with a hand-written sender (same 64 KiB chunks, same 256 KiB
 * `bufferedAmount` threshold). Each contender keeps one connected pair of pages for the whole run;
 * transfers alternate between the contenders (order rotated per round) and between the two pages as
 * sender. A transfer's time runs from the sender's first `send` to the receiver's last chunk, on the
 * clock the pages of one browser share; MB/s = bytes ÷ that time (MB = 10⁶ bytes).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_BASE_FLAGS, CHROMIUM_PATH } from '../../dev/chromium.js';
import { bundlePage, modulePage, servePages, startProfile } from '../lib/pages.js';
import { freePort, LOOPBACK, spawnPinned, stop, waitForPort, type PinnedProcess } from '../lib/proc.js';
import { bootstrapMedian, median, rotate } from '../lib/stats.js';
import { launchSpec, TOOLS_DIR } from '../relay/servers.js';
import type { Receipt } from './pages/transfer.js';

export const THROUGHPUT_CONTENDER_IDS = ['raw', 'peerchart'] as const;
export type ThroughputContenderId = (typeof THROUGHPUT_CONTENDER_IDS)[number];

export const THROUGHPUT_CONTENDER_LABELS: Record<ThroughputContenderId, string> = {
  raw: 'raw RTCDataChannel (hand-written backpressure)',
  peerchart: 'Peerchart data API (DATA.SEND / onData)',
};

export interface ThroughputSettings {
  /** Bytes per transfer (a whole number of 64 KiB chunks; at most the data API's 16 MiB queue). */
  bytes: number;
  /** Rounds; in each, every contender makes `transfersPerRound` transfers, contenders in rotated order. */
  rounds: number;
  transfersPerRound: number;
  /** Unmeasured transfers per contender before the first round. */
  warmupTransfers: number;
  transferTimeoutMs: number;
}

export const DEFAULT_THROUGHPUT_SETTINGS: ThroughputSettings = {
  bytes: 16 * 1024 * 1024,
  // 8 rounds gave 95 % intervals 0.25 wide (per-round ratios range 0.75–1.15× here); 32 narrow them to ~0.07.
  rounds: 32,
  transfersPerRound: 2,
  warmupTransfers: 2,
  transferTimeoutMs: 60_000,
};

export interface Transfer {
  contender: ThroughputContenderId;
  round: number;
  index: number;
  /** Which page sent: the one created first in its context, or the second. */
  sender: 'first' | 'second';
  ok: boolean;
  error?: string;
  /** Sender's first send → receiver's last chunk. */
  ms?: number;
  /** Sender's first send → receiver's first chunk. */
  firstChunkMs?: number;
  mbPerSecond?: number;
}

export interface ThroughputSummaryRow {
  contender: ThroughputContenderId;
  transfers: number;
  failed: number;
  mbPerSecond: number;
  minMbPerSecond: number;
  maxMbPerSecond: number;
  firstChunkMs: number;
}

export interface ThroughputRatio {
  /** Median over the rounds of (Peerchart's median MB/s in the round ÷ raw's in the same round). */
  median: number;
  min: number;
  max: number;
  perRound: number[];
  /** 95 % bootstrap interval of that median (the rounds resampled). */
  interval: [number, number];
}

export interface ThroughputResults {
  benchmark: 'throughput';
  settings: ThroughputSettings & { chromium: string; flags: string[] };
  transfers: Transfer[];
  summary: ThroughputSummaryRow[];
  ratio: ThroughputRatio;
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** Set: both pages of every measured transfer are CPU-profiled (Chromium's Profiler, through CDP) into this folder, unminified. */
const PROFILE_DIR = process.env.BENCH_THROUGHPUT_PROFILE;
export const THROUGHPUT_FLAGS = [...CHROMIUM_BASE_FLAGS];

/** Every step in a page is bounded: a library that hangs must not hang the benchmark. */
async function bounded<T>(step: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([step, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function startServer(id: 'bare' | 'peerchart', processes: PinnedProcess[]): Promise<number> {
  const port = await freePort();
  const spec = launchSpec(id, port);
  // Not pinned: here the browser is the busy one.
  processes.push(spawnPinned('0-1', spec.command, spec.args, { env: spec.env, cwd: TOOLS_DIR }));
  await waitForPort(port, 60_000); // a loaded machine can take its time
  return port;
}


/** One transfer of `bytes` from `sender` to `receiver`; the receiver checks every chunk's size and order. */
async function transfer(sender: Page, receiver: Page, bytes: number, timeoutMs: number, profileAs?: string): Promise<Pick<Transfer, 'ok' | 'error' | 'ms' | 'firstChunkMs' | 'mbPerSecond'>> {
  await receiver.evaluate((total) => window.throughput.expect(total), bytes);
  const profiling = profileAs ? await Promise.all([sender, receiver].map((page) => startProfile(page))) : [];
  const startedAt = await sender.evaluate((total) => window.throughput.send(total), bytes);
  const receipt: Receipt | null = await bounded(receiver.evaluate(() => window.throughput.finished()), timeoutMs, 'transfer');
  await Promise.all(profiling.map((stopProfile, i) => stopProfile(join(PROFILE_DIR!, `${profileAs}-${i === 0 ? 'sender' : 'receiver'}.cpuprofile`))));
  if (!receipt || receipt.error || receipt.lastAt === undefined || receipt.received !== bytes) {
    return { ok: false, error: receipt?.error ?? `received ${receipt?.received ?? 0} of ${bytes} bytes` };
  }
  const ms = receipt.lastAt - startedAt;
  return { ok: true, ms, firstChunkMs: receipt.firstAt! - startedAt, mbPerSecond: bytes / 1e6 / (ms / 1000) };
}

export function summarizeThroughput(transfers: Transfer[], rounds: number): { summary: ThroughputSummaryRow[]; ratio: ThroughputRatio } {
  const rates = (contender: ThroughputContenderId, round?: number) =>
    transfers.filter((t) => t.contender === contender && t.ok && (round === undefined || t.round === round)).map((t) => t.mbPerSecond!);
  const summary = THROUGHPUT_CONTENDER_IDS.map((contender) => {
    const mine = transfers.filter((t) => t.contender === contender);
    const values = rates(contender);
    return {
      contender,
      transfers: mine.length,
      failed: mine.filter((t) => !t.ok).length,
      mbPerSecond: median(values),
      minMbPerSecond: Math.min(...values),
      maxMbPerSecond: Math.max(...values),
      firstChunkMs: median(mine.filter((t) => t.ok).map((t) => t.firstChunkMs!)),
    };
  });
  const perRound = Array.from({ length: rounds }, (_, round) => median(rates('peerchart', round)) / median(rates('raw', round))).filter(Number.isFinite);
  return {
    summary,
    ratio: {
      median: median(perRound),
      min: Math.min(...perRound),
      max: Math.max(...perRound),
      perRound,
      interval: bootstrapMedian(perRound),
    },
  };
}

export async function runThroughput(settings: ThroughputSettings, log: (line: string) => void): Promise<ThroughputResults> {
  const scripts: Record<string, string> = {};
  for (const id of THROUGHPUT_CONTENDER_IDS) scripts[`/${id}.js`] = await bundlePage(join(here, 'pages', `${id}.ts`), { minify: !PROFILE_DIR });
  const pageServer = await servePages(Object.fromEntries(THROUGHPUT_CONTENDER_IDS.map((id) => [id, modulePage(id)])), scripts);
  const processes: PinnedProcess[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: THROUGHPUT_FLAGS, headless: true });
  const chromiumVersion = browser.version();
  const transfers: Transfer[] = [];
  try {
    const relayPort = await startServer('bare', processes);
    const peerchartPort = await startServer('peerchart', processes);
    const pairs = {} as Record<ThroughputContenderId, [Page, Page]>;
    for (const id of THROUGHPUT_CONTENDER_IDS) {
      const context = await browser.newContext();
      const pages: [Page, Page] = [await context.newPage(), await context.newPage()];
      const room = `throughput-${id}-${Date.now().toString(36)}`;
      for (const [side, page] of pages.entries()) {
        await page.goto(`${pageServer.origin}/${id}.html`);
        await page.waitForFunction(() => window.throughput !== undefined, undefined, { timeout: 10_000 });
        const options =
          id === 'raw'
            ? { relayUrl: `ws://${LOOPBACK}:${relayPort}/?room=${room}`, second: side === 1 }
            : { signalingUrl: `ws://${LOOPBACK}:${peerchartPort}/ws`, room };
        await bounded(page.evaluate((o) => window.throughput.setup(o), options), 60_000, `${id} setup`);
      }
      await bounded(Promise.all(pages.map((page) => page.evaluate(() => window.throughput.ready()))), 60_000, `${id} connection`);
      pairs[id] = pages;
      log(`throughput: ${id} pages connected`);
    }
    const run = async (contender: ThroughputContenderId, round: number, index: number, measured: boolean) => {
      const from = index % 2;
      const [sender, receiver] = [pairs[contender][from]!, pairs[contender][1 - from]!];
      const profileAs = PROFILE_DIR && measured ? `${contender}-r${round}-${index}` : undefined;
      const result = await transfer(sender, receiver, settings.bytes, settings.transferTimeoutMs, profileAs).catch((error: unknown) => ({
        ok: false,
        error: error instanceof Error ? error.message.split('\n')[0] : String(error),
      }));
      if (!result.ok) {
        const pageErrors = await Promise.all(pairs[contender].map((page) => page.evaluate(() => window.throughput.errors.join('; ')).catch(() => '')));
        result.error = `${result.error} ${pageErrors.filter(Boolean).join(' | ')}`.trim();
      }
      const entry: Transfer = { contender, round, index, sender: from === 0 ? 'first' : 'second', ...result };
      log(
        `throughput ${measured ? `r${round} #${index}` : 'warm-up'} ${contender.padEnd(9)} ` +
          (entry.ok ? `${entry.mbPerSecond!.toFixed(1)} MB/s (${entry.ms!.toFixed(0)} ms, first chunk ${entry.firstChunkMs!.toFixed(1)} ms)` : `FAILED: ${entry.error}`),
      );
      return entry;
    };
    for (const contender of THROUGHPUT_CONTENDER_IDS) {
      for (let index = 0; index < settings.warmupTransfers; index += 1) await run(contender, -1, index, false);
    }
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const contender of rotate(THROUGHPUT_CONTENDER_IDS, round)) {
        for (let index = 0; index < settings.transfersPerRound; index += 1) transfers.push(await run(contender, round, index, true));
      }
    }
  } finally {
    await browser.close();
    await Promise.all(processes.map((proc) => stop(proc)));
    await pageServer.close();
  }
  return {
    benchmark: 'throughput',
    settings: { ...settings, chromium: chromiumVersion, flags: THROUGHPUT_FLAGS },
    transfers,
    ...summarizeThroughput(transfers, settings.rounds),
  };
}
