import { assign } from 'xstate';
import { videoTrack } from '../../actors/user-media.js';
import { mediaSetup } from './setup.js';

/** Switching to another camera: its track replaces the old one in the same stream. */
export const camera = mediaSetup.createStateConfig({
  initial: 'ready',
  states: {
    ready: { on: { 'CAMERA.SWITCH': { guard: 'hasVideo', target: 'switching' } } },
    /** getUserMedia for the other camera. */
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
          actions: assign(({ context, event }) => {
            const stream = context.stream as MediaStream;
            const old = videoTrack(stream);
            const next = videoTrack(event.stream);
            if (!old || !next) return {};
            // Camera off (the `video` region) carries over to the new camera.
            next.enabled = old.enabled;
            stream.removeTrack(old);
            old.stop();
            stream.addTrack(next);
            return { facingMode: context.facingMode === 'user' ? ('environment' as const) : ('user' as const) };
          }),
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
});
