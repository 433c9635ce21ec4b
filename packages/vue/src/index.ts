/** @peerchart/vue: a Peerchart room in Vue components. */
export { useRoom, type RoomActor, type UseRoomReturn } from './use-room.js';
export { usePeer } from './use-peer.js';
export { useRoomData, type RoomDataMessage } from './use-room-data.js';
export { LocalVideo, PeerVideo, useMediaStream, type MediaStreamPlayback } from './video.js';
