/**
 * Node has no media devices and no permission prompt, so these tests use a fake getUserMedia
 * (test-support/fake-media.ts) that rejects with the DOMException names browsers use.
 */
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { DEFAULT_DEVICES, fakeDevice, fakeDevices, fakeGetDisplayMedia, fakeGetUserMedia, type FakeStream, type FakeTrack } from '../test-support/fake-media.js';
import { mediaMachine, mediaViewError, selectLocalMedia, type MediaRequest } from './media.machine.js';

function start(
  getUserMedia: ReturnType<typeof fakeGetUserMedia>,
  request: MediaRequest | false = { audio: true, video: true },
  devices = fakeDevices(),
) {
  const display = fakeGetDisplayMedia();
  const actor = createActor(mediaMachine, {
    input: { request, getUserMedia: getUserMedia.getUserMedia, getDisplayMedia: display.getDisplayMedia, watchDevices: devices.watchDevices },
  }).start();
  return { actor, display, devices };
}

const live = (actor: ReturnType<typeof start>['actor']) => waitFor(actor, (s) => s.matches('live'));
const tracksOf = (stream: FakeStream | undefined) => (stream?.getTracks() ?? []) as FakeTrack[];

describe('mediaMachine: getUserMedia failures', () => {
  it.each([
    ['NotAllowedError', 'denied', 'permission-denied'],
    ['SecurityError', 'denied', 'permission-denied'],
    ['NotFoundError', 'noDevice', 'no-camera'],
    ['NotReadableError', 'busy', 'device-busy'],
    ['AbortError', 'busy', 'device-busy'],
    ['OverconstrainedError', 'constraints', 'constraints'],
    ['TypeError', 'unknown', 'unknown'],
  ] as const)('%s → failed.%s with its message', async (name, state, kind) => {
    const { actor } = start(fakeGetUserMedia(name));
    const snapshot = await waitFor(actor, (s) => s.matches({ failed: state }));
    expect(snapshot.context.error).toMatchObject({ code: `media/${kind}`, message: mediaViewError(kind).message });
    expect(snapshot.context.error?.actions).toContain('receive-only');
    actor.stop();
  });

  it('the denied message tells the person what to do', async () => {
    const { actor } = start(fakeGetUserMedia('NotAllowedError'));
    const snapshot = await waitFor(actor, (s) => s.matches('failed'));
    expect(snapshot.context.error?.message).toBe(
      'Camera and microphone are blocked. Allow them in the site settings and retry, or join without sending media.',
    );
    expect(snapshot.context.error?.actions).toEqual(['retry', 'audio-only', 'receive-only']);
  });

  it('no camera offers audio-only first, and audio-only asks for the microphone alone', async () => {
    const media = fakeGetUserMedia('NotFoundError', 'ok');
    const { actor } = start(media);
    const failed = await waitFor(actor, (s) => s.matches('failed'));
    expect(failed.context.error?.actions[0]).toBe('audio-only');
    actor.send({ type: 'MEDIA.AUDIO_ONLY' });
    const snapshot = await live(actor);
    expect(media.calls.at(-1)).toEqual({ audio: true, video: false });
    expect(selectLocalMedia(snapshot)).toMatchObject({ hasAudio: true, hasVideo: false, receiveOnly: false });
  });

  it('a missing microphone on an audio-only request says microphone', async () => {
    const { actor } = start(fakeGetUserMedia('NotFoundError'), { audio: true, video: false });
    const snapshot = await waitFor(actor, (s) => s.matches('failed'));
    expect(snapshot.context.error).toEqual(mediaViewError('no-microphone', ['retry', 'receive-only']));
  });

  it('retry asks again and goes live', async () => {
    const media = fakeGetUserMedia('NotReadableError', 'ok');
    const { actor } = start(media);
    await waitFor(actor, (s) => s.matches({ failed: 'busy' }));
    actor.send({ type: 'MEDIA.RETRY' });
    const snapshot = await live(actor);
    expect(media.calls).toHaveLength(2);
    expect(snapshot.context.error).toBeNull();
  });

  it('receive-only from a failure sends nothing', async () => {
    const { actor } = start(fakeGetUserMedia('NotAllowedError'));
    await waitFor(actor, (s) => s.matches('failed'));
    actor.send({ type: 'MEDIA.RECEIVE_ONLY' });
    expect(selectLocalMedia(actor.getSnapshot())).toMatchObject({ receiveOnly: true, stream: null });
  });

  it('a receive-only request never asks the browser', () => {
    const media = fakeGetUserMedia('ok');
    const { actor } = start(media, false);
    expect(actor.getSnapshot().matches('receiveOnly')).toBe(true);
    expect(media.calls).toHaveLength(0);
  });
});

describe('mediaMachine: live', () => {
  it('mutes and turns the camera off by disabling tracks', async () => {
    const media = fakeGetUserMedia('ok');
    const { actor } = start(media);
    await live(actor);
    const [audio, video] = tracksOf(media.streams[0]);
    actor.send({ type: 'MIC.MUTE' });
    actor.send({ type: 'CAMERA.OFF' });
    expect([audio?.enabled, video?.enabled]).toEqual([false, false]);
    expect(selectLocalMedia(actor.getSnapshot())).toMatchObject({ micMuted: true, cameraOff: true });
    actor.send({ type: 'MIC.UNMUTE' });
    actor.send({ type: 'CAMERA.ON' });
    expect([audio?.enabled, video?.enabled]).toEqual([true, true]);
  });

  it('switches camera: the new track replaces the old in the same stream and the old one stops', async () => {
    const media = fakeGetUserMedia('ok');
    const { actor } = start(media);
    await live(actor);
    const stream = media.streams[0] as FakeStream;
    const old = stream.getVideoTracks()[0] as FakeTrack;
    actor.send({ type: 'CAMERA.OFF' });
    actor.send({ type: 'CAMERA.SWITCH', deviceId: 'cam-2' });
    await waitFor(actor, (s) => s.matches({ live: { devices: 'ready' } }) && stream.getVideoTracks()[0] !== old);
    expect(media.calls.at(-1)).toEqual({ video: { deviceId: { exact: 'cam-2' } } });
    expect(old.readyState).toBe('ended');
    const next = stream.getVideoTracks()[0] as FakeTrack;
    expect(next.enabled).toBe(false); // the camera stays off across a switch
    expect(selectLocalMedia(actor.getSnapshot()).selectedDevices).toEqual({ audioinput: 'audio-default', videoinput: 'cam-2' });
    // Without a device id: the browser's default camera.
    actor.send({ type: 'CAMERA.SWITCH' });
    await waitFor(actor, (s) => s.matches({ live: { devices: 'ready' } }) && stream.getVideoTracks()[0] !== next);
    expect(media.calls.at(-1)).toEqual({ video: true });
  });

  it('switches microphone by device id: mute carries over, the camera is untouched', async () => {
    const media = fakeGetUserMedia('ok');
    const { actor } = start(media);
    await live(actor);
    const stream = media.streams[0] as FakeStream;
    const [oldMic, camera] = [stream.getAudioTracks()[0] as FakeTrack, stream.getVideoTracks()[0]];
    actor.send({ type: 'MIC.MUTE' });
    actor.send({ type: 'MIC.SWITCH', deviceId: 'mic-2' });
    await waitFor(actor, (s) => s.matches({ live: { devices: 'ready' } }) && stream.getAudioTracks()[0] !== oldMic);
    expect(media.calls.at(-1)).toEqual({ audio: { deviceId: { exact: 'mic-2' } } });
    expect(oldMic.readyState).toBe('ended');
    expect(stream.getVideoTracks()[0]).toBe(camera);
    expect((stream.getAudioTracks()[0] as FakeTrack).enabled).toBe(false);
    expect(selectLocalMedia(actor.getSnapshot())).toMatchObject({ micMuted: true, selectedDevices: { audioinput: 'mic-2' } });
  });

  it('a switch without that kind of track asks nothing (audio-only: no camera to switch)', async () => {
    const media = fakeGetUserMedia('ok');
    const { actor } = start(media, { audio: true, video: false });
    await live(actor);
    actor.send({ type: 'CAMERA.SWITCH', deviceId: 'cam-2' });
    expect(actor.getSnapshot().matches({ live: { devices: 'ready' } })).toBe(true);
    expect(media.calls).toHaveLength(1);
  });

  it('a failed switch keeps the current camera and says so', async () => {
    const media = fakeGetUserMedia('ok', 'NotReadableError');
    const { actor } = start(media);
    await live(actor);
    actor.send({ type: 'CAMERA.SWITCH' });
    const snapshot = await waitFor(actor, (s) => s.context.error !== null);
    expect(snapshot.context.error).toEqual(mediaViewError('switch-failed'));
    expect(tracksOf(media.streams[0]).every((t) => t.readyState === 'live')).toBe(true);
  });

  it('shares the screen until the browser ends the track', async () => {
    const { actor, display } = start(fakeGetUserMedia('ok'));
    await live(actor);
    actor.send({ type: 'SCREEN.START' });
    await waitFor(actor, (s) => s.matches({ live: { screen: 'sharing' } }));
    expect(selectLocalMedia(actor.getSnapshot()).sharingScreen).toBe(true);
    const [screenTrack] = tracksOf(display.streams[0]);
    screenTrack?.end();
    expect(actor.getSnapshot().matches({ live: { screen: 'off' } })).toBe(true);
    expect(selectLocalMedia(actor.getSnapshot()).screenStream).toBeNull();
  });

  it('SCREEN.STOP stops the screen tracks', async () => {
    const { actor, display } = start(fakeGetUserMedia('ok'));
    await live(actor);
    actor.send({ type: 'SCREEN.START' });
    await waitFor(actor, (s) => s.matches({ live: { screen: 'sharing' } }));
    actor.send({ type: 'SCREEN.STOP' });
    expect(tracksOf(display.streams[0]).map((t) => t.readyState)).toEqual(['ended']);
  });

  it('release stops every track, screen included', async () => {
    const media = fakeGetUserMedia('ok');
    const { actor, display } = start(media);
    await live(actor);
    actor.send({ type: 'SCREEN.START' });
    await waitFor(actor, (s) => s.matches({ live: { screen: 'sharing' } }));
    actor.send({ type: 'MEDIA.RELEASE' });
    expect(actor.getSnapshot().status).toBe('done');
    const all = [...tracksOf(media.streams[0]), ...tracksOf(display.streams[0])];
    expect(all.map((t) => t.readyState)).toEqual(['ended', 'ended', 'ended']);
  });

  it('stopping the actor also releases the tracks', async () => {
    const media = fakeGetUserMedia('ok');
    const { actor } = start(media);
    await live(actor);
    actor.stop();
    expect(tracksOf(media.streams[0]).map((t) => t.readyState)).toEqual(['ended', 'ended']);
  });

  it('a stream that arrives after the actor stopped is released at once', async () => {
    let resolve: (stream: MediaStream) => void = () => {};
    const pending = new Promise<MediaStream>((r) => (resolve = r));
    const media = fakeGetUserMedia('ok');
    const actor = createActor(mediaMachine, {
      input: { request: { audio: true, video: true }, getUserMedia: () => pending, getDisplayMedia: fakeGetDisplayMedia().getDisplayMedia, watchDevices: fakeDevices().watchDevices },
    }).start();
    actor.stop(); // e.g. LEAVE while the permission prompt is still open
    const late = (await media.getUserMedia({ audio: true, video: true })) as unknown as FakeStream;
    resolve(late as unknown as MediaStream);
    await new Promise((r) => setTimeout(r, 0));
    expect(tracksOf(late).map((t) => t.readyState)).toEqual(['ended', 'ended']);
  });
});

describe('mediaMachine: devices', () => {
  const plugged = [...DEFAULT_DEVICES, fakeDevice('videoinput', 'cam-2'), fakeDevice('audiooutput', 'headphones')];

  it('lists the devices once live and keeps the list current on devicechange', async () => {
    const media = fakeGetUserMedia('ok');
    const devices = fakeDevices(plugged);
    const { actor } = start(media, undefined, devices);
    expect(selectLocalMedia(actor.getSnapshot()).devices).toEqual([]); // before the permission prompt: nothing listed
    await live(actor);
    expect(selectLocalMedia(actor.getSnapshot()).devices).toEqual(plugged);
    devices.change(DEFAULT_DEVICES);
    expect(selectLocalMedia(actor.getSnapshot()).devices).toEqual(DEFAULT_DEVICES);
    actor.send({ type: 'MEDIA.RELEASE' });
    expect(devices.listeners.size).toBe(0); // the watcher is unsubscribed with the stream
  });

  it('a receive-only start lists nothing and asks for nothing', () => {
    const devices = fakeDevices(plugged);
    const { actor } = start(fakeGetUserMedia('ok'), false, devices);
    expect(actor.getSnapshot().matches('receiveOnly')).toBe(true);
    expect(devices.listeners.size).toBe(0);
  });

  it('a camera unplugged (missing from the new list) falls back to the default camera and says so', async () => {
    const media = fakeGetUserMedia('ok');
    const devices = fakeDevices(plugged);
    const { actor } = start(media, undefined, devices);
    await live(actor);
    actor.send({ type: 'CAMERA.SWITCH', deviceId: 'cam-2' });
    const stream = media.streams[0] as FakeStream;
    await waitFor(actor, () => stream.getVideoTracks()[0]?.getSettings().deviceId === 'cam-2');
    const usb = stream.getVideoTracks()[0] as FakeTrack;
    devices.change(DEFAULT_DEVICES);
    const snapshot = await waitFor(actor, () => stream.getVideoTracks()[0] !== usb);
    expect(media.calls.at(-1)).toEqual({ video: true });
    expect(snapshot.context.error).toEqual(mediaViewError('device-lost'));
    expect(selectLocalMedia(snapshot).selectedDevices.videoinput).toBe('video-default');
    expect(stream.getAudioTracks()[0]?.readyState).toBe('live'); // the microphone is untouched
  });

  it("a microphone whose track ends falls back to another microphone; a device list that still has everything changes nothing", async () => {
    const media = fakeGetUserMedia('ok');
    const devices = fakeDevices(plugged);
    const { actor } = start(media, undefined, devices);
    await live(actor);
    devices.change([...plugged]);
    expect(actor.getSnapshot().matches({ live: { devices: 'ready' } })).toBe(true);
    const stream = media.streams[0] as FakeStream;
    const mic = stream.getAudioTracks()[0] as FakeTrack;
    mic.end();
    await waitFor(actor, () => stream.getAudioTracks()[0] !== mic && stream.getAudioTracks()[0]?.readyState === 'live');
    expect(media.calls.at(-1)).toEqual({ audio: true });
    expect(actor.getSnapshot().context.error?.code).toBe('media/device-lost');
  });

  it('no other device of that kind: the notice says the switch failed', async () => {
    const media = fakeGetUserMedia('ok', 'NotFoundError');
    const devices = fakeDevices(plugged);
    const { actor } = start(media, undefined, devices);
    await live(actor);
    (media.streams[0]?.getVideoTracks()[0] as FakeTrack).end();
    const snapshot = await waitFor(actor, (s) => s.context.error?.code === 'media/switch-failed');
    expect(snapshot.matches({ live: { devices: 'ready' } })).toBe(true);
    expect(selectLocalMedia(snapshot).hasVideo).toBe(true); // the ended track stays until a device is back
  });
});
