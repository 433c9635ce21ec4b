import { deviceIdOf } from '../../actors/user-media.js';
import type { MediaEvent } from './types.js';

/** A track of the stream whose device went away: ended, or (its device id known) missing from a new device list. */
export function lostTrack(stream: MediaStream | null, event: MediaEvent) {
  return stream?.getTracks().find((track) => {
    const id = deviceIdOf(track);
    return track.readyState === 'ended' || (event.type === 'DEVICES.CHANGED' && id && !event.devices.some((device) => device.deviceId === id));
  });
}
