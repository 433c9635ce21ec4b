/** @peerchart/core's public API: everything an app, a shell or a tool may import. */
export * from './protocol/index.js';
export { createRoom, type CreateRoomOptions, type RoomHandle } from './create-room.js';
export type { RoomEmitted } from './machines/room.machine.js';
export { roomMachine, type RoomInput, type RoomTiming, type RoomSnapshot } from './machines/room.machine.js';
export { peerMachine, type PeerInput, type PeerTiming } from './machines/peer.machine.js';
export { signalingMachine, type SignalingInput, type SignalingTiming } from './machines/signaling.machine.js';
export { mediaMachine, type MediaInput, type MediaRequest } from './machines/media.machine.js';
export { selectRoomView, commandForAction } from './selectors/room.js';
export { selectPeerView } from './selectors/peer.js';
export type * from './view.js';
export type * from './commands.js';
export type * from './implementations.js';
// Peer connection extras (appended by the peer-machine work).
export {
  DEFAULT_PEER_TIMING,
  type PeerCloseReason,
  type PeerCommandEvent,
  type PeerOutput,
  type PeerEmitted,
  type LocalMedia,
  type SignalMessage,
} from './machines/peer.machine.js';
export { summarizeStats, type StatsCounters } from './actors/peer-stats.js';
export {
  DATA_ERROR_CODES,
  PEER_ERROR_CODES,
  peerError,
  VIEW_ERROR_CODES,
  type DataErrorCode,
  type PeerError,
  type PeerErrorCode,
  type ViewErrorCode,
} from './errors.js';
