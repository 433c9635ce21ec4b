/** useRoomData against a real call (real signaling server, `ws`, werift), in Vue effect scopes. */
import { effectScope, shallowRef } from 'vue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealCall, until, type RealCall } from '@peerchart/test-support/real-call';
import { useRoom, type RoomActor } from './use-room.js';
import { useRoomData, type RoomDataMessage } from './use-room-data.js';

let call: RealCall;

beforeAll(async () => {
  call = await startRealCall();
});
afterAll(() => call?.close());

describe('useRoomData', () => {
  it('hands each data message to the listener until its scope stops; send() sends DATA.SEND; a ref actor works', async () => {
    const roomScope = effectScope();
    const room = roomScope.run(() => useRoom(call.options('composable-data', 'Ada')))!;
    const inbox: RoomDataMessage[] = [];
    const listenerScope = effectScope();
    // Through a ref, set after the composable ran: it subscribes when the actor arrives.
    const actor = shallowRef<RoomActor | undefined>(undefined);
    listenerScope.run(() => useRoomData(actor, (message) => inbox.push(message)));
    actor.value = room.actor;

    const bob = call.join('composable-data', 'Bob');
    const bobInbox: unknown[] = [];
    bob.onData(({ data }) => bobInbox.push(data));
    await until('Ada and Bob to be connected', () => room.view.value.peers.some((peer) => peer.status === 'connected' && peer.dataChannelOpen));
    const bobId = bob.getView().selfId!;

    bob.send({ type: 'DATA.SEND', data: { cursor: [120, 48] } });
    bob.send({ type: 'DATA.SEND', data: new Uint8Array([1, 2, 3]) });
    await until('Ada to receive both messages', () => inbox.length === 2);
    expect(inbox[0]).toEqual({ type: 'data', from: bobId, data: { cursor: [120, 48] } });
    expect([...new Uint8Array(inbox[1]!.data as ArrayBuffer)]).toEqual([1, 2, 3]);

    room.send({ type: 'DATA.SEND', data: 'from a composable', to: bobId });
    await until('Bob to receive the message from the composable', () => bobInbox.length === 1);
    expect(bobInbox).toEqual(['from a composable']);

    // The listener's scope ends; the room stays in the call and still receives.
    listenerScope.stop();
    bob.send({ type: 'DATA.SEND', data: 'after unsubscribe' });
    const later: unknown[] = [];
    const stop = room.actor.on('data', ({ data }) => later.push(data));
    await until('the room to receive the later message', () => later.length === 1);
    stop.unsubscribe();
    expect(inbox).toHaveLength(2);
    roomScope.stop();
  });
});
