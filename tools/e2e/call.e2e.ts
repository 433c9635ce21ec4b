/**
 * One suite, run against each shell (E2E_SHELLS): real pages in real Chromium calling each other
 * through the real server. It drives the shells only through the DOM contract (docs/dom-contract.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callState,
  decodesVideo,
  joined,
  launchBrowser,
  openCall,
  peerConnections,
  peerTile,
  ratePerSecond,
  rtpTotals,
  screenshot,
  shellsUnderTest,
  startServer,
  uniqueRoom,
  until,
  useServerAndBrowser,
  videos,
  type CallPage,
  type TestServer,
} from './harness.js';

/** The page's open connection has a sender carrying a live track of that kind. */
const sends = async (page: CallPage['page'], kind: 'audio' | 'video') =>
  (await peerConnections(page))
    .filter((pc) => pc.connectionState === 'connected')
    .some((pc) => pc.transceivers.some((t) => t.sending === `${kind} live`));

const shared = useServerAndBrowser();

describe.each(shellsUnderTest())('the %s shell', (shell) => {
  describe('a call between two pages', () => {
    let alice: CallPage;
    let bob: CallPage;
    let aliceId: string;
    let bobId: string;

    beforeAll(async () => {
      const room = uniqueRoom(`${shell}-pair`);
      alice = await openCall(shared.browser, shared.server, { shell, room, name: 'Alice' });
      aliceId = await joined(alice);
      bob = await openCall(shared.browser, shared.server, { shell, room, name: 'Bob' });
      bobId = await joined(bob);
    });

    afterAll(async () => {
      await alice?.close();
      await bob?.close();
    });

    it('connects, and each side decodes the other’s video and receives its audio', async () => {
      for (const [self, other, otherId] of [
        [alice, bob, bobId],
        [bob, alice, aliceId],
      ] as const) {
        await until(`${self.name}'s connection to ${other.name}`, async () => {
          return (await peerTile(self.page, otherId).getAttribute('data-connection-state')) === 'connected';
        });
        expect((await peerTile(self.page, otherId).getByTestId('peer-name').textContent())?.trim()).toBe(other.name);
        const video = await decodesVideo(self.page, 'remote-video', otherId, `${self.name} decoding ${other.name}'s camera`);
        expect(video.width).toBeGreaterThan(0);
        const firstAudio = await until(`${self.name} receiving audio`, async () => {
          const totals = await rtpTotals(self.page);
          return totals.inboundAudioBytes > 0 && totals;
        });
        await until(`${self.name}'s received audio to keep growing`, async () => {
          return (await rtpTotals(self.page)).inboundAudioBytes > firstAudio.inboundAudioBytes;
        });
      }
      expect((await videos(alice.page, 'local-video'))[0]?.width).toBeGreaterThan(0);
    });

    it('shows live connection quality per peer', async () => {
      const stats = alice.page.locator(`[data-testid="peer-stats"][data-peer-id="${bobId}"]`);
      await until('a measured round trip and bitrate', async () => {
        const text = (await stats.textContent()) ?? '';
        return /Round trip\s*\d+ ms/.test(text) && /Receiving\s*\d+ kbit\/s/.test(text);
      });
      await until('a sparkline of the last samples', async () => {
        const points = (await stats.locator('polyline').getAttribute('points')) ?? '';
        return points.split(' ').length >= 2;
      });
    });

    it('carries chat both ways and keeps a screenshot mid-call', async () => {
      await alice.page.getByTestId('chat-input').fill('Hello from Alice');
      await alice.page.getByRole('button', { name: 'Send', exact: true }).click();
      await bob.page.getByTestId('chat-input').fill('Hi Alice, Bob here');
      await bob.page.getByRole('button', { name: 'Send', exact: true }).click();
      for (const page of [alice.page, bob.page]) {
        await until('both messages in the log', async () => {
          const log = (await page.getByTestId('chat-log').textContent()) ?? '';
          return log.includes('Hello from Alice') && log.includes('Hi Alice, Bob here');
        });
      }
      expect(await alice.page.getByTestId('chat-input').inputValue()).toBe('');
      // Each line's text content is `You: …` or `NAME: …`: a real space, not one drawn by CSS (the two sends may cross, so sorted).
      const lines = async (page: typeof alice.page) => (await page.getByTestId('chat-message').allTextContents()).map((text) => text.trim()).sort();
      expect(await lines(alice.page)).toEqual(['Bob: Hi Alice, Bob here', 'You: Hello from Alice']);
      expect(await lines(bob.page)).toEqual(['Alice: Hello from Alice', 'You: Hi Alice, Bob here']);
      // A few quality samples make the sparkline worth a picture.
      await until('a sparkline of five samples', async () => {
        const points = await alice.page.locator(`[data-testid="peer-stats"][data-peer-id="${bobId}"] polyline`).getAttribute('points');
        return (points ?? '').split(' ').length >= 5;
      });
      await screenshot(alice.page, `${shell}-call.png`);
    });

    it('mute silences the outbound audio and the other side shows it; unmute brings it back', async () => {
      const audioOut = (t: { outboundAudioBytes: number }) => t.outboundAudioBytes;
      const energyIn = (t: { inboundAudioEnergy: number }) => t.inboundAudioEnergy;
      const speaking = await ratePerSecond(alice.page, audioOut);
      expect(speaking).toBeGreaterThan(0);
      await until('Bob to hear sound from Alice', async () => (await ratePerSecond(bob.page, energyIn, 1_000)) > 0);

      await alice.page.getByRole('button', { name: 'Mute microphone', exact: true }).click();
      await alice.page.getByRole('button', { name: 'Unmute microphone', exact: true }).waitFor();
      await until("Bob's tile to show Alice muted", async () => peerTile(bob.page, aliceId).getByTestId('peer-mic-muted').isVisible());
      // Mute is the track's `enabled` only: the sender keeps the track (no replaceTrack(null)), Bob learns
      // "muted" from Alice's media-state message, and the disabled track sends a trickle of silence frames:
      // outbound audio falls to a fraction, and Bob hears nothing.
      expect(await sends(alice.page, 'audio')).toBe(true);
      await until("Alice's outbound audio to drop", async () => (await ratePerSecond(alice.page, audioOut)) < speaking * 0.25);
      await until('Bob to hear silence', async () => (await ratePerSecond(bob.page, energyIn, 1_000)) === 0);

      await alice.page.getByRole('button', { name: 'Unmute microphone', exact: true }).click();
      await until("Bob's tile to show Alice unmuted", async () => !(await peerTile(bob.page, aliceId).getByTestId('peer-mic-muted').isVisible()));
      await until("Alice's outbound audio to recover", async () => (await ratePerSecond(alice.page, audioOut)) > speaking * 0.5);
      await until('Bob to hear Alice again', async () => (await ratePerSecond(bob.page, energyIn, 1_000)) > 0);
    });

    it('camera off drops the outbound video and the other side shows it; camera on and switching bring it back', async () => {
      const videoOut = (t: { outboundVideoBytes: number }) => t.outboundVideoBytes;
      const sending = await ratePerSecond(bob.page, videoOut);
      expect(sending).toBeGreaterThan(0);

      await bob.page.getByRole('button', { name: 'Turn camera off', exact: true }).click();
      await bob.page.getByRole('button', { name: 'Turn camera on', exact: true }).waitFor();
      await until("Alice's tile to show Bob's camera off", async () => peerTile(alice.page, bobId).getByTestId('peer-camera-off').isVisible());
      // Camera off is the track's `enabled` only: the sender keeps it, and a disabled camera track sends small
      // black frames: outbound video falls to a fraction.
      expect(await sends(bob.page, 'video')).toBe(true);
      await until("Bob's outbound video to drop", async () => (await ratePerSecond(bob.page, videoOut)) < sending * 0.25);

      await bob.page.getByRole('button', { name: 'Turn camera on', exact: true }).click();
      await until("Alice's tile to show Bob's camera on", async () => !(await peerTile(alice.page, bobId).getByTestId('peer-camera-off').isVisible()));
      await until("Bob's outbound video to recover", async () => (await ratePerSecond(bob.page, videoOut)) > sending * 0.5);
      await decodesVideo(alice.page, 'remote-video', bobId, "Alice decoding Bob's camera again");

      // One fake camera here: switching swaps in a fresh track from it, and the picture goes on.
      await bob.page.getByRole('button', { name: 'Switch camera', exact: true }).click();
      await decodesVideo(alice.page, 'remote-video', bobId, "Alice decoding Bob's camera after he switched");
      expect(await bob.page.getByTestId('error').count()).toBe(0);
    });

    it("the device pickers list Chromium's fake devices; a camera picked there reaches the other side without renegotiation", async () => {
      const camera = bob.page.getByTestId('camera-select');
      const microphone = bob.page.getByTestId('microphone-select');
      await until("Bob's camera and microphone pickers to list devices", async () =>
        (await camera.locator('option').count()) > 0 && (await microphone.locator('option').count()) > 0,
      );
      // Labelled for assistive technology (the name also carries the selected option's text).
      expect(await bob.page.getByRole('combobox', { name: /^Camera/ }).getAttribute('data-testid')).toBe('camera-select');
      expect(await bob.page.getByRole('combobox', { name: /^Microphone/ }).getAttribute('data-testid')).toBe('microphone-select');
      // The camera in use is the one selected.
      const cameras = await camera.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
      expect(cameras).toContain(await camera.inputValue());

      const localVideoTrack = () =>
        bob.page.getByTestId('local-video').evaluate((video) => ((video as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? null);
      const negotiations = async () =>
        (await peerConnections(bob.page)).flatMap((pc) => pc.events).filter((e) => /^signaling (have-local-offer|have-remote-offer)/.test(e.what)).length;
      const [trackBefore, offersBefore] = [await localVideoTrack(), await negotiations()];
      await camera.selectOption(cameras.at(-1) as string);
      await until("Bob's preview to carry the picked camera's new track", async () => (await localVideoTrack()) !== trackBefore);
      await decodesVideo(alice.page, 'remote-video', bobId, "Alice decoding Bob's camera after he picked one");
      expect(await negotiations()).toBe(offersBefore); // replaceTrack: no offer either way
      expect(await bob.page.getByTestId('error').count()).toBe(0);

      // Chromium has setSinkId and lists fake speakers: the choice becomes every remote video's sinkId.
      const speaker = bob.page.getByTestId('speaker-select');
      const outputs = await speaker.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
      expect(outputs[0]).toBe(''); // Default
      const chosen = outputs.at(-1) as string;
      expect(chosen).not.toBe('');
      await speaker.selectOption(chosen);
      const remote = bob.page.locator(`[data-testid="remote-video"][data-peer-id="${aliceId}"]`);
      await until("Bob's remote video to play on the chosen speaker", async () =>
        (await remote.evaluate((video) => (video as HTMLVideoElement & { sinkId: string }).sinkId)) === chosen,
      );
    });

    it('screen sharing renegotiates without dropping the call, and stopping returns to the camera', async () => {
      const connectionStates = new Set<string>();
      const watch = setInterval(() => {
        void peerTile(bob.page, aliceId)
          .getAttribute('data-connection-state', { timeout: 1_000 })
          .then((state) => connectionStates.add(state ?? 'gone'))
          .catch(() => connectionStates.add('gone'));
      }, 200);
      try {
        await alice.page.getByRole('button', { name: 'Share screen', exact: true }).click();
        await alice.page.getByRole('button', { name: 'Stop sharing', exact: true }).waitFor();
        const screen = await decodesVideo(bob.page, 'remote-screen', aliceId, "Bob decoding Alice's screen");
        expect(screen.width).toBeGreaterThan(0);
        await decodesVideo(bob.page, 'remote-video', aliceId, "Bob still decoding Alice's camera while she shares");

        await alice.page.getByRole('button', { name: 'Stop sharing', exact: true }).click();
        await alice.page.getByRole('button', { name: 'Share screen', exact: true }).waitFor();
        await until("Alice's screen to leave Bob's page", async () => (await videos(bob.page, 'remote-screen')).length === 0);
        await decodesVideo(bob.page, 'remote-video', aliceId, "Bob decoding Alice's camera after sharing");
      } finally {
        clearInterval(watch);
      }
      expect([...connectionStates]).toEqual(['connected']);
      expect((await callState(bob.page)).status).toBe('joined');
    });

    it('leave: the other side sees the peer go; Rejoin brings them back', async () => {
      await bob.page.getByRole('button', { name: 'Leave', exact: true }).click();
      await until('Bob to have left', async () => (await callState(bob.page)).status === 'left');
      await until("Bob's tile to leave Alice's page", async () => (await peerTile(alice.page, bobId).count()) === 0, { timeoutMs: 5_000 });
      expect((await callState(alice.page)).status).toBe('joined');

      await bob.page.getByRole('button', { name: 'Rejoin', exact: true }).click();
      const bobAgain = await joined(bob);
      await decodesVideo(alice.page, 'remote-video', bobAgain, "Alice decoding Bob's camera after he rejoined");
    });
  });

  it('a page opened by a link, where the browser refuses sound before a click, plays the peer muted and `Turn on sound` unmutes it', async () => {
    const room = uniqueRoom(`${shell}-autoplay`);
    const calls: CallPage[] = [];
    try {
      const caller = await openCall(shared.browser, shared.server, { shell, room, name: 'Caller' });
      calls.push(caller);
      const callerId = await joined(caller);
      const listener = await openCall(shared.browser, shared.server, { shell, room, name: 'Listener', query: { receiveOnly: '' }, soundNeedsGesture: true });
      calls.push(listener);
      await joined(listener);
      const tile = peerTile(listener.page, callerId);
      const video = tile.getByTestId('remote-video');
      const turnOnSound = tile.getByRole('button', { name: 'Turn on sound', exact: true });
      await turnOnSound.waitFor();
      expect(await video.evaluate((v: HTMLVideoElement) => v.muted)).toBe(true);
      await decodesVideo(listener.page, 'remote-video', callerId, 'the listener decoding the caller, muted');

      await turnOnSound.click();
      await until('the sound to be on and the button gone', async () => !(await video.evaluate((v: HTMLVideoElement) => v.muted)) && (await turnOnSound.count()) === 0);
      expect(await video.evaluate((v: HTMLVideoElement) => v.paused)).toBe(false);
    } finally {
      for (const call of calls) await call.close();
    }
  });

  it('three pages form a mesh (the last joins from the lobby): every page decodes every other page’s video', async () => {
    const room = uniqueRoom(`${shell}-mesh`);
    const calls: CallPage[] = [];
    try {
      const ids: string[] = [];
      for (const name of ['Ann', 'Ben', 'Cat']) {
        const call = await openCall(shared.browser, shared.server, { shell, room, name, viaLobby: name === 'Cat' });
        calls.push(call);
        ids.push(await joined(call));
      }
      const lobbyUrl = new URL(calls[2]?.page.url() ?? '');
      expect([lobbyUrl.searchParams.get('room'), lobbyUrl.searchParams.get('name')]).toEqual([room, 'Cat']);
      for (const [i, call] of calls.entries()) {
        for (const [j, otherId] of ids.entries()) {
          if (i === j) continue;
          await decodesVideo(call.page, 'remote-video', otherId, `${call.name} decoding ${calls[j]?.name}`);
        }
        expect(await call.page.getByTestId('remote-video').count()).toBe(2);
      }
    } finally {
      await Promise.all(calls.map((c) => c.close()));
    }
  });

  it('signaling lost mid-call: a countdown while the call goes on, then back in the room when the server returns', async () => {
    const ownServer = await startServer();
    const port = Number(new URL(ownServer.origin).port);
    const room = uniqueRoom(`${shell}-outage`);
    const calls: CallPage[] = [];
    let restarted: TestServer | undefined;
    try {
      const ann = await openCall(shared.browser, ownServer, { shell, room, name: 'Ann' });
      calls.push(ann);
      await joined(ann);
      const ben = await openCall(shared.browser, ownServer, { shell, room, name: 'Ben' });
      calls.push(ben);
      const benId = await joined(ben);
      await decodesVideo(ann.page, 'remote-video', benId, "Ann decoding Ben's camera");

      await ownServer.close();
      const countdown = ann.page.getByTestId('reconnect-countdown');
      await until('the reconnect countdown', async () => (await countdown.isVisible()) && (await countdown.textContent()));
      expect(await countdown.textContent()).toMatch(/Trying again in \d+ s/);
      expect((await callState(ann.page)).status).toBe('reconnecting');
      expect(await ann.page.getByTestId('error').getAttribute('data-error-code')).toBe('signaling/unreachable');
      // Media flows peer to peer: losing the signaling server does not stop the call.
      await decodesVideo(ann.page, 'remote-video', benId, "Ann still decoding Ben's camera without signaling");

      restarted = await startServer(port);
      for (const call of calls) await joined(call);
      await until('the countdown to go', async () => (await countdown.count()) === 0);
      const peers = await until('Ann to see Ben connected again', async () => {
        const tiles = ann.page.getByTestId('peer-tile');
        const states = await tiles.evaluateAll((els) => els.map((el) => [el.getAttribute('data-peer-id'), el.getAttribute('data-connection-state')]));
        return states.length === 1 && states[0]?.[1] === 'connected' && states;
      });
      await decodesVideo(ann.page, 'remote-video', peers[0]?.[0] ?? '', "Ann decoding Ben's camera after the outage");
    } finally {
      await Promise.all(calls.map((c) => c.close()));
      await restarted?.close();
    }
  });

  it('a page denied camera and microphone says so, joins receive-only and still sees the other', async () => {
    // Without the fake capture prompt, the context's permissions decide, as a person's "Block" would.
    const strictBrowser = await launchBrowser({ fakeMediaUi: false });
    const room = uniqueRoom(`${shell}-denied`);
    try {
      const host = await openCall(strictBrowser, shared.server, { shell, room, name: 'Host' });
      const hostId = await joined(host);
      const guest = await openCall(strictBrowser, shared.server, { shell, room, name: 'Guest', grantMedia: false });

      const error = guest.page.getByTestId('error');
      await until('the media error', async () => (await error.isVisible()) && (await error.textContent()));
      expect((await callState(guest.page)).status).toBe('media-error');
      expect(await error.getAttribute('data-error-code')).toMatch(/^media\//);

      await guest.page.getByRole('button', { name: 'Join without camera and microphone', exact: true }).click();
      const guestId = await joined(guest);
      await until('the error to clear', async () => (await error.count()) === 0);
      await decodesVideo(guest.page, 'remote-video', hostId, "the receive-only guest decoding the host's camera");
      await until("the host to see the guest's tile", async () => (await peerTile(host.page, guestId).count()) === 1);
      expect(await guest.page.getByRole('button', { name: 'Mute microphone', exact: true }).isDisabled()).toBe(true);
    } finally {
      await strictBrowser.close();
    }
  });
});
