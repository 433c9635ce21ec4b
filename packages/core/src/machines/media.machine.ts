/**
 * Local camera, microphone and screen: acquire (with typed failures and ways out), then mute, switch, share.
 *
 * media
 * ├─ starting        → receiveOnly (nothing asked of the browser) | acquiring
 * ├─ acquiring       getUserMedia, the permission prompt included   (media/acquisition.ts)
 * ├─ failed.{denied,noDevice,busy,constraints,unknown}  retry / audio-only / receive-only
 * ├─ receiveOnly
 * ├─ live (parallel) the stream is held and the devices listed (enumerateDevices, again on devicechange); its regions:
 * │  ├─ microphone   on | muted                                     (media/tracks.ts)
 * │  ├─ video        on | off (camera off)                          (media/tracks.ts)
 * │  ├─ devices      ready | switching (camera or microphone; by choice or after an unplug)  (media/devices.ts)
 * │  └─ screen       off | choosing | sharing                       (media/screen.ts)
 * └─ released        (final) every track stopped
 */
import { assign, type SnapshotFrom } from 'xstate';
import { audioTrack, deviceIdOf, stopTracks, videoTrack } from '../actors/user-media.js';
import type { LocalMediaView } from '../view.js';
import { acquiring, failed } from './media/acquisition.js';
import { devices } from './media/devices.js';
import { screen } from './media/screen.js';
import { mediaSetup } from './media/setup.js';
import { microphone, video } from './media/tracks.js';

export { MEDIA_ERRORS, mediaViewError, type MediaContext, type MediaEvent, type MediaInput, type MediaRequest } from './media/types.js';

export const mediaMachine = mediaSetup.createMachine({
  id: 'media',
  context: ({ input }) => ({ ...input, stream: null, screenStream: null, devices: [], error: null }),
  initial: 'starting',
  on: {
    'MEDIA.RELEASE': '.released',
    'DEVICES.CHANGED': { actions: assign({ devices: ({ event }) => event.devices }) },
  },
  states: {
    starting: {
      always: [{ guard: 'receiveOnlyRequested', target: 'receiveOnly' }, { target: 'acquiring' }],
    },
    acquiring,
    failed,
    receiveOnly: {
      entry: assign({ error: null, request: false as const }),
    },
    live: {
      type: 'parallel',
      entry: 'clearError',
      // The context is the input of both: holdStream takes its `stream`, deviceWatcher its `watchDevices`.
      invoke: [
        { src: 'holdStream', input: ({ context }) => context },
        // Listed once live: before the permission prompt browsers hide device ids and labels.
        { src: 'deviceWatcher', input: ({ context }) => context },
      ],
      states: { microphone, video, devices, screen },
    },
    released: {
      type: 'final',
      entry: [({ context }) => [context.stream, context.screenStream].forEach(stopTracks), assign({ stream: null, screenStream: null })],
    },
  },
});

export type MediaSnapshot = SnapshotFrom<typeof mediaMachine>;

/** The local media as a user interface shows it. */
export function selectLocalMedia(snapshot: MediaSnapshot): LocalMediaView {
  const { stream, screenStream, devices } = snapshot.context;
  return {
    stream,
    screenStream,
    receiveOnly: snapshot.matches('receiveOnly'),
    hasAudio: audioTrack(stream) !== null,
    hasVideo: videoTrack(stream) !== null,
    micMuted: snapshot.matches({ live: { microphone: 'muted' } }),
    cameraOff: snapshot.matches({ live: { video: 'off' } }),
    sharingScreen: screenStream !== null,
    devices,
    selectedDevices: { audioinput: deviceIdOf(audioTrack(stream)), videoinput: deviceIdOf(videoTrack(stream)) },
    // The room fills it in (its audioLevels actor).
    audioLevel: 0,
  };
}
