import { describe, expect, it } from 'vitest';
import { MemoryRoomRegistry } from './memory.js';

describe('MemoryRoomRegistry', () => {
  it('keeps members in join order, refuses past capacity, and drops empty rooms', () => {
    const registry = new MemoryRoomRegistry();
    const first = registry.join('r', 'a', 'Ada', 2);
    expect(first).toMatchObject({ ok: true, peers: [] });
    const second = registry.join('r', 'b', 'Bob', 2);
    expect(second.ok && second.peers.map((m) => m.peerId)).toEqual(['a']);
    expect(second.ok && first.ok && first.member.seq < second.member.seq).toBe(true);
    expect(registry.join('r', 'c', '', 2)).toEqual({ ok: false, reason: 'room-full' });
    // A member joining again is not a newcomer and is not refused by capacity.
    const again = registry.join('r', 'a', 'other name', 2);
    expect(again.ok && again.member.name).toBe('Ada');
    expect(registry.members('r').map((m) => m.peerId)).toEqual(['a', 'b']);
    expect(registry.member('r', 'b')?.name).toBe('Bob');
    expect(registry.member('elsewhere', 'b')).toBeUndefined();
    expect(registry.leave('r', 'a')).toBe(true);
    expect(registry.leave('r', 'a')).toBe(false);
    expect(registry.roomCount).toBe(1);
    registry.leave('r', 'b');
    expect(registry.roomCount).toBe(0);
    expect(registry.members('r')).toEqual([]);
  });
});
