import { mediaSetup } from './setup.js';

/** Mute: the microphone track stays (and keeps its sender), it only stops carrying sound. */
export const microphone = mediaSetup.createStateConfig({
  initial: 'on',
  states: {
    on: { on: { 'MIC.MUTE': 'muted' } },
    muted: {
      entry: { type: 'enableTrack', params: { kind: 'audio', enabled: false } },
      exit: { type: 'enableTrack', params: { kind: 'audio', enabled: true } },
      on: { 'MIC.UNMUTE': 'on' },
    },
  },
});

/** Camera off: the video track stays (and keeps its sender), it only sends black frames. */
export const video = mediaSetup.createStateConfig({
  initial: 'on',
  states: {
    on: { on: { 'CAMERA.OFF': 'off' } },
    off: {
      entry: { type: 'enableTrack', params: { kind: 'video', enabled: false } },
      exit: { type: 'enableTrack', params: { kind: 'video', enabled: true } },
      on: { 'CAMERA.ON': 'on' },
    },
  },
});
