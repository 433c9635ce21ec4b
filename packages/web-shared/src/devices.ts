import type { DeviceInfo, LocalMediaView, RoomCommand } from '@peerchart/core';

/** A device picker of the call controls (docs/dom-contract.md: `<select data-testid="{id}-select">` labelled `label`). */
export interface DevicePicker {
  id: 'camera' | 'microphone' | 'speaker';
  label: 'Camera' | 'Microphone' | 'Speaker';
  options: Array<{ deviceId: string; label: string }>;
  /** The deviceId in use ('' for the speaker: the default one). */
  selected: string;
}

const PICKERS = [
  { id: 'camera', label: 'Camera', kind: 'videoinput' },
  { id: 'microphone', label: 'Microphone', kind: 'audioinput' },
  { id: 'speaker', label: 'Speaker', kind: 'audiooutput' },
] as const;

/** Where the browser can choose the speaker of a media element (`setSinkId`: Chromium, Firefox ≥ 116). */
export const canPickSpeaker = () => typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/**
 * The pickers to show: camera and microphone while they send (their devices from `local.devices`, the
 * one in use selected), the speaker where the browser can switch it (`speaker` is the app's choice,
 * `''` = default). A picker with no device listed is left out.
 */
export function devicePickers(local: LocalMediaView, speaker: string, speakerPickable = canPickSpeaker()): DevicePicker[] {
  const inUse = { camera: local.hasVideo ? local.selectedDevices.videoinput : null, microphone: local.hasAudio ? local.selectedDevices.audioinput : null };
  return PICKERS.flatMap(({ id, label, kind }) => {
    const devices = local.devices.filter((device) => device.kind === kind);
    const selected = id === 'speaker' ? (speakerPickable ? speaker : null) : inUse[id];
    if (selected === null || devices.length === 0) return [];
    const options = devices.map((device: DeviceInfo, index) => ({ deviceId: device.deviceId, label: device.label || `${label} ${index + 1}` }));
    return [{ id, label, options, selected }];
  });
}

/** The command that switches to `deviceId` (the speaker is no command: the app applies it with PeerVideo's `sinkId`). */
export function switchDevice(id: DevicePicker['id'], deviceId: string): RoomCommand | null {
  if (id === 'camera') return { type: 'CAMERA.SWITCH', deviceId };
  return id === 'microphone' ? { type: 'MIC.SWITCH', deviceId } : null;
}

/** The camera after the one in use among those listed (the "Switch camera" button); none listed: the default one. */
export function nextCamera(local: LocalMediaView): string | undefined {
  const cameras = local.devices.filter((device) => device.kind === 'videoinput');
  const current = cameras.findIndex((camera) => camera.deviceId === local.selectedDevices.videoinput);
  return cameras[(current + 1) % cameras.length]?.deviceId;
}
