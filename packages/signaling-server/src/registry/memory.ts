import type { JoinOutcome, RoomMember, RoomRegistry } from './types.js';

/**
 * Single-process room registry: a Map of rooms, each an array of its members in join order.
 * A room's array is replaced, never changed, on join and leave: `members()` hands it out without a
 * copy, and it is exactly as long as the room (a Map per room costs ~0.5 KB, a two-member array
 * ~60 bytes). Lookups scan it; rooms are small (`--members-per-room`, default 8), where a scan beats hashing.
 */
export class MemoryRoomRegistry implements RoomRegistry {
  private readonly rooms = new Map<string, readonly RoomMember[]>();
  private nextSeq = 1;

  join(room: string, peerId: string, name: string, capacity: number): JoinOutcome {
    const members = this.rooms.get(room) ?? [];
    const existing = find(members, peerId);
    if (existing) return { ok: true, member: existing, peers: members.filter((m) => m !== existing) };
    if (members.length >= capacity) return { ok: false, reason: 'room-full' };
    const member: RoomMember = { peerId, name, seq: this.nextSeq++ };
    this.rooms.set(room, members.concat(member)); // concat allocates exactly; spread and push leave spare slots
    return { ok: true, member, peers: members };
  }

  leave(room: string, peerId: string): boolean {
    const members = this.rooms.get(room);
    const index = members ? members.findIndex((m) => m.peerId === peerId) : -1;
    if (!members || index < 0) return false;
    if (members.length === 1) this.rooms.delete(room);
    else this.rooms.set(room, members.slice(0, index).concat(members.slice(index + 1)));
    return true;
  }

  member(room: string, peerId: string): RoomMember | undefined {
    const members = this.rooms.get(room);
    return members && find(members, peerId);
  }

  members(room: string): readonly RoomMember[] {
    return this.rooms.get(room) ?? [];
  }

  get roomCount(): number {
    return this.rooms.size;
  }
}

function find(members: readonly RoomMember[], peerId: string): RoomMember | undefined {
  for (const member of members) if (member.peerId === peerId) return member;
  return undefined;
}
