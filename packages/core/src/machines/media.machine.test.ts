/**
 * Node has no media devices and no permission prompt, so these tests use a fake getUserMedia
 * (test-support/fake-media.ts) that rejects with the DOMException names browsers use.
 */
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { fakeGetDisplayMedia, fakeGetUserMedia, type FakeStream, type FakeTrack } from '../test-support/fake-media.js';
import { MEDIA_ERRORS, mediaMachine, selectLocalMedia, type MediaRequest } from './media.machine.js';

function start(getUserMedia: ReturnType<typeof fakeGetUserMedia>, request: MediaRequest | false = { audio: true, video: true }) {
  const display = fakeGetDisplayMedia();
  const actor = createActor(mediaMachine, {
    input: { request, getUserMedia: getUserMedia.getUserMedia, getDisplayMedia: display.getDisplayMedia },
  }).start();
  return { actor, display };
}

const live = (actor: ReturnType<typeof start>['actor']) => waitFor(actor, (s) => s.matches('live'));
const tracksOf = (stream: FakeStream | undefined) => (stream?.getTracks() ?? []) as FakeTrack[];

describe('mediaMachine: getUserMedia failures', () => {
  it.each([
    ['NotAllowedError', 'denied', MEDIA_ERRORS.denied],
    ['SecurityError', 'denied', MEDIA_ERRORS.denied],
    ['NotFoundError', 'noDevice', MEDIA_ERRORS.noCamera],
    ['NotReadableError', 'busy', MEDIA_ERRORS.busy],
    ['AbortError', 'busy', MEDIA_ERRORS.busy],
    ['OverconstrainedError', 'constraints', MEDIA_ERRORS.constraints],
    ['TypeError', 'unknown', MEDIA_ERRORS.unknown],
  ])('%s → failed.%s with its message', async (name, state, expected) => {
    const { actor } = start(fakeGetUserMedia(name));
    const snapshot = await waitFor(actor, (s) => s.matches({ failed: state as 'denied' }));
    expect(snapshot.context.error).toMatchObject(expected);
    expect(snapshot.context.error?.actions).toContain('receive-only');
    actor.stop();
  });

  it('the denied message tells the person what to do', async () => {
    const { actor } = start(fakeGetUserMedia('NotAllowedError'));
    const snapshot = await waitFor(actor, (s) => s.matches('failed'));
    expect(snapshot.context.error?.message).toBe(
      "Camera and microphone are blocked. Allow them in the browser's site settings and retry, or join without sending media.",
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
    expect(snapshot.context.error).toMatchObject({ ...MEDIA_ERRORS.noMicrophone, actions: ['retry', 'receive-only'] });
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
    actor.send({ type: 'CAMERA.SWITCH' });
    await waitFor(actor, (s) => s.matches({ live: { camera: 'ready' } }) && stream.getVideoTracks()[0] !== old);
    expect(media.calls.at(-1)).toEqual({ video: { facingMode: 'environment' } });
    expect(old.readyState).toBe('ended');
    const next = stream.getVideoTracks()[0] as FakeTrack;
    expect(next.label).toBe('camera 2');
    expect(next.enabled).toBe(false); // the camera stays off across a switch
    actor.send({ type: 'CAMERA.SWITCH', deviceId: 'cam-3' });
    await waitFor(actor, (s) => s.matches({ live: { camera: 'ready' } }) && stream.getVideoTracks()[0] !== next);
    expect(media.calls.at(-1)).toEqual({ video: { deviceId: { exact: 'cam-3' } } });
  });

  it('a failed switch keeps the current camera and says so', async () => {
    const media = fakeGetUserMedia('ok', 'NotReadableError');
    const { actor } = start(media);
    await live(actor);
    actor.send({ type: 'CAMERA.SWITCH' });
    const snapshot = await waitFor(actor, (s) => s.context.error !== null);
    expect(snapshot.context.error?.code).toBe('media/switch-failed');
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
      input: { request: { audio: true, video: true }, getUserMedia: () => pending, getDisplayMedia: fakeGetDisplayMedia().getDisplayMedia },
    }).start();
    actor.stop(); // e.g. LEAVE while the permission prompt is still open
    const late = (await media.getUserMedia({ audio: true, video: true })) as unknown as FakeStream;
    resolve(late as unknown as MediaStream);
    await new Promise((r) => setTimeout(r, 0));
    expect(tracksOf(late).map((t) => t.readyState)).toEqual(['ended', 'ended']);
  });
});
