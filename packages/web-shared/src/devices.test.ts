import type { DeviceInfo, LocalMediaView } from '@peerchart/core';
import { describe, expect, it } from 'vitest';
import { devicePickers, nextCamera, switchDevice } from './devices.js';
import { localMediaView } from './test-support/local-media.js';

const device = (kind: MediaDeviceKind, deviceId: string, label = deviceId): DeviceInfo => ({ kind, deviceId, groupId: deviceId, label });
const devices = [device('videoinput', 'cam-1'), device('videoinput', 'cam-2', ''), device('audioinput', 'mic-1'), device('audiooutput', 'out-1')];
const local = (media: Partial<LocalMediaView> = {}) =>
  localMediaView({ devices, selectedDevices: { videoinput: 'cam-2', audioinput: 'mic-1' }, ...media });

describe('devicePickers', () => {
  it('camera, microphone and speaker, with the device in use selected and unnamed devices numbered', () => {
    expect(devicePickers(local(), 'out-1', true)).toEqual([
      { id: 'camera', label: 'Camera', selected: 'cam-2', options: [{ deviceId: 'cam-1', label: 'cam-1' }, { deviceId: 'cam-2', label: 'Camera 2' }] },
      { id: 'microphone', label: 'Microphone', selected: 'mic-1', options: [{ deviceId: 'mic-1', label: 'mic-1' }] },
      { id: 'speaker', label: 'Speaker', selected: 'out-1', options: [{ deviceId: 'out-1', label: 'out-1' }] },
    ]);
  });

  it('no speaker picker where the browser cannot switch it; none for a kind that is not sent or not listed', () => {
    expect(devicePickers(local({ hasVideo: false }), '', false).map((picker) => picker.id)).toEqual(['microphone']);
    expect(devicePickers(local({ devices: [] }), '', true)).toEqual([]);
  });
});

describe('switchDevice and nextCamera', () => {
  it("camera and microphone are commands; the speaker is the app's own", () => {
    expect(switchDevice('camera', 'cam-1')).toEqual({ type: 'CAMERA.SWITCH', deviceId: 'cam-1' });
    expect(switchDevice('microphone', 'mic-1')).toEqual({ type: 'MIC.SWITCH', deviceId: 'mic-1' });
    expect(switchDevice('speaker', 'out-1')).toBeNull();
  });

  it('the next camera cycles through those listed; none listed: the default', () => {
    expect(nextCamera(local())).toBe('cam-1');
    expect(nextCamera(local({ selectedDevices: { videoinput: 'cam-1', audioinput: null } }))).toBe('cam-2');
    expect(nextCamera(local({ devices: [] }))).toBeUndefined();
  });
});
