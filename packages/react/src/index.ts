/** @peerchart/react: a Peerchart room in React components. */
export { useRoom, type RoomActor, type UseRoomResult } from './use-room.js';
export { usePeer } from './use-peer.js';
export { useRoomData, type RoomDataMessage } from './use-room-data.js';
export { LocalVideo, PeerVideo, useMediaStream, type LocalVideoProps, type MediaStreamPlayback, type PeerVideoProps } from './video.js';
