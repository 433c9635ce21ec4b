import type { RoomCommand, RoomSnapshot } from '@peerchart/core';

/**
 * Whether the pre-join screen is up: the room waits for JOIN (created with `autoJoin: false`, JOIN not
 * sent yet). Read from the room chart's own states, so a shell keeps no flag of its own: `preparing`
 * (media or signaling still on the way) and `ready`. With `autoJoin` on, `preparing` is left at once.
 */
export function awaitsJoin(snapshot: RoomSnapshot): boolean {
  return snapshot.matches({ call: { membership: 'preparing' } }) || snapshot.matches({ call: { membership: 'ready' } });
}

/** The pre-join screen's Join: the name typed there goes with it (a blank one joins without a name). */
export function joinCommand(name: string): RoomCommand {
  return { type: 'JOIN', name: name.trim() };
}

