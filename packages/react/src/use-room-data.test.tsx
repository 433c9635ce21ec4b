/** useRoomData against a real call (real signaling server, `ws`, werift), rendered by React into happy-dom. */
import { flushSync } from 'react-dom';
import type { Root } from 'react-dom/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRealCall, until, type RealCall } from '@peerchart/test-support/real-call';
import { mountInto } from './test-support/mount.js';
import { useRoom, type UseRoomResult } from './use-room.js';
import { useRoomData, type RoomDataMessage } from './use-room-data.js';

let call: RealCall;
let root: Root | null = null;

beforeAll(async () => {
  call = await startRealCall();
});
afterEach(() => {
  root?.unmount();
  root = null;
});
afterAll(() => call?.close());

describe('useRoomData', () => {
  it('hands the component each data message while it is mounted; send() sends DATA.SEND; unmounting the listener unsubscribes', async () => {
    let room: UseRoomResult | null = null;
    const inbox: RoomDataMessage[] = [];
    function Inbox({ actor }: { actor: UseRoomResult['actor'] }) {
      // An inline listener on every render: the hook keeps one subscription and calls the latest.
      useRoomData(actor, (message) => inbox.push(message));
      return null;
    }
    function Call({ listening }: { listening: boolean }) {
      room = useRoom(call.options('hook-data', 'Ada'));
      return listening ? <Inbox actor={room.actor} /> : null;
    }
    const mounted = mountInto(<Call listening />);
    root = mounted.root;
    const bob = call.join('hook-data', 'Bob');
    const bobInbox: unknown[] = [];
    bob.onData(({ data }) => bobInbox.push(data));
    await until('Ada and Bob to be connected', () => room?.view?.peers.some((peer) => peer.status === 'connected' && peer.dataChannelOpen) ?? false);
    const bobId = bob.getView().selfId!;

    bob.send({ type: 'DATA.SEND', data: { cursor: [120, 48] } });
    bob.send({ type: 'DATA.SEND', data: new Uint8Array([1, 2, 3]) });
    await until('Ada to receive both messages', () => inbox.length === 2);
    expect(inbox[0]).toEqual({ type: 'data', from: bobId, data: { cursor: [120, 48] } });
    expect([...new Uint8Array(inbox[1]!.data as ArrayBuffer)]).toEqual([1, 2, 3]);

    room!.send({ type: 'DATA.SEND', data: 'from a hook', to: bobId });
    await until('Bob to receive the message from the hook', () => bobInbox.length === 1);
    expect(bobInbox).toEqual(['from a hook']);

    // The listener's component goes; the room stays in the call and still receives.
    flushSync(() => mounted.root.render(<Call listening={false} />));
    bob.send({ type: 'DATA.SEND', data: 'after unsubscribe' });
    const later: unknown[] = [];
    const stop = room!.actor!.on('data', ({ data }) => later.push(data));
    await until('the room to receive the later message', () => later.length === 1);
    stop.unsubscribe();
    expect(inbox).toHaveLength(2);
  });
});
