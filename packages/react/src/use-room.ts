import { createRoom, selectRoomView, type CreateRoomOptions, type RoomCommand, type RoomHandle, type RoomView } from '@peerchart/core';
import { watchAudioLevels } from '@peerchart/core/dom';
import { useSelector } from '@xstate/react';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

/** The room actor `useRoom` runs (what `usePeer` and `useSelector` read). */
export type RoomActor = RoomHandle['actor'];

export interface UseRoomResult {
  /**
   * The room as a UI shows it (core's `selectRoomView`); a new object only when the room changed.
   * `null` before the component has mounted: on the server, and in the very first render, which is
   * re-rendered with the room before the browser paints.
   */
  view: RoomView | null;
  /** Sends a command to the room; ignored before mount and once the room has been left. */
  send: (command: RoomCommand) => void;
  /** The room actor (null before mount), for `usePeer`, `useSelector` or an inspector. */
  actor: RoomActor | null;
  /** Leaves the call now (bye to every peer, socket closed, media released); resolves when done. Unmounting leaves too. */
  leave: () => Promise<void>;
}

// Layout effect: the room exists before the first paint. Plain effect on the server, where neither runs.
const useMountEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/** The browser's audio meter (WebAudio) unless the app brings its own `watchAudioLevels`, so the view has levels and a speaker. */
const withBrowserAudioLevels = (options: CreateRoomOptions): CreateRoomOptions => ({
  ...options,
  implementations: { watchAudioLevels, ...options.implementations },
});

/** One mounted room and whether its component's cleanup has run without a re-mount since. */
interface Held {
  room: RoomHandle;
  released: boolean;
}

/**
 * Creates a room (core's `createRoom(options)`, with `watchAudioLevels` from `@peerchart/core/dom` unless
 * `options.implementations` has one) when the component mounts and leaves it when the
 * component unmounts. `options` are read once, at mount: to join another room, or with other options,
 * give the component a new `key` (React then unmounts the old one, which leaves, and mounts a new one).
 *
 * StrictMode's rehearsal unmount + re-mount keeps the same room: the leave waits for a microtask and is
 * cancelled when the component mounts again at once, so there is never a second room nor a killed live one.
 */
export function useRoom(options: CreateRoomOptions): UseRoomResult {
  const initialOptions = useRef(options);
  const held = useRef<Held | null>(null);
  const [room, setRoom] = useState<RoomHandle | null>(null);

  useMountEffect(() => {
    const current = held.current ?? { room: createRoom(withBrowserAudioLevels(initialOptions.current)), released: false };
    current.released = false;
    held.current = current;
    setRoom(current.room);
    return () => {
      current.released = true;
      queueMicrotask(() => {
        if (!current.released) return; // mounted again (StrictMode): keep the room
        if (held.current === current) held.current = null;
        void current.room.leave();
      });
    };
  }, []);

  const view = useSelector(room?.actor, (snapshot) => (snapshot ? selectRoomView(snapshot) : null));
  const send = useCallback((command: RoomCommand) => held.current?.room.send(command), []);
  const leave = useCallback(() => held.current?.room.leave() ?? Promise.resolve(), []);
  return { view, send, actor: room?.actor ?? null, leave };
}
