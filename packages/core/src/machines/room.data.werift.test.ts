/** The room's data API between three real (werift) members: to one peer, to all, and the typed errors. */
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomEmitted } from './room.machine.js';
import { PEER_DATA_LIMITS } from '../protocol/peer-data.js';
import { connectedTo, roomFixture, until } from '../test-support/rooms.js';
import { waitUntil } from '../test-support/werift.js';

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

  it('messages still waiting for a member who leaves are data/peer-gone errors, one each; only what was on the wire is lost', async () => {
    fixture = roomFixture();
    const [ada, bob] = [fixture.join('Ada'), fixture.join('Bob')] as const;
    const [, bobView] = await Promise.all([ada, bob].map((room) => until(room, connectedTo(1), 40_000)));
    const bobId = bobView!.selfId!;
    let delivered = 0;
    bob.onData(() => delivered++);
    const gone: RoomEmitted[] = [];
    ada.actor.on('data-error', (event) => gone.push(event));

    const count = 64;
    for (let index = 0; index < count; index++) ada.send({ type: 'DATA.SEND', data: new Uint8Array(PEER_DATA_LIMITS.message).fill(index), to: bobId });
    // Most of them wait in Ada's connection (backpressure) when Bob leaves: his peer on Ada's side ends
    // (his bye, or the server's peer-left) and stops; what waited is still reported to Ada's app.
    void bob.leave();
    await until(ada, (view) => view.peers.length === 0, 20_000);
    await waitUntil(() => gone.length > 0, 10_000);
    expect(new Set(gone.map((event) => event.type === 'data-error' && `${event.code} → ${event.to}`))).toEqual(new Set([`data/peer-gone → ${bobId}`]));
    // Every message was delivered, or reported, or was in flight (the channel's send buffer, at most bufferLow plus
    // one message, and what the transport carried when Bob's side closed).
    expect(delivered + gone.length).toBeLessThanOrEqual(count);
    expect(delivered + gone.length).toBeGreaterThanOrEqual(count - 2 * (PEER_DATA_LIMITS.bufferLow / PEER_DATA_LIMITS.message + 1));
  }, 60_000);
});
