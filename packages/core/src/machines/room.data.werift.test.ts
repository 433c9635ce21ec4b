/** The room's data API between three real (werift) members: to one peer, to all, and the typed errors. */
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomEmitted } from './room.machine.js';
import { connectedTo, roomFixture, until } from '../test-support/rooms.js';

let fixture: ReturnType<typeof roomFixture>;
afterEach(() => fixture.cleanup());

describe('room data (werift)', () => {
  it('sends JSON to one member or to everyone; onData and data-error report it', async () => {
    fixture = roomFixture();
    const rooms = ['Ada', 'Bob', 'Cy'].map((name) => fixture.join(name));
    const views = await Promise.all(rooms.map((room) => until(room, connectedTo(2), 40_000)));
    const [ada, bob, cy] = rooms as [(typeof rooms)[number], (typeof rooms)[number], (typeof rooms)[number]];
    const [adaId, bobId, cyId] = views.map((view) => view.selfId!);
    const inbox: Record<string, Array<{ from: string; data: unknown }>> = { bob: [], cy: [] };
    const stopBob = bob.onData((message) => inbox.bob!.push(message));
    cy.actor.on('data', (event) => inbox.cy!.push({ from: event.from, data: event.data }));
    const adaErrors: RoomEmitted[] = [];
    ada.actor.on('data-error', (event) => adaErrors.push(event));

    ada.send({ type: 'DATA.SEND', data: { to: 'bob only' }, to: bobId });
    ada.send({ type: 'DATA.SEND', data: ['everyone', 1] });
    ada.send({ type: 'DATA.SEND', data: 'lost', to: 'no-such-peer' });
    ada.send({ type: 'DATA.SEND', data: 'x'.repeat(70_000) });
    await until(ada, () => inbox.bob!.length === 2 && inbox.cy!.length === 1);
    expect(inbox.bob).toEqual([
      { type: 'data', from: adaId, data: { to: 'bob only' } },
      { type: 'data', from: adaId, data: ['everyone', 1] },
    ]);
    expect(inbox.cy).toEqual([{ from: adaId, data: ['everyone', 1] }]);
    // One error per message and peer: the unknown id at once, the too-large one from each peer's connection.
    await until(ada, () => adaErrors.length === 3);
    expect(adaErrors[0]).toEqual({ type: 'data-error', code: 'data/peer-gone', to: 'no-such-peer' });
    expect(adaErrors.slice(1).map((event) => event.type === 'data-error' && [event.code, event.to]).sort()).toEqual(
      [['data/too-large', bobId], ['data/too-large', cyId]].sort(),
    );

    stopBob();
    ada.send({ type: 'DATA.SEND', data: 'after unsubscribe' });
    await until(ada, () => inbox.cy!.length === 2);
    expect(inbox.bob).toHaveLength(2);
  }, 60_000);
});
