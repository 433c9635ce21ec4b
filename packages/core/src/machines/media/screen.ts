import { assign } from 'xstate';
import { mediaSetup } from './setup.js';

/** Screen sharing beside the camera: a second stream with its own sender. */
export const screen = mediaSetup.createStateConfig({
  initial: 'off',
  states: {
    off: { on: { 'SCREEN.START': 'choosing' } },
    /** getDisplayMedia pending: the browser's picker is open. */
    choosing: {
      invoke: {
        src: 'displayMedia',
        input: ({ context }) => ({ getDisplayMedia: context.getDisplayMedia }),
      },
      on: {
        'DISPLAY_MEDIA.DONE': { target: 'sharing', actions: assign({ screenStream: ({ event }) => event.stream }) },
        // Cancelling the picker (NotAllowedError) is a choice, not an error.
        'DISPLAY_MEDIA.FAILED': [
          { guard: { type: 'errorIs', params: ['NotAllowedError', 'AbortError'] }, target: 'off' },
          { target: 'off', actions: { type: 'notify', params: 'screen-failed' } },
        ],
      },
    },
    sharing: {
      // The browser's own "Stop sharing" button ends the track: that is a stop too.
      invoke: { src: 'holdStream', input: ({ context }) => ({ stream: context.screenStream }) },
      on: {
        'SCREEN.STOP': 'off',
        'MEDIA.TRACK_ENDED': { guard: 'screenTrackEnded', target: 'off' },
      },
      exit: assign({ screenStream: null }),
    },
  },
});
