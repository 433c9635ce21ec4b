import type { MediaEvent, MediaSnapshot } from '../media.machine.js';
import { roomSetup } from './setup.js';

const forward = { actions: { type: 'toMedia', params: ({ event }: { event: MediaEvent }) => event } } as const;
const absorb = [
  { type: 'absorbMedia', params: ({ event }: { event: { snapshot: MediaSnapshot } }) => event.snapshot },
  // Mute, camera off, a switched camera or a screen share reach every peer.
  'syncPeers',
] as const;

/**
 * The media actor's progress as the room sees it (from its snapshots): the join waits for `settled`,
 * so peers start with the final stream. The room's media commands go to the actor from here.
 */
export const media = roomSetup.createStateConfig({
  initial: 'acquiring',
  on: {
    'MEDIA.UPDATE': [
      { guard: { type: 'mediaSettled', params: ({ event }) => event.snapshot }, target: '.settled', actions: absorb },
      { guard: { type: 'mediaFailed', params: ({ event }) => event.snapshot }, target: '.error', actions: absorb },
      { target: '.acquiring', actions: absorb },
    ],
    'MEDIA.RETRY': forward,
    'MEDIA.AUDIO_ONLY': forward,
    'MEDIA.RECEIVE_ONLY': forward,
    'MIC.*': forward,
    'CAMERA.*': forward,
    'SCREEN.*': forward,
  },
  states: {
    /** getUserMedia pending (the permission prompt included); signaling connects meanwhile. */
    acquiring: {},
    /** The media error is shown with its ways out (retry, audio-only, receive-only). */
    error: {},
    /** Live, or receive-only: what peers get is known. */
    settled: {},
  },
});
