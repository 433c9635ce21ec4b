import type { MediaRequestEvent } from '../../actors/user-media.js';
import type { RoomCommand } from '../../commands.js';
import type { Implementations } from '../../implementations.js';
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
}

/** The room's media commands, forwarded as they are, and what the media actors report. */
export type MediaEvent =
  | Extract<RoomCommand, { type: `${'MEDIA' | 'MIC' | 'CAMERA' | 'SCREEN'}.${string}` }>
  | { type: 'MEDIA.TRACK_ENDED'; stream: MediaStream }
  /** From the getUserMedia/getDisplayMedia actors. */
  | MediaRequestEvent
  /** Stop every track; the machine ends. */
  | { type: 'MEDIA.RELEASE' };

/** Mute and camera-off are states (`live.microphone.muted`, `live.cameraTrack.off`), not fields. */
export interface MediaContext extends MediaInput {
  stream: MediaStream | null;
  screenStream: MediaStream | null;
  /** The facing mode asked for on the last switch without a device id (front ↔ back on phones). */
  facingMode: 'user' | 'environment';
  error: ViewError | null;
}

const retryOrNot = 'retry, or join without sending media.';

/** The getUserMedia failures a person can act on, by DOMException name. */
export const MEDIA_ERRORS = {
  denied: {
    code: 'media/permission-denied',
    message: "Camera and microphone are blocked. Allow them in the browser's site settings and retry, or join without sending media.",
  },
  noCamera: {
    code: 'media/no-camera',
    message: 'No camera was found. Join with your microphone only, or without sending media.',
  },
  noMicrophone: {
    code: 'media/no-microphone',
    message: `No microphone was found. Plug one in and ${retryOrNot}`,
  },
  busy: {
    code: 'media/device-busy',
    message: `Your camera or microphone is in use by another app or could not start. Close the other app and ${retryOrNot}`,
  },
  constraints: {
    code: 'media/constraints',
    message: `No camera or microphone supports the requested settings. Try again with the defaults, or join without sending media.`,
  },
  unknown: { code: 'media/unknown', message: `Camera and microphone could not be started. Try again, or join without sending media.` },
} as const;
