/**
 * The pre-join screen (docs/dom-contract.md, "Pre-join screen"), run against each shell (E2E_SHELLS):
 * `?room=` without `&join` previews the fake camera, lists Chromium's fake devices, switches them before
 * joining, and Join enters the call under the name typed there. Only the DOM contract and what the
 * browser's own media objects report are read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callState,
  decodesVideo,
  joined,
  openCall,
  peerTile,
  shellsUnderTest,
  uniqueRoom,
  until,
  useServerAndBrowser,
  videos,
  type CallPage,
} from './harness.js';

// Two fake cameras, so there is another one to switch to.
const shared = useServerAndBrowser({}, { fakeCameras: 2 });

type Page = CallPage['page'];

/** The deviceId the browser reports for the `kind` track of a `<video>`'s stream (null without one). */
const trackDevice = (page: Page, testId: string, kind: 'audio' | 'video') =>
  page.getByTestId(testId).evaluate((video, k) => {
    const stream = (video as HTMLVideoElement).srcObject as MediaStream | null;
    const track = k === 'video' ? stream?.getVideoTracks()[0] : stream?.getAudioTracks()[0];
    return track?.getSettings().deviceId ?? null;
  }, kind);

/** The id of a `<video>`'s camera track. */
const trackId = (page: Page, testId: string) =>
  page.getByTestId(testId).evaluate((video) => ((video as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks()[0]?.id ?? null);

/** The id of the camera track the page sends on its (first) peer connection. */
const sentCameraTrack = (page: Page) =>
  page.evaluate(() => {
    const [pc] = (window as unknown as { __e2ePeerConnections: RTCPeerConnection[] }).__e2ePeerConnections;
    return pc?.getSenders().find((s) => s.track?.kind === 'video')?.track?.id ?? null;
  });

const optionValues = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .locator('option')
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));

describe.each(shellsUnderTest())('the %s shell: pre-join screen', (shell) => {
  describe('a guest on the pre-join screen of a room where a host is in the call', () => {
    let host: CallPage;
    let guest: CallPage;
    let hostId: string;
    let page: Page;
    let pickedTrack: string | null;

    beforeAll(async () => {
      const room = uniqueRoom(`${shell}-prejoin`);
      host = await openCall(shared.browser, shared.server, { shell, room, name: 'Host' });
      hostId = await joined(host);
      guest = await openCall(shared.browser, shared.server, { shell, room, name: 'Guest', preJoin: true });
      page = guest.page;
    });

    afterAll(async () => {
      await host?.close();
      await guest?.close();
    });

    it('gets ready behind the screen without entering the room, and previews the camera muted', async () => {
      await until('the guest to be ready to join', async () => (await callState(page)).status === 'ready');
      expect(await page.getByTestId('local-video').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Leave', exact: true }).count()).toBe(0);
      expect(await host.page.getByTestId('peer-tile').count()).toBe(0);

      const first = await until('the preview to show a picture', async () => {
        const [video] = await videos(page, 'prejoin-video');
        return video !== undefined && video.width > 0 && video.frames > 0 && video;
      });
      await until('the preview to show new frames', async () => {
        const [video] = await videos(page, 'prejoin-video');
        return video !== undefined && video.frames > first.frames + 5;
      });
      expect(await page.getByTestId('prejoin-video').evaluate((v) => (v as HTMLVideoElement).muted)).toBe(true);
    });

    it("lists Chromium's fake devices, the ones in use selected", async () => {
      await until('the camera and microphone pickers to list devices', async () =>
        (await optionValues(page, 'camera-select')).length > 0 && (await optionValues(page, 'microphone-select')).length > 0,
      );
      expect(await page.getByTestId('camera-select').inputValue()).toBe(await trackDevice(page, 'prejoin-video', 'video'));
      expect(await page.getByTestId('microphone-select').inputValue()).toBe(await trackDevice(page, 'prejoin-video', 'audio'));
      const speakers = await optionValues(page, 'speaker-select');
      expect(speakers[0]).toBe(''); // Default
      expect(speakers.length).toBeGreaterThan(1);
    });

    it('switches camera and microphone before joining: the preview carries the picked devices', async () => {
      const cameras = await optionValues(page, 'camera-select');
      const firstCamera = (await trackDevice(page, 'prejoin-video', 'video')) as string;
      const otherCamera = cameras.find((id) => id !== firstCamera);
      expect(otherCamera, `a second fake camera besides ${firstCamera} in ${JSON.stringify(cameras)}`).toBeDefined();
      await page.getByTestId('camera-select').selectOption(otherCamera as string);
      await until('the preview to carry the picked camera', async () => (await trackDevice(page, 'prejoin-video', 'video')) === otherCamera);
      // And back: Chromium's second fake camera (device-count=2) sends no RTP from a fresh connection's
      // addTrack (a browser quirk, seen without Peerchart too), so the call goes out on the first one, in
      // a track made by this switch.
      await page.getByTestId('camera-select').selectOption(firstCamera);
      await until('the preview to carry the first camera again', async () => (await trackDevice(page, 'prejoin-video', 'video')) === firstCamera);
      pickedTrack = await trackId(page, 'prejoin-video');

      const microphones = await optionValues(page, 'microphone-select');
      const micInUse = await trackDevice(page, 'prejoin-video', 'audio');
      const pickedMic = microphones.find((id) => id !== micInUse);
      expect(pickedMic, `a second fake microphone besides ${micInUse} in ${JSON.stringify(microphones)}`).toBeDefined();
      await page.getByTestId('microphone-select').selectOption(pickedMic as string);
      await until('the preview to carry the picked microphone', async () => (await trackDevice(page, 'prejoin-video', 'audio')) === pickedMic);
      expect((await callState(page)).status).toBe('ready');
      expect(await host.page.getByTestId('peer-tile').count()).toBe(0);
    });

    it('shows the microphone level in a meter from 0 to 1 that moves with the fake microphone (a periodic beep)', async () => {
      const meter = page.getByTestId('mic-level');
      expect(await meter.evaluate((m) => [m.tagName, (m as HTMLMeterElement).min, (m as HTMLMeterElement).max])).toEqual(['METER', 0, 1]);
      const level = () => meter.evaluate((m) => (m as HTMLMeterElement).value);
      await until('the meter to rise above 0', async () => (await level()) > 0);
      await until('the meter to fall again between beeps', async () => (await level()) < 0.05);
    });

    it('Join enters the call under the name typed there, sending the camera track picked before', async () => {
      const nameInput = page.getByRole('textbox', { name: 'Your name', exact: true });
      expect(await nameInput.inputValue()).toBe('Guest');
      await nameInput.fill('Guest Renamed');
      await page.getByRole('button', { name: 'Join', exact: true }).click();
      const guestId = await joined(guest);
      expect(await page.getByTestId('prejoin-video').count()).toBe(0);
      await decodesVideo(host.page, 'remote-video', guestId, "the host decoding the guest's camera");
      await until("the guest's typed name on the host's page", async () =>
        (await peerTile(host.page, guestId).getByTestId('peer-name').textContent())?.trim() === 'Guest Renamed',
      );
      await decodesVideo(page, 'remote-video', hostId, "the guest decoding the host's camera");
      expect(await sentCameraTrack(page)).toBe(pickedTrack);
      expect(await trackId(page, 'local-video')).toBe(pickedTrack);
      expect(new URL(page.url()).searchParams.get('name')).toBe('Guest Renamed');
    });

    it('Rejoin after leaving goes straight back into the call, under the same name', async () => {
      await page.getByRole('button', { name: 'Leave', exact: true }).click();
      await until('the guest to have left', async () => (await callState(page)).status === 'left');
      await page.getByRole('button', { name: 'Rejoin', exact: true }).click();
      const guestAgain = await joined(guest);
      expect(await page.getByTestId('prejoin-video').count()).toBe(0);
      await until("the guest's name on the host's page after Rejoin", async () =>
        (await peerTile(host.page, guestAgain).getByTestId('peer-name').textContent())?.trim() === 'Guest Renamed',
      );
    });
  });

  it('a receive-only address joins at once: nothing to preview', async () => {
    const room = uniqueRoom(`${shell}-prejoin-listen`);
    const listener = await openCall(shared.browser, shared.server, { shell, room, name: 'Listener', preJoin: true, query: { receiveOnly: '' } });
    try {
      await joined(listener);
      expect(await listener.page.getByTestId('prejoin-video').count()).toBe(0);
    } finally {
      await listener.close();
    }
  });
});
