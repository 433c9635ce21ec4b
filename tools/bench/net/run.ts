/**
 * `npm run bench -- net`: calls across the network lab (tools/netlab), with real NAT and coturn.
 *
 * - First remote frame: direct (cone NAT home ↔ public host), via TURN (symmetric ↔ symmetric) and loopback
 *   (two pages on the public host), Peerchart demo pages, `calls` calls each, scenarios rotated per round.
 *   Measured on the page that joins second, from its navigation start to its first remote video frame
 *   (`requestVideoFrameCallback`), and until both pages show a remote frame.
 * - Media gap: the home's uplink cut for 6 s, then restored (and, separately, the home NAT's public address
 *   changed) in a call cone home ↔ public host; from the restore (the change) to the first frame after it on the
 *   slower of the two pages. Peerchart against a raw RTCPeerConnection page that does what simple-peer and
 *   PeerJS do (no ICE restart); `gapRuns` runs each, contenders alternated.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchInNs } from '../../netlab/browser.js';
import { createLab, SERVER_IP, type Lab } from '../../netlab/lab.js';
import { startInNs, type LabProcess } from '../../netlab/run.js';
import { median, rotate, round } from '../lib/stats.js';
import { bundlePage } from '../lib/pages.js';

export interface NetSettings {
  calls: number;
  gapRuns: number;
  /** How long the uplink stays cut. */
  outageMs: number;
  /** A contender that shows no frame this long after the restore/change counts as not recovered. */
  giveUpMs: number;
}

export const DEFAULT_NET_SETTINGS: NetSettings = { calls: 20, gapRuns: 10, outageMs: 6_000, giveUpMs: 30_000 };

export type PathScenario = 'loopback' | 'direct' | 'turn';
export type Contender = 'peerchart' | 'raw';
export type Fault = 'path-failure' | 'path-change';

export interface FirstFrameSummary {
  calls: number;
  failed: number;
  /** Median ms from the second page's navigation start to its first remote frame. */
  secondPageMs: number;
  /** Median ms from the second page's navigation start until both pages showed a remote frame. */
  bothMs: number;
  /** Median ms from the second page's RTCPeerConnection to its first remote frame: ICE, DTLS and media alone. */
  fromPcMs: number;
  /** fromPcMs relative to loopback, median of per-round ratios, with min–max over rounds. */
  ratioToLoopback: number;
  ratioSpread: [number, number];
}

export interface GapSummary {
  runs: number;
  recovered: number;
  /** Median media gap (ms) over the runs that recovered; null when none did. */
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
}

export interface NetResults {
  settings: NetSettings;
  firstFrame: Record<PathScenario, FirstFrameSummary>;
  gap: Record<Fault, Record<Contender, GapSummary>>;
  /** Peerchart's median gap over the raw page's (only when both recovered at least once). */
  gapRatio: Record<Fault, number | null>;
  /** Every measurement, in run order (null: failed / not recovered). */
  raw: { firstFrame: Record<PathScenario, { second: (number | null)[]; both: (number | null)[]; fromPc: (number | null)[] }>; gap: Record<Fault, Record<Contender, (number | null)[]>> };
}

const RAW_PORT = 8081;
const RAW_ORIGIN = `http://${SERVER_IP}:${RAW_PORT}`;
const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Test-side clock of remote video frames: every frame presented by a remote `<video>` (Peerchart's
 * `remote-video`, the raw page's `video[data-remote]`) is timestamped on the machine's clock. Plain JavaScript
 * text: tsx would wrap a function's inner helpers in `__name()`, which does not exist in the page.
 */
const FRAME_CLOCK = `(() => {
  const frames = [];
  const pcs = [];
  Object.defineProperty(window, '__netFrames', { value: frames });
  Object.defineProperty(window, '__netPcAt', { value: pcs });
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      pcs.push(performance.timeOrigin + performance.now());
    }
  };
  const hooked = new WeakSet();
  setInterval(() => {
    for (const video of document.querySelectorAll('video[data-testid="remote-video"], video[data-remote]')) {
      if (hooked.has(video)) continue;
      hooked.add(video);
      const tick = () => {
        frames.push(performance.timeOrigin + performance.now());
        video.requestVideoFrameCallback(tick);
      };
      video.requestVideoFrameCallback(tick);
    }
  }, 20);
})();`;

const frameTimes = (page: Page) => page.evaluate(() => (window as unknown as { __netFrames: number[] }).__netFrames.slice());
const timeOrigin = (page: Page) => page.evaluate(() => performance.timeOrigin);
const firstPcAt = (page: Page) => page.evaluate(() => (window as unknown as { __netPcAt: number[] }).__netPcAt[0] ?? Number.NaN);

async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  await page.addInitScript({ content: FRAME_CLOCK });
  return { context, page };
}

/** Waits for `probe` to return a number, or returns null after `timeoutMs`. */
async function within(probe: () => Promise<number | undefined>, timeoutMs: number): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await delay(50);
  }
  return null;
}

interface OpenCall {
  pages: [Page, Page];
  close(): Promise<void>;
}

/** A Peerchart call between the demo shells (Vue joins first, React second); resolves on both first frames. */
async function peerchartCall(
  lab: Lab,
  browsers: [Browser, Browser],
  room: string,
  timeoutMs: number,
): Promise<OpenCall & { secondPageMs: number; bothMs: number; fromPcMs: number }> {
  const [a, b] = await Promise.all(browsers.map((browser) => newPage(browser)));
  const close = async () => void (await Promise.all([a!.context.close(), b!.context.close()]));
  try {
    await a!.page.goto(`${lab.origin}/vue/?room=${room}&name=first&join`);
    await a!.page.locator('[data-testid="call-state"][data-status="joined"]').waitFor({ timeout: timeoutMs });
    await b!.page.goto(`${lab.origin}/react/?room=${room}&name=second&join`);
    const origin = await timeOrigin(b!.page);
    const first = (page: Page) => within(async () => (await frameTimes(page))[0], timeoutMs);
    const [fa, fb] = await Promise.all([first(a!.page), first(b!.page)]);
    if (fa === null || fb === null) throw new Error(`no remote frame within ${timeoutMs} ms`);
    return { pages: [a!.page, b!.page], close, secondPageMs: fb - origin, bothMs: Math.max(fa, fb) - origin, fromPcMs: fb - (await firstPcAt(b!.page)) };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The raw page pair on the baseline server: callee first, then the caller calls. */
async function rawCall(browsers: [Browser, Browser], room: string, timeoutMs: number): Promise<OpenCall> {
  const [a, b] = await Promise.all(browsers.map((browser) => newPage(browser)));
  const close = async () => void (await Promise.all([a!.context.close(), b!.context.close()]));
  try {
    for (const { page } of [a!, b!]) {
      await page.goto(`${RAW_ORIGIN}/raw.html`);
      await page.waitForFunction(() => (window as unknown as { bench?: unknown }).bench !== undefined, undefined, { timeout: timeoutMs });
      await page.evaluate((url) => (window as unknown as { bench: { setup(o: object): Promise<void> } }).bench.setup({ relayUrl: url }), `ws://${SERVER_IP}:${RAW_PORT}/?room=${room}`);
    }
    await a!.page.evaluate(() => (window as unknown as { bench: { listen(): Promise<void> } }).bench.listen());
    await b!.page.evaluate(() => (window as unknown as { bench: { call(n: number): Promise<void> } }).bench.call(1));
    const first = (page: Page) => within(async () => (await frameTimes(page))[0], timeoutMs);
    if ((await first(a!.page)) === null || (await first(b!.page)) === null) throw new Error(`raw: no remote frame within ${timeoutMs} ms`);
    return { pages: [a!.page, b!.page], close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The first frame after `from` that ends a pause of more than 300 ms (frames still in flight right after a
 * path change do not count as recovered). Resolves with ms from `from`, or null after `giveUpMs`.
 */
async function resumedAfter(page: Page, from: number, giveUpMs: number): Promise<number | null> {
  return within(async () => {
    const all = await frameTimes(page);
    const paused = (t: number, i: number) => t > from && i > 0 && t - all[i - 1]! > 300;
    const resumed = all.findIndex(paused);
    if (resumed >= 0) return all.length > resumed + 10 ? all[resumed]! - from : undefined;
    // 3 s of video after `from` without a pause: the fault did not interrupt this page's video.
    return all.filter((t) => t > from).length > 90 ? 0 : undefined;
  }, giveUpMs);
}

async function measureGap(lab: Lab, browsers: [Browser, Browser], contender: Contender, fault: Fault, settings: NetSettings, room: string): Promise<number | null> {
  const call = contender === 'peerchart' ? await peerchartCall(lab, browsers, room, 30_000) : await rawCall(browsers, room, 30_000);
  try {
    let from: number;
    if (fault === 'path-failure') {
      await lab.cutUplink('cone');
      await delay(settings.outageMs);
      await lab.restoreUplink('cone');
      from = Date.now();
    } else {
      from = Date.now();
      await lab.changePublicAddress('cone');
    }
    const gaps = await Promise.all(call.pages.map((page) => resumedAfter(page, from, settings.giveUpMs)));
    return gaps.some((g) => g === null) ? null : Math.max(...(gaps as number[]));
  } finally {
    await call.close();
  }
}

function summariseGap(values: (number | null)[]): GapSummary {
  const ok = values.filter((v): v is number => v !== null);
  return {
    runs: values.length,
    recovered: ok.length,
    medianMs: ok.length ? round(median(ok)) : null,
    minMs: ok.length ? Math.round(Math.min(...ok)) : null,
    maxMs: ok.length ? Math.round(Math.max(...ok)) : null,
  };
}

export async function runNet(settings: NetSettings, log: (line: string) => void): Promise<NetResults> {
  const lab = await createLab({ publicHost: true, homes: { cone: 'cone', sym1: 'symmetric', sym2: 'symmetric' } });
  const browsers: Browser[] = [];
  let raw: LabProcess | undefined;
  try {
    const script = await bundlePage(join(here, '../calls/pages/raw.ts'));
    const scriptPath = join(lab.tmp, 'raw.js');
    writeFileSync(scriptPath, script);
    raw = startInNs(lab.internetNs, 'raw-server', 'env', [`HOST=${SERVER_IP}`, `PORT=${RAW_PORT}`, `SCRIPT=${scriptPath}`, process.execPath, join(here, 'raw-server.mjs')], here);
    await raw.waitFor(/raw page server on/);
    const origins = [lab.origin, RAW_ORIGIN];
    const launch = async (ns: string) => {
      const browser = await launchInNs(ns, origins, lab.tmp);
      browsers.push(browser);
      return browser;
    };
    const pub = await launch(lab.publicNs!);
    const cone = await launch(lab.homes.cone!.ns);
    const sym1 = await launch(lab.homes.sym1!.ns);
    const sym2 = await launch(lab.homes.sym2!.ns);
    const pairs: Record<PathScenario, [Browser, Browser]> = { loopback: [pub, pub], direct: [cone, pub], turn: [sym1, sym2] };
    const scenarios: PathScenario[] = ['loopback', 'direct', 'turn'];

    // First remote frame: rounds of one call per scenario, in rotated order.
    const ff = Object.fromEntries(scenarios.map((s) => [s, { second: [] as (number | null)[], both: [] as (number | null)[], fromPc: [] as (number | null)[] }])) as Record<
      PathScenario,
      { second: (number | null)[]; both: (number | null)[]; fromPc: (number | null)[] }
    >;
    for (let n = 0; n < settings.calls; n++) {
      for (const scenario of rotate(scenarios, n)) {
        try {
          const call = await peerchartCall(lab, pairs[scenario], `ff-${scenario}-${n}-${lab.id}`, 30_000);
          ff[scenario].second.push(call.secondPageMs);
          ff[scenario].both.push(call.bothMs);
          ff[scenario].fromPc.push(call.fromPcMs);
          await call.close();
        } catch (error) {
          log(`net: first frame ${scenario} #${n} failed: ${(error as Error).message.split('\n')[0]}`);
          ff[scenario].second.push(null);
          ff[scenario].both.push(null);
          ff[scenario].fromPc.push(null);
        }
      }
      log(`net: first frame round ${n + 1}/${settings.calls}: ${scenarios.map((s) => `${s} ${Math.round(ff[s].fromPc.at(-1) ?? Number.NaN)} ms from pc`).join(', ')}`);
    }
    const firstFrame = {} as Record<PathScenario, FirstFrameSummary>;
    for (const scenario of scenarios) {
      const ratios = ff[scenario].fromPc.map((v, i) => (v !== null && ff.loopback.fromPc[i] ? v / ff.loopback.fromPc[i]! : Number.NaN)).filter(Number.isFinite);
      firstFrame[scenario] = {
        calls: settings.calls,
        failed: ff[scenario].second.filter((v) => v === null).length,
        secondPageMs: round(median(ff[scenario].second.filter((v): v is number => v !== null))),
        bothMs: round(median(ff[scenario].both.filter((v): v is number => v !== null))),
        fromPcMs: round(median(ff[scenario].fromPc.filter((v): v is number => v !== null))),
        ratioToLoopback: round(median(ratios)),
        ratioSpread: [round(Math.min(...ratios)), round(Math.max(...ratios))],
      };
    }

    // Media gap: contenders alternated run by run.
    const faults: Fault[] = ['path-failure', 'path-change'];
    const gaps: Record<Fault, Record<Contender, (number | null)[]>> = { 'path-failure': { peerchart: [], raw: [] }, 'path-change': { peerchart: [], raw: [] } };
    for (const fault of faults) {
      for (let n = 0; n < settings.gapRuns; n++) {
        for (const contender of rotate<Contender>(['peerchart', 'raw'], n)) {
          let gap: number | null = null;
          try {
            gap = await measureGap(lab, [cone, pub], contender, fault, settings, `gap-${fault}-${contender}-${n}-${lab.id}`);
          } catch (error) {
            log(`net: ${fault} ${contender} #${n} failed to set up: ${(error as Error).message.split('\n')[0]}`);
          }
          gaps[fault][contender].push(gap);
          log(`net: ${fault} ${contender} #${n + 1}/${settings.gapRuns}: ${gap === null ? 'not recovered' : `${Math.round(gap)} ms`}`);
        }
      }
    }
    const gap = {} as NetResults['gap'];
    const gapRatio = {} as NetResults['gapRatio'];
    for (const fault of faults) {
      gap[fault] = { peerchart: summariseGap(gaps[fault].peerchart), raw: summariseGap(gaps[fault].raw) };
      const [p, r] = [gap[fault].peerchart.medianMs, gap[fault].raw.medianMs];
      gapRatio[fault] = p !== null && r !== null && r > 0 ? round(p / r) : null;
    }
    return { settings, firstFrame, gap, gapRatio, raw: { firstFrame: ff, gap: gaps } };
  } finally {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    await raw?.stop().catch(() => undefined);
    await lab.destroy();
  }
}
