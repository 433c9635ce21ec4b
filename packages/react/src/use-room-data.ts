import type { RoomEmitted } from '@peerchart/core';
import { useEffect, useRef } from 'react';
import type { RoomActor } from './use-room.js';

/** One application message a peer sent (`DATA.SEND`): who sent it, and the JSON value or the bytes (`ArrayBuffer`). */
export type RoomDataMessage = Extract<RoomEmitted, { type: 'data' }>;

/**
 * Calls `listener` with each application message peers send to this room (core's `room.onData`) while
 * the component is mounted and `actor` is set (`useRoom().actor`, null before mount). The latest
 * `listener` is called, so an inline function does not resubscribe on every render.
 */
export function useRoomData(actor: RoomActor | null, listener: (message: RoomDataMessage) => void): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const subscription = actor?.on('data', (message) => latest.current(message));
    return () => subscription?.unsubscribe();
  }, [actor]);
}
