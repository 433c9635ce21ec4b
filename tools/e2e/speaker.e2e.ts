/**
 * Audio levels and the active speaker, in each shell (E2E_SHELLS), through the DOM contract:
 * `data-audio-level` and `data-active-speaker` on the tiles. The sound is Chromium's fake microphone
 * (a short beep, twice a second), metered by WebAudio in the page (`watchAudioLevels` from
 * @peerchart/core/dom, which the bindings pass) — on the sender's own tile and, after WebRTC, on the
 * receiver's tile of that sender.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joined, openCall, peerTile, shellsUnderTest, uniqueRoom, until, useServerAndBrowser, type CallPage } from './harness.js';

const shared = useServerAndBrowser();

interface LevelChange {
  /** `local` for the own tile, else the peer id. */
  tile: string;
  level: number;
  speaker: boolean;
  at: number;
}

/**
 * Records every change of a tile's `data-audio-level` / `data-active-speaker` from now on (a beep
 * lasts less than a poll interval, so polling the DOM could miss it). Tiles rendered later count too.
 */
async function recordLevels(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: LevelChange[] = [];
    Object.defineProperty(window, '__e2eLevels', { value: log, configurable: true });
    const note = (tile: Element) => {
      const level = tile.getAttribute('data-audio-level');
      if (level === null) return;
      const id = tile.getAttribute('data-testid') === 'local-tile' ? 'local' : (tile.getAttribute('data-peer-id') ?? '?');
      log.push({ tile: id, level: Number(level), speaker: tile.getAttribute('data-active-speaker') === 'true', at: performance.now() });
    };
    document.querySelectorAll('[data-audio-level]').forEach(note);
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'attributes') note(record.target as Element);
        else record.addedNodes.forEach((node) => node instanceof Element && node.querySelectorAll('[data-audio-level]').forEach(note));
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-audio-level', 'data-active-speaker'] });
  });
}

const levels = (page: Page, tile: string): Promise<LevelChange[]> =>
  page.evaluate((id) => (window as unknown as { __e2eLevels: LevelChange[] }).__e2eLevels.filter((change) => change.tile === id), tile);

const micButton = (call: CallPage, name: 'Mute microphone' | 'Unmute microphone') => call.page.getByRole('button', { name, exact: true });

describe.each(shellsUnderTest())('the %s shell: audio levels and the active speaker', (shell) => {
  let alice: CallPage;
  let bob: CallPage;
  let aliceId: string;

  beforeAll(async () => {
    const room = uniqueRoom(`${shell}-speaker`);
    alice = await openCall(shared.browser, shared.server, { shell, room, name: 'Alice' });
    aliceId = await joined(alice);
    bob = await openCall(shared.browser, shared.server, { shell, room, name: 'Bob' });
    await joined(bob);
    for (const call of [alice, bob]) await recordLevels(call.page);
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
  });

  it("meters the own microphone on the local tile; with Alice muted, Bob's own beep makes his own tile the active speaker", async () => {
    await until("Bob's own tile to show a level above 0", async () => (await levels(bob.page, 'local')).some((change) => change.level > 0));
    const local = bob.page.getByTestId('local-tile');
    expect(await local.getAttribute('data-audio-level')).toMatch(/^(0|1)\.\d\d$/);
    // Alice's fake microphone beeps as loud as Bob's: while both sound, which one is the loudest at a given
    // sample is a matter of timing. With Alice muted, Bob's own beep is the only speech, so his tile must lead.
    await micButton(alice, 'Mute microphone').click();
    await micButton(alice, 'Unmute microphone').waitFor();
    await peerTile(bob.page, aliceId).getByTestId('peer-mic-muted').waitFor();
    const aliceSilentAt = await bob.page.evaluate(() => performance.now());
    await until("Bob's own tile to be the active speaker", async () =>
      (await levels(bob.page, 'local')).some((change) => change.speaker && change.at > aliceSilentAt),
    );
    await micButton(alice, 'Unmute microphone').click();
    await micButton(alice, 'Mute microphone').waitFor();
  });

  it("Bob muted: Alice's received beep raises her level on Bob's page and makes her tile the active speaker", async () => {
    await micButton(bob, 'Mute microphone').click();
    await micButton(bob, 'Unmute microphone').waitFor();
    // Muted is silence: Bob's own level falls to 0 and he gives up the role (after the hold).
    await until("Bob's own tile at 0 without the active-speaker mark", async () => {
      const local = bob.page.getByTestId('local-tile');
      return (await local.getAttribute('data-audio-level')) === '0.00' && (await local.getAttribute('data-active-speaker')) === null;
    });
    const tile = peerTile(bob.page, aliceId);
    await until("Alice's level above 0 on Bob's page", async () => (await levels(bob.page, aliceId)).some((change) => change.level > 0));
    // The mark on Alice's tile, and on no other (read in one go: a beep's mark lasts about a second).
    await until("Alice's tile, and only hers, marked as the active speaker on Bob's page", async () => {
      const marked = await bob.page.locator('[data-active-speaker="true"]').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-peer-id') ?? 'local'));
      return marked.length === 1 && marked[0] === aliceId;
    });
    expect(await tile.getAttribute('data-audio-level')).toMatch(/^(0|1)\.\d\d$/);
  });

  it("Alice mutes: her level on Bob's page drops to 0 and stays there, and nobody is the active speaker", async () => {
    await micButton(alice, 'Mute microphone').click();
    await micButton(alice, 'Unmute microphone').waitFor();
    const tile = peerTile(bob.page, aliceId);
    // Bob's page knows she muted (her media-state message), then her last beep's mark runs out.
    await tile.getByTestId('peer-mic-muted').waitFor();
    await until("no tile on Bob's page marked, Alice's at 0", async () => {
      const marked = await bob.page.locator('[data-active-speaker="true"]').count();
      return marked === 0 && (await tile.getAttribute('data-audio-level')) === '0.00';
    });
    // Silence has no event to wait for, so Bob unmutes: three of his own beeps on his tile show that the
    // page kept sampling (and the fake devices kept beeping) meanwhile; Alice's tile showed none of hers.
    const droppedAt = await bob.page.evaluate(() => performance.now());
    await micButton(bob, 'Unmute microphone').click();
    await until('three beeps on Bob’s own tile', async () => {
      const beeps = (await levels(bob.page, 'local')).filter((change) => change.at > droppedAt && change.level > 0);
      return beeps.length >= 3;
    });
    const alicesAfter = (await levels(bob.page, aliceId)).filter((change) => change.at > droppedAt);
    expect(alicesAfter.every((change) => change.level === 0 && !change.speaker)).toBe(true);
    expect(await tile.getAttribute('data-audio-level')).toBe('0.00');
  });
});
