/** Four rooms in one call: a full mesh of real (werift) RTCPeerConnections through the in-process hub. */
import { afterEach, describe, expect, it } from 'vitest';
import { connectedTo, roomFixture, until } from '../test-support/rooms.js';
import { fakeCameraStream } from '../test-support/werift.js';

let fixture: ReturnType<typeof roomFixture>;
afterEach(() => fixture.cleanup());

describe('room mesh (werift)', () => {
  it('four members: every pair connects, data sent to everyone reaches everyone, a leaver is dropped by all', async () => {
    fixture = roomFixture();
    const names = ['Ada', 'Bob', 'Cy', 'Dee'];
    const rooms = names.map((name) =>
      fixture.join(name, { media: { audio: true, video: true }, implementations: { getUserMedia: async () => fakeCameraStream() } }),
    );
    const views = await Promise.all(rooms.map((room) => until(room, connectedTo(3), 50_000)));
    const ids = views.map((view) => view.selfId);
    views.forEach((view, index) => {
      expect(view.peers.map((peer) => peer.id).sort()).toEqual(ids.filter((_, other) => other !== index).sort());
      expect(view.statusText).toBe('In the call with 3 people');
    });
    // Exactly one polite side per pair: the member who joined first.
    for (const [i, view] of views.entries()) {
      for (const peer of view.peers) {
        const j = ids.indexOf(peer.id);
        expect(peer.polite).toBe(i < j);
      }
    }
    // 6 pairs, 12 connections, all open.
    expect(fixture.werift.open()).toHaveLength(12);

    const inboxes = rooms.map((room) => {
      const inbox: unknown[] = [];
      room.onData(({ data }) => inbox.push(data));
      return inbox;
    });
    rooms.forEach((room, index) => room.send({ type: 'DATA.SEND', data: `hi from ${names[index]}` }));
    for (const [index, room] of rooms.entries()) {
      await until(room, () => inboxes[index]!.length === 3);
      expect(inboxes[index]!.sort()).toEqual(names.filter((_, other) => other !== index).map((name) => `hi from ${name}`).sort());
    }

    await rooms[3]?.leave();
    for (const room of rooms.slice(0, 3)) await until(room, connectedTo(2));
    await until(rooms[0]!, () => fixture.werift.open().length === 6);
  }, 90_000); // a loaded 2-core CI machine sets 12 werift connections up slowly
});
