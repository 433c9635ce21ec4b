import type { LocalMediaView, RoomView } from '@peerchart/core';
import { describe, expect, it } from 'vitest';
import { callControls } from './controls.js';
import { localMediaView } from './test-support/local-media.js';

const local = localMediaView();
const view = (status: RoomView['status'], media: Partial<LocalMediaView> = {}) => ({ status, local: { ...local, ...media } }) as RoomView;
const summary = (v: RoomView) => callControls(v).map((c) => [c.label, c.command.type, c.pressed ?? null, c.disabled]);

describe('callControls', () => {
  it('names each control as the DOM contract does and sends the matching command', () => {
    expect(summary(view('joined'))).toEqual([
      ['Mute microphone', 'MIC.MUTE', false, false],
      ['Turn camera off', 'CAMERA.OFF', false, false],
      ['Switch camera', 'CAMERA.SWITCH', null, false],
      ['Share screen', 'SCREEN.START', false, false],
      ['Leave', 'LEAVE', null, false],
    ]);
  });

  it('flips the toggles once muted, off or sharing', () => {
    expect(summary(view('joined', { micMuted: true, cameraOff: true, sharingScreen: true })).slice(0, 4)).toEqual([
      ['Unmute microphone', 'MIC.UNMUTE', true, false],
      ['Turn camera on', 'CAMERA.ON', true, false],
      ['Switch camera', 'CAMERA.SWITCH', null, false],
      ['Stop sharing', 'SCREEN.STOP', true, false],
    ]);
  });

  it('disables what has nothing to act on: no microphone, no camera, not joined yet', () => {
    const disabled = callControls(view('joining', { hasAudio: false, hasVideo: false })).map((c) => c.disabled);
    expect(disabled).toEqual([true, true, true, true, false]);
  });
});
