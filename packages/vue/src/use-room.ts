import { createRoom, selectRoomView, type CreateRoomOptions, type RoomCommand, type RoomHandle, type RoomView } from '@peerchart/core';
import { watchAudioLevels } from '@peerchart/core/dom';
import { useSelector } from '@xstate/vue';
import { getCurrentScope, onScopeDispose, type Ref } from 'vue';

/** The room actor `useRoom` runs (what `usePeer` and `useSelector` read). */
export type RoomActor = RoomHandle['actor'];

export interface UseRoomReturn {
  /** The room as a UI shows it (core's `selectRoomView`), a shallow ref set to a new object only when the room changed. */
  view: Readonly<Ref<RoomView>>;
  /** Sends a command to the room; ignored once the room has been left. */
  send: (command: RoomCommand) => void;
  /** The room actor, for `usePeer`, `useSelector` or an inspector. */
  actor: RoomActor;
  /** Leaves the call now (bye to every peer, socket closed, media released); resolves when done. */
  leave: () => Promise<void>;
}

/**
 * Creates a room (core's `createRoom(options)`, with `watchAudioLevels` from `@peerchart/core/dom` unless
 * `options.implementations` has one) and leaves it when the calling effect scope ends: the
 * component's `setup` (the room lives as long as the component) or an `effectScope()` you stop.
 * `options` are read once: to join another room, give the component a new `key` (Vue then unmounts the
 * old one, which leaves, and mounts a new one). Browser-only: in an SSR app, call it from a component
 * that renders on the client only.
 */
export function useRoom(options: CreateRoomOptions): UseRoomReturn {
  // The browser's audio meter (WebAudio) unless the app brings its own: the view then has levels and a speaker.
  const room = createRoom({ ...options, implementations: { watchAudioLevels, ...options.implementations } });
  const view = useSelector(room.actor, selectRoomView);
  if (getCurrentScope()) onScopeDispose(() => void room.leave());
  return { view, send: room.send, actor: room.actor, leave: room.leave };
}
