import type { LocalMediaView, RoomCommand, RoomSnapshot } from '@peerchart/core';

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

/**
 * The microphone's level for the meter, 0..1: `view.local.audioLevel`, which core is gaining on
 * another branch; 0 until it has it. (Remove this accessor once `LocalMediaView` has the field.)
 */
export function micLevel(local: LocalMediaView): number {
  return (local as LocalMediaView & { audioLevel?: number }).audioLevel ?? 0;
}
