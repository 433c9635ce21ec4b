/**
 * A call outlives what goes wrong around it (issue 9): the signaling server crashing and coming
 * back, a tab vanishing without a goodbye, the browser's network going away and back. Each call
 * joins a Vue page with a React page, so this file runs once (E2E_MIXED=1), not per shell.
 */
import { describe, expect, it } from 'vitest';
import {
  callState,
  decodesVideo,
  joined,
  launchKillableBrowser,
  networkEvents,
  openCall,
  peerConnections,
  peerTile,
  startServerProcess,
  uniqueRoom,
  until,
  useServerAndBrowser,
  videos,
  type CallPage,
  type PeerConnectionReport,
  type ServerProcess,
} from './harness.js';

const shared = useServerAndBrowser();

/**
 * How long the others may keep a tab that vanished without a `bye` — the bound documented in
 * docs/networking.md ("A tab closed abruptly"); keep the two equal.
 */
const ABRUPT_LEAVE_BOUND_MS = 15_000;
/** Slack for the test's own polling (every 250 ms, each probe a round trip to the page) on a loaded machine. */
const ABRUPT_LEAVE_MARGIN_MS = 2_000;

/** How soon after the `online` event the page must have started an ICE restart (a new local ufrag). */
const ICE_RESTART_PROMPT_MS = 5_000;

/**
 * The server's identity secret (`--session-secret` / PEERCHART_SESSION_SECRET): with it, a
 * restarted server recognises the resume tokens of its previous run, so peers keep their ids.
 */
const SESSION_SECRET = 'e2e-session-secret-0123456789abcdef';

/** The open (not closed) peer connections of a page, for assertions and failure messages. */
async function openConnections(call: CallPage): Promise<PeerConnectionReport[]> {
  return (await peerConnections(call.page)).filter((pc) => pc.connectionState !== 'closed');
}

/** Console errors of each page, for failure messages. */
const consoleErrors = new WeakMap<CallPage, string[]>();
function collectConsoleErrors(call: CallPage): void {
  const errors: string[] = [];
  consoleErrors.set(call, errors);
  call.page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
}

/** Runs `step`; on failure, rethrows with each page's call state and peer connections appended. */
async function withEvidence<T>(calls: CallPage[], step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const lines = [error instanceof Error ? error.message : String(error), '--- evidence ---'];
    for (const call of calls) {
      const state = await callState(call.page).catch((e: unknown) => String(e));
      const tiles = await call.page
        .getByTestId('peer-tile')
        .evaluateAll((els) => els.map((el) => `${el.getAttribute('data-peer-id')}:${el.getAttribute('data-connection-state')}`))
        .catch(() => []);
      const pcs = await peerConnections(call.page).catch((e: unknown) => String(e));
      const errors = consoleErrors.get(call) ?? [];
      lines.push(`${call.name}: state=${JSON.stringify(state)} tiles=${JSON.stringify(tiles)} console errors=${JSON.stringify(errors)} pcs=${JSON.stringify(pcs)}`);
    }
    throw new Error(lines.join('\n'), { cause: error });
  }
}


describe('a Vue↔React call survives faults around it', () => {
  it('the signaling server crashes and restarts on the same port: media flows throughout, both pages resume with the same ids, and a later screen share renegotiates', async () => {
    let server: ServerProcess | undefined = await startServerProcess(0, { PEERCHART_SESSION_SECRET: SESSION_SECRET });
    const port = server.port;
    const room = uniqueRoom('server-restart');
    const calls: CallPage[] = [];
    try {
      const vue = await openCall(shared.browser, server, { shell: 'vue', room, name: 'Vue' });
      calls.push(vue);
      collectConsoleErrors(vue);
      const react = await openCall(shared.browser, server, { shell: 'react', room, name: 'React' });
      calls.push(react);
      collectConsoleErrors(react);
      const vueId = await joined(vue);
      const reactId = await joined(react);
      await decodesVideo(vue.page, 'remote-video', reactId, "Vue decoding React's camera");
      await decodesVideo(react.page, 'remote-video', vueId, "React decoding Vue's camera");
      const connectionsBefore = [(await peerConnections(vue.page)).length, (await peerConnections(react.page)).length];

      await server.kill('SIGKILL'); // a crash: no close frames, no goodbye
      server = undefined;
      for (const call of calls) {
        await until(`${call.name} to notice the server is gone`, async () => (await callState(call.page)).status === 'reconnecting');
      }
      // Peer to peer, the call goes on without the server: new frames on both sides.
      await decodesVideo(vue.page, 'remote-video', reactId, "Vue decoding React's camera while the server is down");
      await decodesVideo(react.page, 'remote-video', vueId, "React decoding Vue's camera while the server is down");

      server = await startServerProcess(port, { PEERCHART_SESSION_SECRET: SESSION_SECRET });
      await withEvidence(calls, async () => {
        for (const [call, selfId] of [
          [vue, vueId],
          [react, reactId],
        ] as const) {
          const state = await until(`${call.name} back in the room`, async () => {
            const s = await callState(call.page);
            return s.status === 'joined' && s;
          }, { timeoutMs: 30_000 });
          expect(state.selfId, `${call.name}'s id after the restart`).toBe(selfId);
        }
        await until('each page to show the other, connected', async () => {
          const a = await peerTile(vue.page, reactId).getAttribute('data-connection-state', { timeout: 1_000 });
          const b = await peerTile(react.page, vueId).getAttribute('data-connection-state', { timeout: 1_000 });
          return a === 'connected' && b === 'connected';
        });
      });
      // Resumed, not redialled: the call that never stopped is the one still in use.
      const connectionsAfter = [(await peerConnections(vue.page)).length, (await peerConnections(react.page)).length];
      expect(connectionsAfter, 'RTCPeerConnections made by [Vue, React]: no new ones after the restart').toEqual(connectionsBefore);
      expect((await openConnections(vue)).length + (await openConnections(react)).length).toBe(2);
      await decodesVideo(vue.page, 'remote-video', reactId, "Vue decoding React's camera after the restart");

      // Renegotiation needs the (new) server: a screen share started now must reach the other page.
      await vue.page.getByRole('button', { name: 'Share screen', exact: true }).click();
      await vue.page.getByRole('button', { name: 'Stop sharing', exact: true }).waitFor();
      await withEvidence(calls, () => decodesVideo(react.page, 'remote-screen', vueId, "React decoding Vue's screen shared after the restart"));
      expect(await peerTile(react.page, vueId).getAttribute('data-connection-state')).toBe('connected');
    } finally {
      await Promise.all(calls.map((c) => c.close()));
      await server?.kill('SIGKILL');
    }
  });

  it(`a tab that vanishes without a goodbye leaves the others' pages within ${ABRUPT_LEAVE_BOUND_MS / 1000} s; the rest of the call goes on`, async () => {
    // "Abrupt" = the tab's whole browser (every Chromium process: browser, renderer, network service)
    // is SIGKILLed: no unload handlers, no `bye`, no WebSocket close frame, no RTCP BYE or DTLS
    // close_notify. The kernel still closes its TCP socket (the server sees the socket drop, as when
    // a laptop's browser crashes); a path that goes silent without even that is the network lab's case.
    // `page.close()` is not abrupt: it runs unload handlers and closes the socket cleanly.
    const victim = await launchKillableBrowser();
    const room = uniqueRoom('abrupt');
    const calls: CallPage[] = [];
    try {
      const vue = await openCall(shared.browser, shared.server, { shell: 'vue', room, name: 'Vue' });
      calls.push(vue);
      collectConsoleErrors(vue);
      const react = await openCall(shared.browser, shared.server, { shell: 'react', room, name: 'React' });
      calls.push(react);
      collectConsoleErrors(react);
      const vueId = await joined(vue);
      const reactId = await joined(react);
      const victimCall = await openCall(victim.browser, shared.server, { shell: 'vue', room, name: 'Victim' });
      const victimId = await joined(victimCall);
      for (const [self, otherId, what] of [
        [vue, victimId, "Vue decoding the victim's camera"],
        [react, victimId, "React decoding the victim's camera"],
        [vue, reactId, "Vue decoding React's camera"],
      ] as const) {
        await decodesVideo(self.page, 'remote-video', otherId, what);
      }

      await victim.kill();
      const killedAt = Date.now();
      await withEvidence(calls, async () => {
        for (const call of [vue, react]) {
          await until(
            `${call.name} to drop the vanished tab (${Date.now() - killedAt} ms since the kill)`,
            async () => (await peerTile(call.page, victimId).count()) === 0,
            { timeoutMs: Math.max(0, ABRUPT_LEAVE_BOUND_MS + ABRUPT_LEAVE_MARGIN_MS - (Date.now() - killedAt)) },
          );
        }
      });
      expect((await callState(vue.page)).status).toBe('joined');
      expect((await callState(react.page)).status).toBe('joined');
      await decodesVideo(vue.page, 'remote-video', reactId, "Vue still decoding React's camera");
      await decodesVideo(react.page, 'remote-video', vueId, "React still decoding Vue's camera");
    } finally {
      await Promise.all(calls.map((c) => c.close()));
      await victim.kill();
      await victim.browser.close().catch(() => undefined);
    }
  });

  it('going offline and back online makes the page restart ICE at once, and media goes on', async () => {
    const room = uniqueRoom('online');
    const vue = await openCall(shared.browser, shared.server, { shell: 'vue', room, name: 'Vue' });
    const react = await openCall(shared.browser, shared.server, { shell: 'react', room, name: 'React' });
    const calls = [vue, react];
    calls.forEach(collectConsoleErrors);
    try {
      const vueId = await joined(vue);
      const reactId = await joined(react);
      await decodesVideo(vue.page, 'remote-video', reactId, "Vue decoding React's camera");
      await decodesVideo(react.page, 'remote-video', vueId, "React decoding Vue's camera");

      for (const [call, other, otherId] of [
        [vue, react, reactId],
        [react, vue, vueId],
      ] as const) {
        const [pc] = await openConnections(call);
        if (!pc) throw new Error(`${call.name} has no open peer connection`);
        const ufragsBefore = pc.localUfrags.length;
        const eventsBefore = (await networkEvents(call.page)).length;
        // DevTools network emulation: fires `offline`/`online` in the page and fails HTTP and
        // WebSocket traffic, but leaves WebRTC's UDP alone; the events are the signal under test.
        await call.context.setOffline(true);
        await until(`${call.name}'s page to see 'offline'`, async () => (await networkEvents(call.page)).slice(eventsBefore).some((e) => e.what === 'offline'));
        await call.context.setOffline(false);
        await until(`${call.name}'s page to see 'online'`, async () => (await networkEvents(call.page)).slice(eventsBefore).some((e) => e.what === 'online'));
        await withEvidence(calls, async () => {
          await until(
            `${call.name} to restart ICE after 'online' (a new local ufrag)`,
            async () => {
              const [now] = await openConnections(call);
              return now !== undefined && now.localUfrags.length > ufragsBefore && now;
            },
            { timeoutMs: ICE_RESTART_PROMPT_MS },
          );
          await until(`${call.name}'s connection back to connected/stable`, async () => {
            const [now] = await openConnections(call);
            return now?.connectionState === 'connected' && now.signalingState === 'stable';
          });
        });
        expect((await openConnections(call)).length, 'the same RTCPeerConnection, not a new one').toBe(1);
        await decodesVideo(other.page, 'remote-video', call === vue ? vueId : reactId, `${other.name} decoding ${call.name}'s camera after the restart`);
        await decodesVideo(call.page, 'remote-video', otherId, `${call.name} decoding ${other.name}'s camera after the restart`);
      }
      expect(await videos(vue.page, 'remote-video')).toHaveLength(1);
    } finally {
      await Promise.all(calls.map((c) => c.close()));
    }
  });
});
