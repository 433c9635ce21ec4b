import { assign } from 'xstate';
import { mediaSetup } from './setup.js';

/** getUserMedia pending: the browser may be showing its permission prompt, then opens the devices. */
export const acquiring = mediaSetup.createStateConfig({
  entry: 'clearError',
  invoke: {
    src: 'userMedia',
    input: ({ context }) => ({
      getUserMedia: context.getUserMedia,
      constraints: context.request === false ? {} : { audio: context.request.audio, video: context.request.video },
    }),
  },
  on: {
    'USER_MEDIA.DONE': { target: 'live', actions: assign({ stream: ({ event }) => event.stream }) },
    'USER_MEDIA.FAILED': [
      { guard: { type: 'errorIs', params: ['NotAllowedError', 'SecurityError'] }, target: 'failed.denied' },
      { guard: { type: 'errorIs', params: ['NotFoundError'] }, target: 'failed.noDevice' },
      { guard: { type: 'errorIs', params: ['NotReadableError', 'AbortError'] }, target: 'failed.busy' },
      { guard: { type: 'errorIs', params: ['OverconstrainedError'] }, target: 'failed.constraints' },
      { target: 'failed.unknown' },
    ],
  },
});

/** Waiting for the person to choose: retry, audio-only or receive-only. */
export const failed = mediaSetup.createStateConfig({
  initial: 'unknown',
  on: {
    'MEDIA.RETRY': 'acquiring',
    'MEDIA.AUDIO_ONLY': { target: 'acquiring', actions: assign({ request: { audio: true, video: false } }) },
    'MEDIA.RECEIVE_ONLY': 'receiveOnly',
  },
  states: {
    denied: { entry: { type: 'fail', params: 'permission-denied' } },
    noDevice: { entry: { type: 'fail', params: 'no-camera' } },
    busy: { entry: { type: 'fail', params: 'device-busy' } },
    constraints: { entry: { type: 'fail', params: 'constraints' } },
    unknown: { entry: { type: 'fail', params: 'unknown' } },
  },
});
