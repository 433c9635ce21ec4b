import { assign, setup } from 'xstate';
import { audioTrack, displayMedia, holdStream, userMedia, videoTrack } from '../../actors/user-media.js';
import type { ViewError } from '../../view.js';
import { MEDIA_ERRORS, type MediaContext, type MediaEvent, type MediaInput } from './types.js';

const errorName = (error: unknown) =>
  typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';

/** The media machine's implementations, shared by its region files. */
export const mediaSetup = setup({
  types: { input: {} as MediaInput, context: {} as MediaContext, events: {} as MediaEvent },
  actors: { userMedia, displayMedia, holdStream },
  actions: {
    fail: assign(({ context }, kind: keyof typeof MEDIA_ERRORS) => {
      const wantsVideo = context.request !== false && context.request.video;
      const kindShown = kind === 'noCamera' && !wantsVideo ? 'noMicrophone' : kind;
      const actions: ViewError['actions'] =
        kindShown === 'noCamera' ? ['audio-only', 'receive-only', 'retry'] : wantsVideo ? ['retry', 'audio-only', 'receive-only'] : ['retry', 'receive-only'];
      return { error: { ...MEDIA_ERRORS[kindShown], actions } };
    }),
    /** Mute / unmute, camera off / on: the track stays (and keeps its sender), only `enabled` changes. */
    enableTrack: ({ context }, { kind, enabled }: { kind: 'audio' | 'video'; enabled: boolean }) => {
      const track = (kind === 'audio' ? audioTrack : videoTrack)(context.stream);
      if (track) track.enabled = enabled;
    },
  },
  guards: {
    hasVideo: ({ context }) => videoTrack(context.stream) !== null,
    /** The DOMException name a getUserMedia/getDisplayMedia rejection carries. */
    errorIs: ({ event }, { names }: { names: string[] }) => 'error' in event && names.includes(errorName(event.error)),
    receiveOnlyRequested: ({ context }) => context.request === false,
    screenTrackEnded: ({ context, event }) => event.type === 'MEDIA.TRACK_ENDED' && event.stream === context.screenStream,
  },
});
