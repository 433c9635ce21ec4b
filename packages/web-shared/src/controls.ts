import type { RoomCommand, RoomView } from '@peerchart/core';
import { nextCamera } from './devices.js';

/**
 * A call-control button: its accessible name (the DOM contract's, docs/dom-contract.md), whether it
 * is pressed or disabled, and the command it sends. One list for both shells, so their names agree.
 */
export interface CallControl {
  /** Stable across toggles (a re-created button would lose keyboard focus). */
  id: 'mic' | 'camera' | 'switch-camera' | 'screen' | 'leave';
  label: string;
  /** `aria-pressed` for toggles; absent for plain buttons. */
  pressed?: boolean;
  disabled: boolean;
  command: RoomCommand;
  danger?: boolean;
}

/** The controls shown while in a call, in order. */
export function callControls(view: RoomView): CallControl[] {
  const { local } = view;
  return [
    {
      id: 'mic',
      label: local.micMuted ? 'Unmute microphone' : 'Mute microphone',
      pressed: local.micMuted,
      disabled: !local.hasAudio,
      command: { type: local.micMuted ? 'MIC.UNMUTE' : 'MIC.MUTE' },
    },
    {
      id: 'camera',
      label: local.cameraOff ? 'Turn camera on' : 'Turn camera off',
      pressed: local.cameraOff,
      disabled: !local.hasVideo,
      command: { type: local.cameraOff ? 'CAMERA.ON' : 'CAMERA.OFF' },
    },
    { id: 'switch-camera', label: 'Switch camera', disabled: !local.hasVideo, command: { type: 'CAMERA.SWITCH', deviceId: nextCamera(local) } },
    {
      id: 'screen',
      label: local.sharingScreen ? 'Stop sharing' : 'Share screen',
      pressed: local.sharingScreen,
      disabled: view.status !== 'joined',
      command: { type: local.sharingScreen ? 'SCREEN.STOP' : 'SCREEN.START' },
    },
    { id: 'leave', label: 'Leave', disabled: false, command: { type: 'LEAVE' }, danger: true },
  ];
}
