import { fromCallback } from 'xstate';
import type { DeviceInfo, Implementations } from '../implementations.js';

export type DevicesChangedEvent = { type: 'DEVICES.CHANGED'; devices: DeviceInfo[] };

/** Reports the cameras, microphones and speakers now and whenever they change (`DEVICES.CHANGED`). */
export const deviceWatcher = fromCallback<DevicesChangedEvent, { watchDevices: Implementations['watchDevices'] }>(({ input, sendBack }) =>
  input.watchDevices((devices) => sendBack({ type: 'DEVICES.CHANGED', devices })),
);

/** The browser's list: `enumerateDevices()` now and on every `devicechange`; nothing where there is no `mediaDevices` (Node). */
export function watchBrowserDevices(onChange: (devices: DeviceInfo[]) => void): () => void {
  const media = globalThis.navigator?.mediaDevices;
  const list = () => void media?.enumerateDevices().then(onChange);
  list();
  media?.addEventListener('devicechange', list);
  return () => media?.removeEventListener('devicechange', list);
}
