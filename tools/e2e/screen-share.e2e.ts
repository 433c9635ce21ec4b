/**
 * Screen sharing from both sides of one call (issue 9), across shells: a Vue page and a React page.
 * Run once (with E2E_MIXED=1), not per shell: each call already covers both shells.
 */
import { describe, expect, it } from 'vitest';
import {
  decodesVideo,
  joined,
  openCall,
  peerConnections,
  peerTile,
  uniqueRoom,
  until,
  useServerAndBrowser,
  videos,
  type CallPage,
} from './harness.js';

const shared = useServerAndBrowser();

/** Glare runs: each one a fresh call (new pages), both pages pressing Share at once. */
const GLARE_RUNS = 20;
/**
 * How long one glare run may take to converge. Loopback renegotiation needs well under a second on
 * an idle machine; on a loaded 2-core CI machine one offer/answer round was seen to take 1–6 s.
 */
const GLARE_RUN_TIMEOUT_MS = 15_000;
/** Failed runs after which the test stops (keeps a broken build's run short; the message says how far it got). */
const GLARE_MAX_FAILURES = 3;

const shareButton = (call: CallPage) => call.page.getByRole('button', { name: 'Share screen', exact: true });
const stopButton = (call: CallPage) => call.page.getByRole('button', { name: 'Stop sharing', exact: true });

/** What a failure message needs: each page's peer connections (states, transceivers, events). */
async function evidence(calls: CallPage[]): Promise<string> {
  const parts: string[] = [];
  for (const call of calls) {
    const pcs = await peerConnections(call.page).catch((e: unknown) => String(e));
    // Which stream each remote <video> shows (srcObject is part of the DOM contract).
    const shown = await call.page
      .evaluate(() =>
        [...document.querySelectorAll<HTMLVideoElement>('[data-testid="remote-video"], [data-testid="remote-screen"]')].map((v) => {
          const stream = v.srcObject instanceof MediaStream ? v.srcObject : null;
          return `${v.dataset.testid} peer=${v.dataset.peerId} stream=${stream?.id ?? null} tracks=${stream?.getTracks().map((t) => `${t.kind}:${t.readyState}`).join(',') ?? ''} ${v.videoWidth}px frames=${v.getVideoPlaybackQuality().totalVideoFrames}`;
        }),
      )
      .catch((e: unknown) => [String(e)]);
    parts.push(`${call.name}: videos=${JSON.stringify(shown)} pcs=${JSON.stringify(pcs)}`);
  }
  return parts.join('\n');
}

/** Runs `step`; on failure, rethrows with the pages' peer-connection evidence appended. */
async function withEvidence<T>(calls: CallPage[], step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- evidence ---\n${await evidence(calls)}`, { cause: error });
  }
}

async function expectConnected(self: CallPage, otherId: string) {
  expect(await peerTile(self.page, otherId).getAttribute('data-connection-state')).toBe('connected');
}

describe('screen sharing from both pages of a Vue↔React call', () => {
  it('a second share arrives while the first is on; stopping one removes only that one', async () => {
    const room = uniqueRoom('two-shares');
    const vue = await openCall(shared.browser, shared.server, { shell: 'vue', room, name: 'Vue' });
    const react = await openCall(shared.browser, shared.server, { shell: 'react', room, name: 'React' });
    const calls = [vue, react];
    try {
      const vueId = await joined(vue);
      const reactId = await joined(react);
      await decodesVideo(react.page, 'remote-video', vueId, "React decoding Vue's camera");
      await decodesVideo(vue.page, 'remote-video', reactId, "Vue decoding React's camera");

      await shareButton(vue).click();
      await stopButton(vue).waitFor();
      await decodesVideo(react.page, 'remote-screen', vueId, "React decoding Vue's screen");

      await shareButton(react).click();
      await stopButton(react).waitFor();
      await withEvidence(calls, async () => {
        await decodesVideo(vue.page, 'remote-screen', reactId, "Vue decoding React's screen (the second share)");
        await decodesVideo(react.page, 'remote-screen', vueId, "React still decoding Vue's screen");
      });
      await expectConnected(vue, reactId);
      await expectConnected(react, vueId);

      await stopButton(vue).click();
      await shareButton(vue).waitFor();
      await withEvidence(calls, async () => {
        await until("Vue's screen to leave React's page", async () => (await videos(react.page, 'remote-screen')).length === 0);
        // React's share stays on Vue's page, still live.
        await decodesVideo(vue.page, 'remote-screen', reactId, "Vue still decoding React's screen after Vue stopped");
      });
      await decodesVideo(react.page, 'remote-video', vueId, "React decoding Vue's camera after Vue stopped sharing");
      await expectConnected(vue, reactId);
      await expectConnected(react, vueId);
    } finally {
      await Promise.all(calls.map((c) => c.close()));
    }
  });

  it(`glare: both pages press Share at the same instant, ${GLARE_RUNS} times, and every run converges`, { timeout: 400_000 }, async () => {
    const failures: string[] = [];
    let runs = 0;
    for (let run = 0; run < GLARE_RUNS && failures.length < GLARE_MAX_FAILURES; run++) {
      runs += 1;
      // A fresh call per run (new pages, new room). The page that joins second is the newcomer (the
      // caller), so alternating the join order swaps the polite/impolite roles between the shells.
      const room = uniqueRoom(`glare-${run}`);
      const order = run % 2 === 0 ? (['vue', 'react'] as const) : (['react', 'vue'] as const);
      const calls: CallPage[] = [];
      try {
        const ids: string[] = [];
        for (const shell of order) {
          const call = await openCall(shared.browser, shared.server, { shell, room, name: shell === 'vue' ? 'Vue' : 'React' });
          calls.push(call);
          ids.push(await joined(call));
        }
        const [first, second] = calls as [CallPage, CallPage];
        const [firstId, secondId] = ids as [string, string];
        await until(`run ${run}: both connected`, async () => {
          const a = await peerTile(first.page, secondId).getAttribute('data-connection-state', { timeout: 1_000 });
          const b = await peerTile(second.page, firstId).getAttribute('data-connection-state', { timeout: 1_000 });
          return a === 'connected' && b === 'connected';
        });

        await Promise.all([shareButton(first).click(), shareButton(second).click()]);
        try {
          await until(
            `run ${run} (${first.name} joined first): both screens decoding on both sides, every connection stable`,
            async () => {
              const [onFirst, onSecond] = await Promise.all([videos(first.page, 'remote-screen'), videos(second.page, 'remote-screen')]);
              const live = (list: typeof onFirst, id: string) => list.some((v) => v.peerId === id && v.width > 0 && v.frames > 0);
              if (!live(onFirst, secondId) || !live(onSecond, firstId)) return false;
              const pcs = [...(await peerConnections(first.page)), ...(await peerConnections(second.page))].filter(
                (pc) => pc.connectionState !== 'closed',
              );
              return pcs.every((pc) => pc.signalingState === 'stable' && pc.connectionState === 'connected');
            },
            { timeoutMs: GLARE_RUN_TIMEOUT_MS },
          );
          await decodesVideo(first.page, 'remote-screen', secondId, `run ${run}: ${first.name} decoding ${second.name}'s screen`);
          await decodesVideo(second.page, 'remote-screen', firstId, `run ${run}: ${second.name} decoding ${first.name}'s screen`);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          // The first failures in full (peer connections and their events); the rest in one line.
          failures.push(failures.length < 2 ? `${message}\n${await evidence(calls)}` : message);
        }
      } finally {
        await Promise.all(calls.map((c) => c.close()));
      }
    }
    const stopped = runs < GLARE_RUNS ? ` (stopped after ${GLARE_MAX_FAILURES} failures)` : '';
    expect(failures, `${runs - failures.length} of ${runs} runs converged${stopped}; failures:\n${failures.join('\n\n')}`).toEqual([]);
  });
});
