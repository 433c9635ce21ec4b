import type { LocalMediaView } from '@peerchart/core';

/** A `view.local` for tests: camera and microphone live, nothing muted, no devices listed; `media` overrides. */
export const localMediaView = (media: Partial<LocalMediaView> = {}): LocalMediaView => ({
  stream: null,
  screenStream: null,
  receiveOnly: false,
  hasAudio: true,
  hasVideo: true,
  micMuted: false,
  cameraOff: false,
  sharingScreen: false,
  devices: [],
  selectedDevices: { audioinput: null, videoinput: null },
  audioLevel: 0,
  ...media,
});
