/**
 * Call set-up in headless Chromium: two pages of one browser, local media already acquired and
 * signaling already connected; the runner says "call" on one page and reads, from both pages,
 * when `connectionState` reached `connected` and when the first remote video frame was decoded
 * (`requestVideoFrameCallback`). Contenders run in blocks of calls, block order rotated per round;
 * the calling page alternates every call, since the page created first is sometimes slow to show
 * its first remote frame whatever the library.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, LOOPBACK, packageDir, sleep, spawnPinned, stop, waitForPort, type PinnedProcess } from '../lib/proc.js';
import { bundlePage, modulePage, servePages, startProfile, type PageServer } from '../lib/pages.js';
import { bootstrapRatioOfMedians, median, rotate } from '../lib/stats.js';
import { launchSpec, TOOLS_DIR } from '../relay/servers.js';
import { CHROMIUM_BASE_FLAGS, CHROMIUM_PATH, FAKE_MEDIA_UI_FLAG } from '../../dev/chromium.js';

export const CALL_CONTENDER_IDS = ['raw', 'raw-channel', 'peerchart', 'simple-peer', 'peerjs'] as const;
export type CallContenderId = (typeof CALL_CONTENDER_IDS)[number];

export const CALL_CONTENDER_LABELS: Record<CallContenderId, string> = {
  raw: 'raw RTCPeerConnection + bare relay',
  'raw-channel': 'raw + a negotiated data channel',
  peerchart: 'Peerchart (createRoom + its server)',
  'simple-peer': 'simple-peer + bare relay',
  peerjs: 'PeerJS + peerjs-server',
};

export const CHROMIUM_FLAGS = [...CHROMIUM_BASE_FLAGS, FAKE_MEDIA_UI_FLAG];

export interface CallSettings {
  contenders: CallContenderId[];
  /** Measured calls per contender, split into `rounds` blocks. */
  calls: number;
  rounds: number;
  /** Unmeasured calls at the start of each block (first-use costs in the page). */
  warmupCalls: number;
  callTimeoutMs: number;
  /** `--steps`: Peerchart's machines report their transitions too (createRoom's `inspect`), for the steps table. */
  steps: boolean;
}

export const DEFAULT_CALL_SETTINGS: CallSettings = {
  contenders: [...CALL_CONTENDER_IDS],
  calls: 20,
  rounds: 4,
  warmupCalls: 1,
  callTimeoutMs: 15_000,
  steps: false,
};

/** One measured call; times in ms from "call" on the calling page. */
export interface CallRun {
  contender: CallContenderId;
  round: number;
  index: number;
  /** Which page called: the one created first in its context, or the second. */
  caller: 'first' | 'second';
  ok: boolean;
  error?: string;
  /** When each side created its RTCPeerConnection: the signaling before negotiation. */
  pcCallerMs?: number;
  pcCalleeMs?: number;
  connectedCallerMs?: number;
  connectedCalleeMs?: number;
  connectedBothMs?: number;
  frameCallerMs?: number;
  frameCalleeMs?: number;
  frameBothMs?: number;
  /** First remote frame on the page created second, whichever role it had: the headline figure. */
  frameSecondPageMs?: number;
  /** From the caller's RTCPeerConnection to connected on both sides: negotiation alone, without the signaling before it. */
  negotiationMs?: number;
  /** Every handshake step each page saw (instrument.ts; with `steps`, Peerchart's machine transitions too), ms from "call". */
  steps?: { caller: Record<string, number>; callee: Record<string, number> };
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** Set: every call's two pages are CPU-profiled (Chromium's Profiler, through CDP) into this folder, unminified. */
const PROFILE_DIR = process.env.BENCH_CALLS_PROFILE;

/** One page per contender and the scripts it needs (simple-peer's own browser build first on its page). */
async function startPageServer(contenders: CallContenderId[]): Promise<PageServer> {
  const scripts: Record<string, string> = {
    '/simplepeer.min.js': readFileSync(join(packageDir('simple-peer', TOOLS_DIR), 'simplepeer.min.js'), 'utf8'),
  };
  // A CPU profile (BENCH_CALLS_PROFILE) wants the functions' names.
  for (const contender of contenders) scripts[`/${contender}.js`] = await bundlePage(join(here, 'pages', `${contender}.ts`), { minify: !PROFILE_DIR });
  const pages = Object.fromEntries(contenders.map((contender) => [contender, modulePage(contender, contender === 'simple-peer' ? ['/simplepeer.min.js'] : [])]));
  return servePages(pages, scripts);
}

interface SignalingServers {
  relayPort: number;
  peerjsPort: number;
  peerchartPort: number;
  processes: PinnedProcess[];
}

/** The servers the pages signal through; not pinned: here the browser is the busy one. */
async function startSignalingServers(contenders: CallContenderId[]): Promise<SignalingServers> {
  const processes: PinnedProcess[] = [];
  const start = async (id: 'bare' | 'peerjs' | 'peerchart') => {
    const port = await freePort();
    const spec = launchSpec(id, port);
    processes.push(spawnPinned('0-1', spec.command, spec.args, { env: spec.env, cwd: TOOLS_DIR }));
    await waitForPort(port);
    return port;
  };
  const needs = (id: CallContenderId) => contenders.includes(id);
  const relayPort = needs('raw') || needs('raw-channel') || needs('simple-peer') ? await start('bare') : 0;
  const peerjsPort = needs('peerjs') ? await start('peerjs') : 0;
  const peerchartPort = needs('peerchart') ? await start('peerchart') : 0;
  return { relayPort, peerjsPort, peerchartPort, processes };
}

function setupOptions(contender: CallContenderId, servers: SignalingServers, block: string, side: 0 | 1, steps: boolean): Record<string, unknown> {
  switch (contender) {
    case 'raw':
    case 'raw-channel':
    case 'simple-peer':
      return { relayUrl: `ws://${LOOPBACK}:${servers.relayPort}/?room=${block}` };
    case 'peerjs':
      return { port: servers.peerjsPort, id: `${block}-${side}`, otherId: `${block}-${1 - side}` };
    case 'peerchart':
      return { signalingUrl: `ws://${LOOPBACK}:${servers.peerchartPort}/ws`, room: block, steps };
  }
}

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

type Marks = { call?: number; pc?: number; connected?: number; frame?: number; steps?: Record<string, number> };

async function measureCall(caller: Page, callee: Page, callNo: number, timeoutMs: number, label: string): Promise<{ caller: Marks; callee: Marks }> {
  await bounded(callee.evaluate(() => window.bench.listen()), timeoutMs, 'listen');
  const profiling = PROFILE_DIR ? await Promise.all([caller, callee].map((page) => startProfile(page))) : [];
  await bounded(caller.evaluate((n) => window.bench.call(n), callNo), timeoutMs, 'call');
  const done = (page: Page) =>
    page.waitForFunction(() => {
      const m = window.bench.marks();
      return m.connected !== undefined && m.frame !== undefined;
    }, undefined, { timeout: timeoutMs, polling: 20 });
  await Promise.all([done(caller), done(callee)]);
  await Promise.all(profiling.map((stopProfile, i) => stopProfile(join(PROFILE_DIR!, `${label}-${i === 0 ? 'caller' : 'callee'}.cpuprofile`))));
  const [a, b] = await Promise.all([caller.evaluate(() => window.bench.marks()), callee.evaluate(() => window.bench.marks())]);
  return { caller: a, callee: b };
}


async function runBlock(
  browser: Browser,
  origin: string,
  servers: SignalingServers,
  settings: CallSettings,
  contender: CallContenderId,
  round: number,
  calls: number,
  log: (line: string) => void,
): Promise<CallRun[]> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const runs: CallRun[] = [];
  try {
    const pages = [await context.newPage(), await context.newPage()] as const;
    const block = `b${round}${contender.replace(/[^a-z]/g, '')}${Date.now().toString(36)}`;
    for (const page of pages) await page.goto(`${origin}/${contender}.html`);
    for (const page of pages) await page.waitForFunction(() => window.bench !== undefined, undefined, { timeout: 10_000 });
    // Sequential setup: the first page is in the room (or registered) before the second arrives.
    for (const [side, page] of pages.entries()) {
      await bounded(
        page.evaluate((options) => window.bench.setup(options), setupOptions(contender, servers, block, side as 0 | 1, settings.steps)),
        settings.callTimeoutMs,
        'setup',
      );
    }
    for (let index = 0; index < settings.warmupCalls + calls; index += 1) {
      const callerSide = (index + round) % 2;
      const caller = pages[callerSide]!;
      const callee = pages[1 - callerSide]!;
      const run: CallRun = { contender, round, index: index - settings.warmupCalls, caller: callerSide === 0 ? 'first' : 'second', ok: false };
      try {
        const m = await measureCall(caller, callee, round * 1000 + index, settings.callTimeoutMs, `${contender}-r${round}-${index}`);
        const t0 = m.caller.call!;
        run.ok = true;
        run.pcCallerMs = m.caller.pc! - t0;
        run.pcCalleeMs = m.callee.pc! - t0;
        run.connectedCallerMs = m.caller.connected! - t0;
        run.connectedCalleeMs = m.callee.connected! - t0;
        run.connectedBothMs = Math.max(run.connectedCallerMs, run.connectedCalleeMs);
        run.frameCallerMs = m.caller.frame! - t0;
        run.frameCalleeMs = m.callee.frame! - t0;
        run.frameBothMs = Math.max(run.frameCallerMs, run.frameCalleeMs);
        run.frameSecondPageMs = callerSide === 1 ? run.frameCallerMs : run.frameCalleeMs;
        run.negotiationMs = run.connectedBothMs - run.pcCallerMs;
        const relative = (steps: Record<string, number> = {}) => Object.fromEntries(Object.entries(steps).map(([step, at]) => [step, at - t0]));
        run.steps = { caller: relative(m.caller.steps), callee: relative(m.callee.steps) };
      } catch (error) {
        const pageErrors = await Promise.all(pages.map((page) => page.evaluate(() => window.bench.errors.join('; ')).catch(() => '')));
        run.error = `${error instanceof Error ? error.message.split('\n')[0] : String(error)} ${pageErrors.join(' | ')}`.trim();
      }
      if (index >= settings.warmupCalls) {
        runs.push(run);
        log(
          run.ok
            ? `calls ${contender.padEnd(11)} r${round} #${run.index} caller=${run.caller.padEnd(6)} pc ${run.pcCallerMs!.toFixed(0)}/${run.pcCalleeMs!.toFixed(0)} ms, connected ${run.connectedBothMs!.toFixed(0)} ms, ` +
                `first frame caller ${run.frameCallerMs!.toFixed(0)} / callee ${run.frameCalleeMs!.toFixed(0)} / 2nd page ${run.frameSecondPageMs!.toFixed(0)} ms`
            : `calls ${contender} r${round} #${run.index} FAILED: ${run.error}`,
        );
      }
      // A hang-up that does not finish leaves the pages in an unknown state: end this block.
      const hungUp = await bounded(Promise.all(pages.map((page) => page.evaluate(() => window.bench.hangup()))), settings.callTimeoutMs, 'hangup').then(
        () => true,
        (error: unknown) => {
          log(`calls ${contender} r${round}: ${String(error)}; ending the block early`);
          return false;
        },
      );
      if (!hungUp) break;
      await sleep(150);
    }
  } finally {
    await context.close();
  }
  return runs;
}

export interface CallSummaryRow {
  contender: CallContenderId;
  calls: number;
  failed: number;
  connectedBothMs: number;
  frameCallerMs: number;
  frameCalleeMs: number;
  frameBothMs: number;
  frameSecondPageMs: number;
  pcCallerMs: number;
  pcCalleeMs: number;
  negotiationMs: number;
  /** Ratios of medians against the raw lower bound. */
  connectedRatio: number;
  frameCallerRatio: number;
  frameBothRatio: number;
  frameSecondPageRatio: number;
  /** 95 % bootstrap intervals of the two headline ratios (see bootstrapRatioOfMedians). */
  connectedRatioInterval: [number, number];
  frameSecondPageRatioInterval: [number, number];
}

/** Peerchart ÷ another contender, for the "no slower than" targets: ratio of medians and its 95 % bootstrap interval. */
export interface CallVersusRow {
  baseline: CallContenderId;
  connectedRatio: number;
  connectedRatioInterval: [number, number];
  frameSecondPageRatio: number;
  frameSecondPageRatioInterval: [number, number];
}

/** One handshake step on one page (the caller's or the callee's): its median time per contender, ms from "call". */
export interface CallStepRow {
  side: 'caller' | 'callee';
  step: string;
  medians: Partial<Record<CallContenderId, number>>;
  /** In how many of the contender's successful calls the step was seen. */
  seen: Partial<Record<CallContenderId, number>>;
}

const valuesOf = (runs: CallRun[], contender: CallContenderId, key: keyof CallRun) =>
  runs.filter((run) => run.contender === contender && run.ok).map((run) => run[key] as number);

export function summarizeCalls(runs: CallRun[], contenders: CallContenderId[]): CallSummaryRow[] {
  const med = (contender: CallContenderId, key: keyof CallRun) => median(valuesOf(runs, contender, key));
  return contenders.map((contender) => {
    const mine = runs.filter((run) => run.contender === contender);
    const ratio = (key: keyof CallRun) => med(contender, key) / med('raw', key);
    const interval = (key: keyof CallRun) => bootstrapRatioOfMedians(valuesOf(runs, contender, key), valuesOf(runs, 'raw', key));
    return {
      contender,
      calls: mine.length,
      failed: mine.filter((run) => !run.ok).length,
      connectedBothMs: med(contender, 'connectedBothMs'),
      frameCallerMs: med(contender, 'frameCallerMs'),
      frameCalleeMs: med(contender, 'frameCalleeMs'),
      frameBothMs: med(contender, 'frameBothMs'),
      frameSecondPageMs: med(contender, 'frameSecondPageMs'),
      pcCallerMs: med(contender, 'pcCallerMs'),
      pcCalleeMs: med(contender, 'pcCalleeMs'),
      negotiationMs: med(contender, 'negotiationMs'),
      connectedRatio: ratio('connectedBothMs'),
      frameCallerRatio: ratio('frameCallerMs'),
      frameBothRatio: ratio('frameBothMs'),
      frameSecondPageRatio: ratio('frameSecondPageMs'),
      connectedRatioInterval: interval('connectedBothMs'),
      frameSecondPageRatioInterval: interval('frameSecondPageMs'),
    };
  });
}

/** Peerchart against every other contender that ran. */
export function peerchartVersus(runs: CallRun[], contenders: CallContenderId[]): CallVersusRow[] {
  if (!contenders.includes('peerchart')) return [];
  const versus = (baseline: CallContenderId, key: keyof CallRun) => {
    const mine = valuesOf(runs, 'peerchart', key);
    const theirs = valuesOf(runs, baseline, key);
    return { ratio: median(mine) / median(theirs), interval: bootstrapRatioOfMedians(mine, theirs) };
  };
  return contenders
    .filter((contender) => contender !== 'peerchart')
    .map((baseline) => {
      const connected = versus(baseline, 'connectedBothMs');
      const frame = versus(baseline, 'frameSecondPageMs');
      return {
        baseline,
        connectedRatio: connected.ratio,
        connectedRatioInterval: connected.interval,
        frameSecondPageRatio: frame.ratio,
        frameSecondPageRatioInterval: frame.interval,
      };
    });
}

/** Median time of every handshake step, per page and contender; ordered by Peerchart's time (else raw's). */
export function summarizeSteps(runs: CallRun[], contenders: CallContenderId[]): CallStepRow[] {
  const rows = new Map<string, CallStepRow>();
  for (const side of ['caller', 'callee'] as const) {
    for (const contender of contenders) {
      const mine = runs.filter((run) => run.contender === contender && run.ok && run.steps);
      const names = new Set(mine.flatMap((run) => Object.keys(run.steps![side])));
      for (const step of names) {
        const values = mine.map((run) => run.steps![side][step]).filter((value): value is number => value !== undefined);
        const row = rows.get(`${side}\u0000${step}`) ?? { side, step, medians: {}, seen: {} };
        row.medians[contender] = median(values);
        row.seen[contender] = values.length;
        rows.set(`${side}\u0000${step}`, row);
      }
    }
  }
  const at = (row: CallStepRow) => row.medians.peerchart ?? row.medians.raw ?? Object.values(row.medians)[0] ?? 0;
  return [...rows.values()].sort((a, b) => at(a) - at(b) || a.side.localeCompare(b.side));
}

export interface CallResults {
  benchmark: 'calls';
  settings: CallSettings & { chromium: string; flags: string[] };
  runs: CallRun[];
  summary: CallSummaryRow[];
  versus: CallVersusRow[];
  /** Only with `steps`. */
  stepSummary?: CallStepRow[];
}

export async function runCalls(settings: CallSettings, log: (line: string) => void): Promise<CallResults> {
  const pageServer = await startPageServer(settings.contenders);
  const { origin } = pageServer;
  const servers = await startSignalingServers(settings.contenders);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
  const chromiumVersion = browser.version();
  const runs: CallRun[] = [];
  try {
    const perRound = Math.ceil(settings.calls / settings.rounds);
    for (let round = 0; round < settings.rounds; round += 1) {
      const calls = Math.min(perRound, settings.calls - round * perRound);
      if (calls <= 0) break;
      for (const contender of rotate(settings.contenders, round)) {
        runs.push(...(await runBlock(browser, origin, servers, settings, contender, round, calls, log)));
      }
    }
  } finally {
    await browser.close();
    await Promise.all(servers.processes.map((proc) => stop(proc)));
    await pageServer.close();
  }
  return {
    benchmark: 'calls',
    settings: { ...settings, chromium: chromiumVersion, flags: CHROMIUM_FLAGS },
    runs,
    summary: summarizeCalls(runs, settings.contenders),
    versus: peerchartVersus(runs, settings.contenders),
    ...(settings.steps ? { stepSummary: summarizeSteps(runs, settings.contenders) } : {}),
  };
}
