import { selectRoomView, type PeerView } from '@peerchart/core';
import { useSelector } from '@xstate/vue';
import type { Ref } from 'vue';
import type { RoomActor } from './use-room.js';

/**
 * One peer's view, or `undefined` while that peer is not in the room. The ref changes (and what renders
 * it re-renders) only when this peer's view does, not on every change of the room: core keeps an
 * unchanged peer's `PeerView` object from one room snapshot to the next. `actor` may be a ref.
 */
export function usePeer(actor: RoomActor | Ref<RoomActor | undefined>, peerId: string): Readonly<Ref<PeerView | undefined>> {
  return useSelector(actor, (snapshot) => (snapshot ? selectRoomView(snapshot).peers.find((peer) => peer.id === peerId) : undefined));
}
