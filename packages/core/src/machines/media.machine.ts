/**
 * Local camera, microphone and screen: acquire (with typed failures and ways out), then mute, switch, share.
 *
 * media
 * ├─ starting        → receiveOnly (nothing asked of the browser) | acquiring
 * ├─ acquiring       getUserMedia, the permission prompt included   (media/acquisition.ts)
 * ├─ failed.{denied,noDevice,busy,constraints,unknown}  retry / audio-only / receive-only
 * ├─ receiveOnly
 * ├─ live (parallel) the stream is held; its regions:
 * │  ├─ microphone   on | muted                                     (media/tracks.ts)
 * │  ├─ video        on | off (camera off)                          (media/tracks.ts)
 * │  ├─ camera       ready | switching (another camera)             (media/camera.ts)
 * │  └─ screen       off | choosing | sharing                       (media/screen.ts)
 * └─ released        (final) every track stopped
 */
import { assign, type SnapshotFrom } from 'xstate';
import { audioTrack, stopTracks, videoTrack } from '../actors/user-media.js';
import type { LocalMediaView } from '../view.js';
import { acquiring, failed } from './media/acquisition.js';
import { camera } from './media/camera.js';
import { screen } from './media/screen.js';
import { mediaSetup } from './media/setup.js';
import { microphone, video } from './media/tracks.js';

export { MEDIA_ERRORS, type MediaContext, type MediaEvent, type MediaInput, type MediaRequest } from './media/types.js';

export const mediaMachine = mediaSetup.createMachine({
  id: 'media',
  context: ({ input }) => ({ ...input, stream: null, screenStream: null, facingMode: 'user', error: null }),
  initial: 'starting',
  on: {
    'MEDIA.RELEASE': '.released',
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
      entry: assign({ error: null }),
      invoke: { src: 'holdStream', input: ({ context }) => ({ stream: context.stream }) },
      states: { microphone, video, camera, screen },
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
  const { stream, screenStream } = snapshot.context;
  return {
    stream,
    screenStream,
    receiveOnly: snapshot.matches('receiveOnly'),
    hasAudio: audioTrack(stream) !== null,
    hasVideo: videoTrack(stream) !== null,
    micMuted: snapshot.matches({ live: { microphone: 'muted' } }),
    cameraOff: snapshot.matches({ live: { video: 'off' } }),
    sharingScreen: screenStream !== null,
  };
}
