import type { JoinOutcome, RoomMember, RoomRegistry } from './types.js';

/** Single-process room registry: a Map of rooms, each a Map of members in insertion (= join) order. */
export class MemoryRoomRegistry implements RoomRegistry {
  private readonly rooms = new Map<string, Map<string, RoomMember>>();
  private nextSeq = 1;

  join(room: string, peerId: string, name: string, capacity: number): JoinOutcome {
    let members = this.rooms.get(room);
    const existing = members?.get(peerId);
    if (members && existing) return { ok: true, member: existing, peers: [...members.values()].filter((m) => m !== existing) };
    if (members && members.size >= capacity) return { ok: false, reason: 'room-full' };
    if (!members) {
      members = new Map();
      this.rooms.set(room, members);
    }
    const peers = [...members.values()];
    const member: RoomMember = { peerId, name, seq: this.nextSeq++ };
    members.set(peerId, member);
    return { ok: true, member, peers };
  }

  leave(room: string, peerId: string): boolean {
    const members = this.rooms.get(room);
    if (!members?.delete(peerId)) return false;
    if (members.size === 0) this.rooms.delete(room);
    return true;
  }

  member(room: string, peerId: string): RoomMember | undefined {
    return this.rooms.get(room)?.get(peerId);
  }

  members(room: string): readonly RoomMember[] {
    const members = this.rooms.get(room);
    return members ? [...members.values()] : [];
  }

  get roomCount(): number {
    return this.rooms.size;
  }
}
