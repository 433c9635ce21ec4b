import { lostTrack } from './lost-track.js';
import { mediaSetup } from './setup.js';

const lost = { target: 'switching', guard: 'inputLost', actions: { type: 'notify', params: 'device-lost' } } as const;

/**
 * Switching camera or microphone: the new device's track replaces the old one in the same stream (peers
 * get it by replaceTrack). A device unplugged (its track ended, or the list no longer has it) is
 * replaced the same way by another of its kind, with the `media/device-lost` notice.
 */
export const devices = mediaSetup.createStateConfig({
  initial: 'ready',
  states: {
    ready: {
      on: {
        'CAMERA.SWITCH': { guard: { type: 'has', params: 'video' }, target: 'switching' },
        'MIC.SWITCH': { guard: { type: 'has', params: 'audio' }, target: 'switching' },
        'MEDIA.TRACK_ENDED': lost,
        'DEVICES.CHANGED': lost,
      },
    },
    /** getUserMedia for the chosen device, or for the default one of the kind (no id given, or the device was lost). */
    switching: {
      invoke: {
        src: 'userMedia',
        input: ({ context, event }) => {
          const kind = event.type === 'CAMERA.SWITCH' ? 'video' : event.type === 'MIC.SWITCH' ? 'audio' : (lostTrack(context.stream, event)?.kind as string);
          const deviceId = 'deviceId' in event ? event.deviceId : undefined;
          return { getUserMedia: context.getUserMedia, constraints: { [kind]: deviceId ? { deviceId: { exact: deviceId } } : true } };
        },
      },
      on: {
        'USER_MEDIA.DONE': {
          target: 'ready',
          actions: ({ context, event }) => {
            const stream = context.stream;
            const [next] = event.stream.getTracks();
            const old = stream?.getTracks().find((track) => track.kind === next?.kind);
            if (stream && old && next) {
              // Mute and camera off (the `microphone` and `video` regions) carry over to the new device.
              next.enabled = old.enabled;
              stream.removeTrack(old);
              old.stop();
              stream.addTrack(next);
            }
          },
        },
        'USER_MEDIA.FAILED': { target: 'ready', actions: { type: 'notify', params: 'switch-failed' } },
      },
    },
  },
});
