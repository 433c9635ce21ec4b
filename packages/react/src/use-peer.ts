import { selectRoomView, type PeerView } from '@peerchart/core';
import { useSelector } from '@xstate/react';
import type { RoomActor } from './use-room.js';

/**
 * One peer's view, or `undefined` while that peer is not in the room (or `actor` is null). The
 * component re-renders only when this peer's view changes, not on every change of the room: core
 * keeps an unchanged peer's `PeerView` object from one room snapshot to the next.
 */
export function usePeer(actor: RoomActor | null | undefined, peerId: string): PeerView | undefined {
  return useSelector(actor ?? undefined, (snapshot) => (snapshot ? selectRoomView(snapshot).peers.find((peer) => peer.id === peerId) : undefined));
}
