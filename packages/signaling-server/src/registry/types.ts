/** One member of a room, as the registry records it. */
export interface RoomMember {
  peerId: string;
  name: string;
  /** Join order within the room: a lower `seq` joined earlier (and is the polite side toward later ones). */
  seq: number;
}

export type JoinOutcome = { ok: true; member: RoomMember; peers: readonly RoomMember[] } | { ok: false; reason: 'room-full' };

/**
 * Room membership, behind an interface so a shared (e.g. Redis) registry can replace the in-memory
 * one without touching relay logic. Reads sit on the relay hot path and are synchronous: a
 * distributed implementation keeps a local replica (updated by its pub/sub) and answers from it.
 */
export interface RoomRegistry {
  /** Add `peerId` to `room` unless it already holds `capacity` members. `peers` are the others, in join order. */
  join(room: string, peerId: string, name: string, capacity: number): JoinOutcome;
  /** Remove `peerId` from `room`; false if it was not a member. Empty rooms disappear. */
  leave(room: string, peerId: string): boolean;
  /** The member record, or undefined when `peerId` is not in `room`. */
  member(room: string, peerId: string): RoomMember | undefined;
  /** Members of `room` in join order (empty when the room does not exist). */
  members(room: string): readonly RoomMember[];
  /** Number of non-empty rooms. */
  readonly roomCount: number;
}
