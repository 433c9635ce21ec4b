import type { PeerData } from './protocol/peer-data.js';

/** What an app (or a demo shell) may ask of a room. Each is an event the room machine takes in any state. */
export type RoomCommand =
  /** After a media error: ask for camera/microphone again. */
  | { type: 'MEDIA.RETRY' }
  /** After a media error (or any time before joining): join without sending media. */
  | { type: 'MEDIA.RECEIVE_ONLY' }
  /** After "no camera" (or any media error): ask for the microphone only. */
  | { type: 'MEDIA.AUDIO_ONLY' }
  | { type: 'MIC.MUTE' }
  | { type: 'MIC.UNMUTE' }
  | { type: 'CAMERA.OFF' }
  | { type: 'CAMERA.ON' }
  /**
   * Switch to another camera: the one with `deviceId` (a `videoinput` of `view.local.devices`), or
   * without it the browser's default camera. The new track reaches peers by replaceTrack: no renegotiation.
   */
  | { type: 'CAMERA.SWITCH'; deviceId?: string }
  /** Switch to another microphone (an `audioinput` of `view.local.devices`), by replaceTrack like the camera. */
  | { type: 'MIC.SWITCH'; deviceId: string }
  | { type: 'SCREEN.START' }
  | { type: 'SCREEN.STOP' }
  /**
   * Send application data over the data channels: to the peer `to`, or to every peer. A JSON value or bytes,
   * at most `PEER_DATA_LIMITS.message` bytes; what cannot be sent comes back as the room's `data-error` event.
   */
  | { type: 'DATA.SEND'; data: PeerData; to?: string }
  /** While reconnecting to signaling: try now instead of waiting for the backoff. */
  | { type: 'SIGNALING.RETRY_NOW' }
  /**
   * With createRoom's `autoJoin: false`: join now (or as soon as media and signaling are ready).
   * `name`: the display name to join with, instead of createRoom's (e.g. typed on a pre-join screen).
   */
  | { type: 'JOIN'; name?: string }
  /** A failed peer (`PeerView.status` `failed`): try again with a fresh connection to it. */
  | { type: 'PEER.REDIAL'; peerId: string }
  /** A failed peer: stop trying and remove it (a bye tells it). */
  | { type: 'PEER.DISMISS'; peerId: string }
  /** After a failure: join the room again from scratch. */
  | { type: 'REJOIN' }
  | { type: 'LEAVE' };

export type RoomCommandType = RoomCommand['type'];
