import type { RoomEmitted } from '@peerchart/core';
import { unref, watch, type Ref } from 'vue';
import type { RoomActor } from './use-room.js';

/** One application message a peer sent (`DATA.SEND`): who sent it, and the JSON value or the bytes (`ArrayBuffer`). */
export type RoomDataMessage = Extract<RoomEmitted, { type: 'data' }>;

/**
 * Calls `listener` with each application message peers send to this room (core's `room.onData`) until
 * the calling effect scope ends (the component unmounts, or an `effectScope()` stops). `actor` may be a
 * ref: the listener follows it to a new actor.
 */
export function useRoomData(actor: RoomActor | Ref<RoomActor | undefined>, listener: (message: RoomDataMessage) => void): void {
  // The watcher belongs to the calling scope: when it ends, the cleanup unsubscribes.
  watch(
    () => unref(actor),
    (current, _, onCleanup) => {
      const subscription = current?.on('data', listener);
      onCleanup(() => subscription?.unsubscribe());
    },
    { immediate: true },
  );
}
