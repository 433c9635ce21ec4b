import type { RoomCommand, RoomCommandType } from '../commands.js';

/** One of each RoomCommand, keyed by type: a command added to commands.ts fails to compile here until listed. */
const ONE_OF_EACH: { [T in RoomCommandType]: Extract<RoomCommand, { type: T }> } = {
  'MEDIA.RETRY': { type: 'MEDIA.RETRY' },
  'MEDIA.RECEIVE_ONLY': { type: 'MEDIA.RECEIVE_ONLY' },
  'MEDIA.AUDIO_ONLY': { type: 'MEDIA.AUDIO_ONLY' },
  'MIC.MUTE': { type: 'MIC.MUTE' },
  'MIC.UNMUTE': { type: 'MIC.UNMUTE' },
  'CAMERA.OFF': { type: 'CAMERA.OFF' },
  'CAMERA.ON': { type: 'CAMERA.ON' },
  'CAMERA.SWITCH': { type: 'CAMERA.SWITCH' },
  'MIC.SWITCH': { type: 'MIC.SWITCH', deviceId: 'mic-2' },
  'SCREEN.START': { type: 'SCREEN.START' },
  'SCREEN.STOP': { type: 'SCREEN.STOP' },
  'DATA.SEND': { type: 'DATA.SEND', data: { x: 1 }, to: 'p1' },
  'SIGNALING.RETRY_NOW': { type: 'SIGNALING.RETRY_NOW' },
  'PEER.REDIAL': { type: 'PEER.REDIAL', peerId: 'p1' },
  'PEER.DISMISS': { type: 'PEER.DISMISS', peerId: 'p1' },
  JOIN: { type: 'JOIN' },
  REJOIN: { type: 'REJOIN' },
  LEAVE: { type: 'LEAVE' },
};

/** Every command an app can send a room, for alphabets of model and property tests. */
export const EVERY_ROOM_COMMAND: readonly RoomCommand[] = Object.values(ONE_OF_EACH);
