/**
 * The browser-test harness: the real signaling server (built) serving the built shells, real
 * Chromium through playwright-core, and probes that read what a person would see (the DOM contract
 * in docs/dom-contract.md) and what the browser really sends and receives (getStats).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, defaultConfig, type ServerConfig } from '@peerchart/signaling-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM_BASE_FLAGS, CHROMIUM_PATH, FAKE_MEDIA_UI_FLAG } from '../dev/chromium.js';

export type Shell = 'vue' | 'react';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const shellDist: Record<Shell, string> = {
  vue: join(workspaceRoot, 'packages/web-vue/dist'),
  react: join(workspaceRoot, 'packages/web-react/dist'),
};
export const artifactsDir = join(workspaceRoot, 'test-results/e2e');

/** The shells this run covers: `E2E_SHELLS=vue,react` (default both). */
export function shellsUnderTest(): Shell[] {
  const wanted = (process.env.E2E_SHELLS ?? 'vue,react').split(',').map((s) => s.trim());
  return (['vue', 'react'] as const).filter((shell) => wanted.includes(shell));
}

export interface TestServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Server options a test may set on top of the harness's own (the shells, loopback, quiet logs).
 * Also takes options of a newer server than this checkout's types know (they are passed through).
 */
export type ServerOverrides = Partial<ServerConfig> & Record<string, unknown>;

/**
 * The real server, as `npm start` runs it, on a free port (or on `port`, to bring one back), with
 * `overrides` applied to its configuration.
 */
export async function startServer(port = 0, overrides: ServerOverrides = {}): Promise<TestServer> {
  for (const [shell, dir] of Object.entries(shellDist)) {
    if (!existsSync(join(dir, 'index.html'))) {
      throw new Error(`The ${shell} shell is not built (${dir}); run: npx nx run-many -t build -p @peerchart/web-vue @peerchart/web-react`);
    }
  }
  const config: ServerConfig = {
    ...defaultConfig(),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    static: [
      { prefix: '/vue/', dir: shellDist.vue },
      { prefix: '/react/', dir: shellDist.react },
    ],
    ...overrides,
  };
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export interface ServerProcess extends TestServer {
  port: number;
  /** Ends the process with `signal` (SIGKILL: a crash, no goodbye to the sockets) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The server's own CLI (`packages/signaling-server/dist/cli.js`, as deployed) in a child process,
 * serving the built shells; `port` 0 picks a free one, a previous `port` brings a server back on
 * the same address. `env` adds environment variables (`PEERCHART_*` options).
 */
export async function startServerProcess(port = 0, env: Record<string, string> = {}): Promise<ServerProcess> {
  const cli = join(workspaceRoot, 'packages/signaling-server/dist/cli.js');
  if (!existsSync(cli)) throw new Error(`The server is not built (${cli}); run: npx nx build @peerchart/signaling-server`);
  const child = spawn(
    process.execPath,
    [cli, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn', '--static', `/vue/=${shellDist.vue}`, '--static', `/react/=${shellDist.react}`],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let output = '';
  const listening = await new Promise<number>((resolveListening, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolveListening(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${output}`)));
  });
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { origin: `http://127.0.0.1:${listening}`, port: listening, close: () => kill('SIGTERM'), kill };
}

const baseFlags = [
  ...CHROMIUM_BASE_FLAGS,
  // As after a click on Join: remote audio may play without a further gesture.
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * `fakeMediaUi` answers every capture prompt with "allow" (and picks the fake screen for
 * getDisplayMedia); it also overrides a context's missing permissions, so a real "denied" needs a
 * browser without it, where a context's `permissions` decide. `fakeCameras`: how many fake cameras
 * Chromium lists (default 1).
 */
export function launchBrowser(options: { fakeMediaUi: boolean; fakeCameras?: number }): Promise<Browser> {
  // Chromium fakes one camera unless asked for more (`device-count`), e.g. to switch between two.
  const flags = options.fakeCameras
    ? baseFlags.map((flag) => (flag === '--use-fake-device-for-media-stream' ? `${flag}=device-count=${options.fakeCameras}` : flag))
    : baseFlags;
  const args = options.fakeMediaUi ? [...flags, FAKE_MEDIA_UI_FLAG] : flags;
  return chromium.launch({ executablePath: CHROMIUM_PATH, args });
}

export interface KillableBrowser {
  browser: Browser;
  /** SIGKILLs every process of this Chromium (browser, renderers, network service) and waits for the main one to exit. */
  kill(): Promise<void>;
}

/**
 * A fake-media browser of its own, whose processes a test can kill outright (a crash, a tab gone
 * without unload handlers or goodbyes). playwright starts Chromium as the leader of a new process
 * group, so the group is exactly the processes this browser spawned.
 */
export async function launchKillableBrowser(): Promise<KillableBrowser> {
  const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: [...baseFlags, FAKE_MEDIA_UI_FLAG] });
  const child = server.process();
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    else child.once('exit', () => resolveExit());
  });
  const browser = await chromium.connect(server.wsEndpoint());
  return {
    browser,
    kill: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
      await exited;
    },
  };
}

/**
 * The real server and a fake-media browser shared by one test file: started before its tests,
 * closed after them. Read them inside tests (they exist from `beforeAll` on).
 */
export function useServerAndBrowser(
  overrides: ServerOverrides = {},
  browserOptions: { fakeCameras?: number } = {},
): { readonly server: TestServer; readonly browser: Browser } {
  const shared = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    shared.server = await startServer(0, overrides);
    shared.browser = await launchBrowser({ fakeMediaUi: true, ...browserOptions });
  });
  afterAll(async () => {
    await shared.browser?.close();
    await shared.server?.close();
  });
  return shared;
}

/** A local ICE candidate as the page's `icecandidate` event handed it to the app to signal. */
export interface SignalledCandidate {
  /** Index of the RTCPeerConnection in creation order. */
  pc: number;
  type: string | null;
  protocol: string | null;
  /** The ICE generation it belongs to: a new ufrag per ICE restart. */
  ufrag: string | null;
  address: string | null;
  candidate: string;
}

/** What the init script records about one RTCPeerConnection (test-side observation only). */
export interface PeerConnectionLog {
  /** Milliseconds since the page's time origin when the connection was made. */
  createdAt: number;
  /** Every local ICE username fragment seen (in local descriptions and gathered candidates), first use order. */
  localUfrags: string[];
  /** `createOffer({ iceRestart: true })` calls, and `restartIce()` calls. */
  iceRestartOffers: number;
  restartIceCalls: number;
  /** State changes, tracks and negotiation events, oldest first (the last 200). */
  events: { at: number; what: string }[];
}

/**
 * Init script (serialised into the page, so self-contained): remembers each RTCPeerConnection the
 * page makes, for getStats, and logs what it does (`PeerConnectionLog`); also logs the page's
 * `online`/`offline` events, and every local candidate it gathers (`icecandidate`: `SignalledCandidate`), for
 * the network lab's assertions on candidate types and ICE generations. Nothing here changes what the
 * connection does.
 */
function observePeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const seen: RTCPeerConnection[] = [];
  const logs: PeerConnectionLog[] = [];
  const networkEvents: { at: number; what: string }[] = [];
  Object.defineProperty(window, '__e2ePeerConnections', { value: seen });
  Object.defineProperty(window, '__e2ePeerLogs', { value: logs });
  const candidates: SignalledCandidate[] = [];
  Object.defineProperty(window, '__e2eLocalCandidates', { value: candidates });
  Object.defineProperty(window, '__e2eNetworkEvents', { value: networkEvents });
  for (const what of ['online', 'offline']) {
    window.addEventListener(what, () => networkEvents.push({ at: performance.now(), what }));
  }
  const ufragOf = (sdp: string | undefined) => /^a=ice-ufrag:(\S+)/m.exec(sdp ?? '')?.[1];
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      const index = seen.push(this) - 1;
      const log: PeerConnectionLog = { createdAt: performance.now(), localUfrags: [], iceRestartOffers: 0, restartIceCalls: 0, events: [] };
      logs.push(log);
      const note = (what: string) => {
        log.events.push({ at: Math.round(performance.now()), what });
        if (log.events.length > 200) log.events.shift();
      };
      const noteUfrag = (ufrag: string | null | undefined) => {
        if (ufrag && !log.localUfrags.includes(ufrag)) log.localUfrags.push(ufrag);
      };
      this.addEventListener('icecandidate', (e) => {
        const c = e.candidate;
        noteUfrag(c?.usernameFragment);
        if (c?.candidate) candidates.push({ pc: index, type: c.type, protocol: c.protocol, ufrag: c.usernameFragment, address: c.address, candidate: c.candidate });
      });
      this.addEventListener('signalingstatechange', () => {
        noteUfrag(ufragOf(this.localDescription?.sdp));
        note(`signaling ${this.signalingState}`);
      });
      this.addEventListener('connectionstatechange', () => note(`connection ${this.connectionState}`));
      this.addEventListener('iceconnectionstatechange', () => note(`ice ${this.iceConnectionState}`));
      this.addEventListener('negotiationneeded', () => note('negotiationneeded'));
      this.addEventListener('track', (e) => note(`track ${e.track.kind} mid=${e.transceiver.mid} streams=${e.streams.map((s) => s.id).join(',')}`));
      // Counted on the instance (its own properties shadow the prototype's), calling through unchanged.
      const methods = this as unknown as { createOffer: (...a: unknown[]) => Promise<unknown>; restartIce: () => void };
      const createOffer = methods.createOffer.bind(this);
      const restartIce = methods.restartIce.bind(this);
      methods.createOffer = (...a: unknown[]) => {
        if ((a[0] as RTCOfferOptions | undefined)?.iceRestart) log.iceRestartOffers += 1;
        return createOffer(...a);
      };
      methods.restartIce = () => {
        log.restartIceCalls += 1;
        restartIce();
      };
    }
  };
}

/** Every local candidate the page's peer connections gathered so far. */
export function signalledCandidates(page: Page): Promise<SignalledCandidate[]> {
  return page.evaluate(() => (window as unknown as { __e2eLocalCandidates: SignalledCandidate[] }).__e2eLocalCandidates);
}

/** One RTCPeerConnection of a page as the test sees it: its states, transceivers and log. */
export interface PeerConnectionReport extends PeerConnectionLog {
  connectionState: string;
  iceConnectionState: string;
  signalingState: string;
  currentLocalUfrag: string | null;
  transceivers: { mid: string | null; direction: string; currentDirection: string | null; receiving: string; sending: string | null }[];
}

/** Every RTCPeerConnection the page made, oldest first: evidence for a failure message. */
export function peerConnections(page: Page): Promise<PeerConnectionReport[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __e2ePeerConnections: RTCPeerConnection[]; __e2ePeerLogs: PeerConnectionLog[] };
    return w.__e2ePeerConnections.map((pc, i) => ({
      ...(w.__e2ePeerLogs[i] as PeerConnectionLog),
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      signalingState: pc.signalingState,
      currentLocalUfrag: /^a=ice-ufrag:(\S+)/m.exec(pc.localDescription?.sdp ?? '')?.[1] ?? null,
      transceivers: pc.getTransceivers().map((t) => ({
        mid: t.mid,
        direction: t.direction,
        currentDirection: t.currentDirection,
        receiving: `${t.receiver.track.kind} ${t.receiver.track.readyState}${t.receiver.track.muted ? ' muted' : ''}`,
        sending: t.sender.track ? `${t.sender.track.kind} ${t.sender.track.readyState}` : null,
      })),
    }));
  });
}

/** The page's `online`/`offline` events so far (the init script listens from the start). */
export function networkEvents(page: Page): Promise<{ at: number; what: string }[]> {
  return page.evaluate(() => (window as unknown as { __e2eNetworkEvents: { at: number; what: string }[] }).__e2eNetworkEvents);
}

export interface CallPage {
  page: Page;
  context: BrowserContext;
  name: string;
  close(): Promise<void>;
}

/**
 * Init script: Chromium's autoplay policy for a page with no user gesture yet. Headless Chromium never
 * enforces it (even with `--autoplay-policy=user-gesture-required`, `play()` with sound resolves, and
 * `navigator.userActivation.hasBeenActive` is already true), so this plays the browser's part: `play()`
 * of an unmuted element rejects with NotAllowedError until a trusted click or key press (a Playwright
 * click is one).
 */
function refuseSoundBeforeGesture(): void {
  let gesture = false;
  const onGesture = (event: Event) => {
    if (event.isTrusted) gesture = true;
  };
  addEventListener('pointerdown', onGesture, true);
  addEventListener('keydown', onGesture, true);
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    if (!this.muted && !gesture) {
      return Promise.reject(new DOMException("play() failed because the user didn't interact with the document first.", 'NotAllowedError'));
    }
    return play.call(this);
  };
}

/**
 * A page in its own browser context (its own permissions), joined to `room` at once through the URL
 * (`&join`: no pre-join screen) or, with `viaLobby`, by typing into the lobby, pressing Continue and then
 * Join on the pre-join screen. With `preJoin`, the page stops on the pre-join screen (`?room` without `&join`).
 */
export async function openCall(
  browser: Browser,
  server: Pick<TestServer, 'origin'>,
  options: {
    shell: Shell;
    room: string;
    name: string;
    grantMedia?: boolean;
    viaLobby?: boolean;
    /** Open `?room=` without `&join`: the page waits on the pre-join screen for a click on Join. */
    preJoin?: boolean;
    inspect?: boolean;
    /** More URL options from the DOM contract (e.g. `{ relay: '' }`). */
    query?: Record<string, string>;
    /** The page refuses `play()` with sound until a click, as a browser does for a page opened by a link (`refuseSoundBeforeGesture`). */
    soundNeedsGesture?: boolean;
  },
): Promise<CallPage> {
  const context = await browser.newContext({
    permissions: options.grantMedia === false ? [] : ['camera', 'microphone'],
    viewport: { width: 1280, height: 720 },
  });
  const page = await context.newPage();
  await page.addInitScript(observePeerConnections);
  if (options.soundNeedsGesture) await page.addInitScript(refuseSoundBeforeGesture);
  if (options.viaLobby) {
    await page.goto(`${server.origin}/${options.shell}/`);
    await page.getByRole('textbox', { name: 'Room', exact: true }).fill(options.room);
    await page.getByRole('textbox', { name: 'Your name', exact: true }).fill(options.name);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByRole('button', { name: 'Join', exact: true }).click();
  } else {
    const query = new URLSearchParams({ room: options.room, name: options.name });
    if (!options.preJoin) query.set('join', '');
    if (options.inspect) query.set('inspect', '');
    for (const [key, value] of Object.entries(options.query ?? {})) query.set(key, value);
    await page.goto(`${server.origin}/${options.shell}/?${query}`);
  }
  return { page, context, name: options.name, close: () => context.close() };
}

/** A fresh room name per test, so tests never meet each other's peers. */
export function uniqueRoom(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Polls `probe` until it returns something other than `false`/`undefined`/`null`, or fails after
 * `timeoutMs` with the last value seen. Tests wait for conditions, never for durations.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | false | null | undefined>,
  { timeoutMs = 20_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== false && value !== null && value !== undefined) return value;
      last = value;
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface CallState {
  status: string | null;
  stateValue: string | null;
  selfId: string | null;
}

export async function callState(page: Page): Promise<CallState> {
  const el = page.getByTestId('call-state');
  const [status, stateValue, selfId] = await Promise.all([
    el.getAttribute('data-status'),
    el.getAttribute('data-state-value'),
    el.getAttribute('data-self-id'),
  ]);
  return { status, stateValue, selfId };
}

/** Waits until the page is in the room and returns its own peer id. */
export async function joined(call: CallPage): Promise<string> {
  return until(`${call.name} to join`, async () => {
    const state = await callState(call.page);
    return state.status === 'joined' && state.selfId;
  });
}

export interface VideoProbe {
  peerId: string | null;
  width: number;
  /** Frames the element has presented so far. */
  frames: number;
}

/** What each `<video>` of a test id shows, read from the element itself. */
export function videos(page: Page, testId: 'remote-video' | 'remote-screen' | 'local-video' | 'prejoin-video'): Promise<VideoProbe[]> {
  return page.evaluate((id) => {
    return [...document.querySelectorAll<HTMLVideoElement>(`[data-testid="${id}"]`)].map((v) => ({
      peerId: v.dataset.peerId ?? null,
      width: v.videoWidth,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
    }));
  }, testId);
}

/** Waits until the `<video>` (test id, peer) has a picture and shows new frames: it is decoding live video. */
export async function decodesVideo(page: Page, testId: 'remote-video' | 'remote-screen', peerId: string, what: string) {
  const find = async () => (await videos(page, testId)).find((v) => v.peerId === peerId);
  const first = await until(`${what}: a picture`, async () => {
    const v = await find();
    return v !== undefined && v.width > 0 && v.frames > 0 && v;
  });
  return until(`${what}: new frames`, async () => {
    const v = await find();
    return v !== undefined && v.frames > first.frames + 5 && v;
  });
}

export interface RtpTotals {
  inboundAudioBytes: number;
  inboundAudioEnergy: number;
  outboundAudioBytes: number;
  outboundVideoBytes: number;
  inboundVideoFrames: number;
  /** Inbound video streams that have decoded at least one frame. */
  inboundVideoStreams: number;
}

/** Sums of the page's RTP statistics over its open peer connections. */
export function rtpTotals(page: Page): Promise<RtpTotals> {
  return page.evaluate(async () => {
    const totals = {
      inboundAudioBytes: 0,
      inboundAudioEnergy: 0,
      outboundAudioBytes: 0,
      outboundVideoBytes: 0,
      inboundVideoFrames: 0,
      inboundVideoStreams: 0,
    };
    const pcs = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s: Record<string, unknown>) => {
        const n = (key: string) => (typeof s[key] === 'number' ? (s[key] as number) : 0);
        if (s.type === 'inbound-rtp' && s.kind === 'audio') {
          totals.inboundAudioBytes += n('bytesReceived');
          totals.inboundAudioEnergy += n('totalAudioEnergy');
        } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
          totals.outboundAudioBytes += n('bytesSent');
        } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
          totals.outboundVideoBytes += n('bytesSent');
        } else if (s.type === 'inbound-rtp' && s.kind === 'video') {
          totals.inboundVideoFrames += n('framesDecoded');
          if (n('framesDecoded') > 0) totals.inboundVideoStreams += 1;
        }
      });
    }
    return totals;
  });
}

/** How fast a figure grows, per second, over one `windowMs` window. */
export async function ratePerSecond(page: Page, pick: (t: RtpTotals) => number, windowMs = 1_500): Promise<number> {
  const before = pick(await rtpTotals(page));
  const started = Date.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const after = pick(await rtpTotals(page));
  return ((after - before) * 1000) / (Date.now() - started);
}

/** The tile of a remote peer. */
export function peerTile(page: Page, peerId: string) {
  return page.locator(`[data-testid="peer-tile"][data-peer-id="${peerId}"]`);
}

export async function screenshot(page: Page, file: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, file);
  await page.screenshot({ path, fullPage: true });
  return path;
}
