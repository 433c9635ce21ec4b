import { assign, setup, type SnapshotFrom } from 'xstate';
import {
  audioTrack,
  displayMedia,
  holdStream,
  stopTracks,
  userMedia,
  videoTrack,
  type MediaRequestEvent,
} from '../actors/user-media.js';
import type { RoomCommand } from '../commands.js';
import type { Implementations } from '../implementations.js';
import type { LocalMediaView, ViewError } from '../view.js';

export interface MediaRequest {
  audio: boolean;
  video: boolean;
}

export interface MediaInput {
  /** What to send; `false` = receive-only (nothing is asked of the browser). */
  request: MediaRequest | false;
  getUserMedia: Implementations['getUserMedia'];
  getDisplayMedia: Implementations['getDisplayMedia'];
}

/** The room's media commands, forwarded as they are, and what the media actors report. */
export type MediaEvent =
  | Extract<RoomCommand, { type: `${'MEDIA' | 'MIC' | 'CAMERA' | 'SCREEN'}.${string}` }>
  | { type: 'MEDIA.TRACK_ENDED'; stream: MediaStream }
  /** From the getUserMedia/getDisplayMedia actors. */
  | MediaRequestEvent
  /** Stop every track; the machine ends. */
  | { type: 'MEDIA.RELEASE' };

export interface MediaContext extends MediaInput {
  stream: MediaStream | null;
  screenStream: MediaStream | null;
  micMuted: boolean;
  cameraOff: boolean;
  /** The facing mode asked for on the last switch without a device id (front ↔ back on phones). */
  facingMode: 'user' | 'environment';
  error: ViewError | null;
}

const retryOrNot = 'retry, or join without sending media.';

/** The getUserMedia failures a person can act on, by DOMException name. */
export const MEDIA_ERRORS = {
  denied: {
    code: 'media/permission-denied',
    message: "Camera and microphone are blocked. Allow them in the browser's site settings and retry, or join without sending media.",
  },
  noCamera: {
    code: 'media/no-camera',
    message: 'No camera was found. Join with your microphone only, or without sending media.',
  },
  noMicrophone: {
    code: 'media/no-microphone',
    message: `No microphone was found. Plug one in and ${retryOrNot}`,
  },
  busy: {
    code: 'media/device-busy',
    message: `Your camera or microphone is in use by another app or could not start. Close the other app and ${retryOrNot}`,
  },
  constraints: {
    code: 'media/constraints',
    message: `No camera or microphone supports the requested settings. Try again with the defaults, or join without sending media.`,
  },
  unknown: { code: 'media/unknown', message: `Camera and microphone could not be started. Try again, or join without sending media.` },
} as const;

const errorName = (error: unknown) =>
  typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';

/** Local camera, microphone and screen: acquire (with typed failures and ways out), then mute, switch, share. */
export const mediaMachine = setup({
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
    applyTrackStates: ({ context }) => {
      const audio = audioTrack(context.stream);
      const video = videoTrack(context.stream);
      if (audio) audio.enabled = !context.micMuted;
      if (video) video.enabled = !context.cameraOff;
    },
  },
  guards: {
    hasVideo: ({ context }) => videoTrack(context.stream) !== null,
    /** The DOMException name a getUserMedia/getDisplayMedia rejection carries. */
    errorIs: ({ event }, { names }: { names: string[] }) => 'error' in event && names.includes(errorName(event.error)),
    receiveOnlyRequested: ({ context }) => context.request === false,
    screenTrackEnded: ({ context, event }) => event.type === 'MEDIA.TRACK_ENDED' && event.stream === context.screenStream,
  },
}).createMachine({
  id: 'media',
  context: ({ input }) => ({
    ...input,
    stream: null,
    screenStream: null,
    micMuted: false,
    cameraOff: false,
    facingMode: 'user',
    error: null,
  }),
  initial: 'starting',
  on: {
    'MEDIA.RELEASE': '.released',
  },
  states: {
    starting: {
      always: [{ guard: 'receiveOnlyRequested', target: 'receiveOnly' }, { target: 'acquiring' }],
    },
    /** getUserMedia pending: the browser may be showing its permission prompt, then opens the devices. */
    acquiring: {
      entry: assign({ error: null }),
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
          { guard: { type: 'errorIs', params: { names: ['NotAllowedError', 'SecurityError'] } }, target: 'failed.denied' },
          { guard: { type: 'errorIs', params: { names: ['NotFoundError'] } }, target: 'failed.noDevice' },
          { guard: { type: 'errorIs', params: { names: ['NotReadableError', 'AbortError'] } }, target: 'failed.busy' },
          { guard: { type: 'errorIs', params: { names: ['OverconstrainedError'] } }, target: 'failed.constraints' },
          { target: 'failed.unknown' },
        ],
      },
    },
    /** Waiting for the person to choose: retry, audio-only or receive-only. */
    failed: {
      initial: 'unknown',
      on: {
        'MEDIA.RETRY': 'acquiring',
        'MEDIA.AUDIO_ONLY': { target: 'acquiring', actions: assign({ request: { audio: true, video: false } }) },
        'MEDIA.RECEIVE_ONLY': 'receiveOnly',
      },
      states: {
        denied: { entry: { type: 'fail', params: 'denied' } },
        noDevice: { entry: { type: 'fail', params: 'noCamera' } },
        busy: { entry: { type: 'fail', params: 'busy' } },
        constraints: { entry: { type: 'fail', params: 'constraints' } },
        unknown: { entry: { type: 'fail', params: 'unknown' } },
      },
    },
    receiveOnly: {
      entry: assign({ error: null, request: false as const }),
    },
    live: {
      type: 'parallel',
      entry: assign({ error: null }),
      invoke: { src: 'holdStream', input: ({ context }) => ({ stream: context.stream }) },
      on: {
        'MIC.MUTE': { actions: [assign({ micMuted: true }), 'applyTrackStates'] },
        'MIC.UNMUTE': { actions: [assign({ micMuted: false }), 'applyTrackStates'] },
        'CAMERA.OFF': { actions: [assign({ cameraOff: true }), 'applyTrackStates'] },
        'CAMERA.ON': { actions: [assign({ cameraOff: false }), 'applyTrackStates'] },
      },
      states: {
        camera: {
          initial: 'ready',
          states: {
            ready: { on: { 'CAMERA.SWITCH': { guard: 'hasVideo', target: 'switching' } } },
            /** getUserMedia for the other camera; its track replaces the old one in the same stream. */
            switching: {
              invoke: {
                src: 'userMedia',
                input: ({ context, event }) => {
                  const deviceId = event.type === 'CAMERA.SWITCH' ? event.deviceId : undefined;
                  const facingMode = context.facingMode === 'user' ? 'environment' : 'user';
                  return {
                    getUserMedia: context.getUserMedia,
                    constraints: { video: deviceId ? { deviceId: { exact: deviceId } } : { facingMode } },
                  };
                },
              },
              on: {
                'USER_MEDIA.DONE': {
                  target: 'ready',
                  actions: [
                    assign(({ context, event }) => {
                      const stream = context.stream as MediaStream;
                      const old = videoTrack(stream);
                      const next = videoTrack(event.stream);
                      if (!old || !next) return {};
                      stream.removeTrack(old);
                      old.stop();
                      stream.addTrack(next);
                      return { facingMode: context.facingMode === 'user' ? ('environment' as const) : ('user' as const) };
                    }),
                    'applyTrackStates',
                  ],
                },
                'USER_MEDIA.FAILED': {
                  target: 'ready',
                  actions: assign({
                    error: {
                      code: 'media/switch-failed',
                      message: 'Could not switch to the other camera; still using this one.',
                      actions: [],
                    },
                  }),
                },
              },
            },
          },
        },
        screen: {
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
                  { guard: { type: 'errorIs', params: { names: ['NotAllowedError', 'AbortError'] } }, target: 'off' },
                  {
                    target: 'off',
                    actions: assign({
                      error: { code: 'media/screen-failed', message: 'Screen sharing could not start.', actions: [] },
                    }),
                  },
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
        },
      },
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
  const { stream, screenStream, micMuted, cameraOff } = snapshot.context;
  return {
    stream,
    screenStream,
    receiveOnly: snapshot.matches('receiveOnly'),
    hasAudio: audioTrack(stream) !== null,
    hasVideo: videoTrack(stream) !== null,
    micMuted,
    cameraOff,
    sharingScreen: screenStream !== null,
  };
}
