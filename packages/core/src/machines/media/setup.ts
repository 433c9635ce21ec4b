import { assign, setup } from 'xstate';
import { deviceWatcher } from '../../actors/devices.js';
import { audioTrack, displayMedia, holdStream, userMedia, videoTrack } from '../../actors/user-media.js';
import type { ViewError } from '../../view.js';
import { lostTrack } from './lost-track.js';
import { mediaViewError, type MediaContext, type MediaErrorKind, type MediaEvent, type MediaInput } from './types.js';

const errorName = (error: unknown) =>
  typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';

/** The media machine's implementations, shared by its region files. */
export const mediaSetup = setup({
  types: {} as { input: MediaInput; context: MediaContext; events: MediaEvent },
  actors: { userMedia, displayMedia, holdStream, deviceWatcher },
  actions: {
    clearError: assign({ error: null }),
    /** A notice without ways out: the call goes on. */
    notify: assign((_, notice: MediaErrorKind) => ({ error: mediaViewError(notice) })),
    fail: assign(({ context }, kind: MediaErrorKind) => {
      const wantsVideo = context.request !== false && context.request.video;
      const kindShown = kind === 'no-camera' && !wantsVideo ? 'no-microphone' : kind;
      const actions: ViewError['actions'] =
        kindShown === 'no-camera' ? ['audio-only', 'receive-only', 'retry'] : wantsVideo ? ['retry', 'audio-only', 'receive-only'] : ['retry', 'receive-only'];
      return { error: mediaViewError(kindShown, actions) };
    }),
    /** Mute / unmute, camera off / on: the track stays (and keeps its sender), only `enabled` changes. */
    enableTrack: ({ context }, { kind, enabled }: { kind: 'audio' | 'video'; enabled: boolean }) => {
      const track = (kind === 'audio' ? audioTrack : videoTrack)(context.stream);
      if (track) track.enabled = enabled;
    },
  },
  guards: {
    has: ({ context }, kind: 'audio' | 'video') => (kind === 'audio' ? audioTrack : videoTrack)(context.stream) !== null,
    inputLost: ({ context, event }) => lostTrack(context.stream, event) !== undefined,
    /** The DOMException name a getUserMedia/getDisplayMedia rejection carries. */
    errorIs: ({ event }, names: string[]) => 'error' in event && names.includes(errorName(event.error)),
    receiveOnlyRequested: ({ context }) => context.request === false,
    screenTrackEnded: ({ context, event }) => event.type === 'MEDIA.TRACK_ENDED' && event.stream === context.screenStream,
  },
});
