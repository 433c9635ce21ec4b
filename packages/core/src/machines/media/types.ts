import type { DevicesChangedEvent } from '../../actors/devices.js';
import type { MediaRequestEvent } from '../../actors/user-media.js';
import type { RoomCommand } from '../../commands.js';
import type { DeviceInfo, Implementations } from '../../implementations.js';
import type { ViewError } from '../../view.js';

export interface MediaRequest {
  audio: boolean;
  video: boolean;
}

export interface MediaInput {
  /** What to send; `false` = receive-only (nothing is asked of the browser). */
  request: MediaRequest | false;
  getUserMedia: Implementations['getUserMedia'];
  getDisplayMedia: Implementations['getDisplayMedia'];
  watchDevices: Implementations['watchDevices'];
}

/** The room's media commands, forwarded as they are, and what the media actors report. */
export type MediaEvent =
  | Extract<RoomCommand, { type: `${'MEDIA' | 'MIC' | 'CAMERA' | 'SCREEN'}.${string}` }>
  | { type: 'MEDIA.TRACK_ENDED'; stream: MediaStream }
  | DevicesChangedEvent
  /** From the getUserMedia/getDisplayMedia actors. */
  | MediaRequestEvent
  /** Stop every track; the machine ends. */
  | { type: 'MEDIA.RELEASE' };

/** Mute and camera-off are states (`live.microphone.muted`, `live.cameraTrack.off`), not fields. */
export interface MediaContext extends MediaInput {
  stream: MediaStream | null;
  screenStream: MediaStream | null;
  /** The last device list (cameras, microphones, speakers). */
  devices: DeviceInfo[];
  error: ViewError | null;
}

const orNot = 'or join without sending media.';
const retryOrNot = `retry, ${orNot}`;

/**
 * The media errors a person can act on (getUserMedia failures, by DOMException name) and the notices
 * of switching devices, by their code after `media/`.
 */
export const MEDIA_ERRORS = {
  'permission-denied': `Camera and microphone are blocked. Allow them in the site settings and ${retryOrNot}`,
  'no-camera': `No camera was found. Join with the microphone only, ${orNot}`,
  'no-microphone': `No microphone was found. Plug one in and ${retryOrNot}`,
  'device-busy': `The camera or microphone is in use or could not start. Close other apps and ${retryOrNot}`,
  constraints: `No camera or microphone supports the requested settings. Try again, ${orNot}`,
  unknown: `Camera and microphone could not be started. Try again, ${orNot}`,
  // Notices: the call goes on (no actions).
  'device-lost': 'A camera or microphone was unplugged; switched to another.',
  'switch-failed': 'Could not switch devices.',
  'screen-failed': 'Screen sharing could not start.',
} as const;

export type MediaErrorKind = keyof typeof MEDIA_ERRORS;

/** The ViewError of a media error or notice. */
export const mediaViewError = (kind: MediaErrorKind, actions: ViewError['actions'] = []): ViewError => ({ code: `media/${kind}`, message: MEDIA_ERRORS[kind], actions });
