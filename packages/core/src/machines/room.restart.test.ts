/**
 * A signaling server restart in the middle of a call (identities survive it: the real server with a
 * fixed `--session-secret`, here the in-process hub's `restart()`): the peer-to-peer call goes on, each
 * member resumes its identity, joins the room again and keeps its connections.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectedPair, connectedTo, roomFixture, until } from '../test-support/rooms.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('roomMachine: the signaling server restarts mid-call', () => {
  it('keeps the call and the identities; members rejoin the room without new connections', async () => {
    const fixture = roomFixture();
    cleanup = fixture.cleanup;
    const ada = fixture.join('Ada');
    const bob = fixture.join('Bob');
    const [adaBefore, bobBefore] = await connectedPair(ada, bob);
    const connectionsBefore = fixture.werift.open();
    expect(connectionsBefore).toHaveLength(2);

    fixture.hub.restart();
    await until(ada, (v) => v.status === 'reconnecting');
    const adaAfter = await until(ada, (v) => v.status === 'joined' && v.stateValue.includes('joined'));
    const bobAfter = await until(bob, (v) => v.status === 'joined' && v.stateValue.includes('joined'));
    expect(adaAfter.selfId).toBe(adaBefore.selfId);
    expect(bobAfter.selfId).toBe(bobBefore.selfId);
    // The server knows both again, and nobody made a new connection.
    expect(fixture.hub.members('standup').sort()).toEqual([adaBefore.selfId, bobBefore.selfId].sort());
    expect(fixture.werift.open()).toEqual(connectionsBefore);
    expect(connectedTo(1)(adaAfter) && connectedTo(1)(bobAfter)).toBe(true);

    // Signaling works again between them: an ICE restart is an offer/answer through the server.
    const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
    const descriptions = (type: 'offer' | 'answer', from: string | null) =>
      fixture.hub.received.flatMap((entry) =>
        entry.from === from && entry.message.type === type ? [ufrag((entry.message as { sdp: string }).sdp)] : [],
      );
    const adaOffersBefore = new Set(descriptions('offer', adaBefore.selfId));
    ada.actor.getSnapshot().context.peers[bobBefore.selfId!]!.ref.send({ type: 'RESTART_ICE' });
    await until(ada, () => descriptions('offer', adaBefore.selfId).some((u) => !adaOffersBefore.has(u)));
    await until(ada, () => descriptions('answer', bobBefore.selfId).length >= 2);
    // One new ICE generation from Ada, answered by Bob, and the call is connected on it.
    expect(new Set(descriptions('offer', adaBefore.selfId).filter((u) => !adaOffersBefore.has(u))).size).toBe(1);
    await until(ada, connectedTo(1));

    // And someone new can join both.
    const carol = fixture.join('Carol');
    await until(carol, connectedTo(2));
    await until(ada, connectedTo(2));
  });
});
