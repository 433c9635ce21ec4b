/**
 * One lab per test file: the topology is made in `beforeAll` and deleted in `afterAll` (also when a test or the
 * set-up fails; the lab's own `exit` handler is the last resort). One Chromium per home, launched on first use
 * and shared by the file's tests; every call opens fresh browser contexts and closes them.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { decodesVideo, joined, openCall, rtpTotals, signalledCandidates, uniqueRoom, type CallPage, type Shell, type SignalledCandidate } from '../e2e/harness.js';
import { connectionStates, launchInNs, selectedPaths, type SelectedPath } from '../netlab/browser.js';
import { createLab, type Lab, type LabOptions } from '../netlab/lab.js';

export interface LabFixture {
  readonly lab: Lab;
  /** The browser running in `where` (a home's name, or `public`). */
  browser(where: string): Promise<Browser>;
}

export function useLab(options: LabOptions): LabFixture {
  let lab: Lab | undefined;
  const browsers = new Map<string, Promise<Browser>>();
  beforeAll(async () => {
    lab = await createLab(options);
  }, 60_000);
  afterAll(async () => {
    for (const browser of browsers.values()) await (await browser.catch(() => undefined))?.close();
    await lab?.destroy();
  }, 60_000);
  return {
    get lab() {
      if (!lab) throw new Error('the lab exists from beforeAll on');
      return lab;
    },
    browser(where) {
      const current = this.lab;
      const ns = where === 'public' ? current.publicNs : current.homes[where]?.ns;
      if (!ns) throw new Error(`no lab host named ${where}`);
      let browser = browsers.get(where);
      if (!browser) {
        browser = launchInNs(ns, current.origin, current.tmp);
        browsers.set(where, browser);
      }
      return browser;
    },
  };
}

export interface Side {
  where: string;
  call: CallPage;
  selfId: string;
}

export interface LabCall {
  a: Side;
  b: Side;
  close(): Promise<void>;
}

/**
 * Two pages in one fresh room, `a` in the Vue shell and `b` in the React one, each in its own lab host; resolves
 * once both are joined and both decode the other's live video.
 */
export async function startCall(
  fixture: LabFixture,
  where: [string, string],
  options: { query?: Record<string, string>; label?: string } = {},
): Promise<LabCall> {
  const room = uniqueRoom(options.label ?? 'lab');
  const shells: [Shell, Shell] = ['vue', 'react'];
  const opened: CallPage[] = [];
  try {
    const sides = await Promise.all(
      where.map(async (host, i) => {
        const call = await openCall(await fixture.browser(host), { origin: fixture.lab.origin }, { shell: shells[i]!, room, name: host, query: options.query });
        opened.push(call);
        return { where: host, call, selfId: await joined(call) };
      }),
    );
    const [a, b] = sides as [Side, Side];
    await Promise.all([
      decodesVideo(a.call.page, 'remote-video', b.selfId, `${a.where} sees ${b.where}`),
      decodesVideo(b.call.page, 'remote-video', a.selfId, `${b.where} sees ${a.where}`),
    ]);
    return { a, b, close: async () => void (await Promise.all(opened.map((c) => c.close()))) };
  } catch (error) {
    const evidence = await Promise.all(opened.map((c) => describeSide(c).catch((e: Error) => e.message)));
    await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
    throw new Error(`${(error as Error).message}\nevidence: ${JSON.stringify(evidence)}`, { cause: error });
  }
}

/** The one selected path of a two-party call page (fails when there is none, or more than one open connection). */
export async function selectedPath(side: Side): Promise<SelectedPath> {
  const paths = await selectedPaths(side.call.page);
  if (paths.length !== 1) throw new Error(`${side.where}: expected one connection with a selected pair, got ${JSON.stringify(paths)}`);
  return paths[0]!;
}

/** Distinct ufrags (ICE generations) per RTCPeerConnection among the candidates the page signalled. */
export function iceGenerations(candidates: SignalledCandidate[]): Map<number, string[]> {
  const byPc = new Map<number, Set<string>>();
  for (const c of candidates) {
    const set = byPc.get(c.pc) ?? new Set<string>();
    set.add(c.ufrag ?? '?');
    byPc.set(c.pc, set);
  }
  return new Map([...byPc].map(([pc, set]) => [pc, [...set]]));
}

/** What a failure message needs: connection states, selected paths, ICE generations and candidate types. */
export async function describeSide(call: CallPage): Promise<object> {
  const [paths, candidates, states] = await Promise.all([selectedPaths(call.page), signalledCandidates(call.page), connectionStates(call.page)]);
  const tile = await call.page.locator('[data-testid="peer-tile"]').evaluateAll((tiles) =>
    tiles.map((t) => ({
      connection: t.getAttribute('data-connection-state'),
      status: t.getAttribute('data-peer-status'),
      machine: t.querySelector('[data-testid="peer-status"]')?.getAttribute('data-state-value') ?? null,
    })),
  );
  return {
    name: call.name,
    states,
    tiles: tile,
    paths,
    generations: Object.fromEntries(iceGenerations(candidates)),
    candidateTypes: [...new Set(candidates.map((c) => `${c.type}/${c.protocol}`))],
  };
}

/** Remote video frames decoded so far on the page's open connections. */
export async function framesDecoded(side: Side): Promise<number> {
  return (await rtpTotals(side.call.page)).inboundVideoFrames;
}

/**
 * Samples both pages every 250 ms until stopped and keeps each change of what matters for recovery: the tile's
 * connection state and peer machine state, the RTCPeerConnection's signaling state, and the number of ICE
 * generations signalled. Evidence for the log, never an assertion.
 */
export function watchRecovery(call: LabCall): { stop(): Promise<string[]> } {
  const started = Date.now();
  const changes: string[] = [];
  const last = new Map<string, string>();
  let running = true;
  const sample = async () => {
    for (const side of [call.a, call.b]) {
      const d = (await describeSide(side.call).catch(() => undefined)) as
        | { tiles: { connection: string; machine: string }[]; states: { signalingState: string; iceConnectionState: string }[]; generations: Record<string, string[]> }
        | undefined;
      if (!d) continue;
      const now = JSON.stringify({
        tile: d.tiles.map((t) => `${t.connection}/${t.machine}`),
        pc: d.states.map((x) => `${x.iceConnectionState}/${x.signalingState}`),
        generations: Object.values(d.generations).map((g) => g.length),
      });
      if (last.get(side.where) !== now) {
        last.set(side.where, now);
        changes.push(`+${((Date.now() - started) / 1000).toFixed(1)}s ${side.where} ${now}`);
      }
    }
  };
  const loop = (async () => {
    while (running) {
      await sample();
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return changes;
    },
  };
}
