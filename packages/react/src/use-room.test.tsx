/**
 * useRoom and usePeer against a real call: the real signaling server, `ws` and werift peer
 * connections, rendered by React into happy-dom.
 */
import type { PeerView, RoomView } from '@peerchart/core';
import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import type { Root } from 'react-dom/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRealCall, until, type RealCall } from '@peerchart/test-support/real-call';
import { usePeer } from './use-peer.js';
import { mountInto } from './test-support/mount.js';
import { useRoom, type RoomActor, type UseRoomResult } from './use-room.js';

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

function mount(element: React.ReactNode): HTMLElement {
  const mounted = mountInto(element);
  root = mounted.root;
  return mounted.container;
}

describe('useRoom', () => {
  it('joins when mounted, re-renders as the room changes, and sends commands', async () => {
    let latest: UseRoomResult | null = null;
    const seen: RoomView[] = [];
    function Call() {
      const room = useRoom(call.options('hook-basic', 'Ada'));
      latest = room;
      if (room.view && seen.at(-1) !== room.view) seen.push(room.view);
      return <p data-status={room.view?.status}>{room.view?.statusText}</p>;
    }
    const container = mount(<Call />);
    // The room exists before the browser paints: the committed DOM already shows its first view.
    expect(container.querySelector('p')?.dataset.status).toBeDefined();
    await until('the hook to show the room joined', () => container.querySelector('p')?.dataset.status === 'joined');
    expect(seen.map((v) => v.status)).toContain('connecting');
    expect(container.textContent).toBe('Waiting for others to join');

    const bob = call.join('hook-basic', 'Bob');
    await until('Bob to reach Ada through the view', () => latest?.view?.peers.some((p) => p.name === 'Bob' && p.dataChannelOpen) ?? false);
    const heard: unknown[] = [];
    bob.onData(({ from, data }) => heard.push([from, data]));
    latest!.send({ type: 'DATA.SEND', data: 'hello from a hook' });
    await until('Bob to receive the message', () => heard.length === 1);
    expect(heard).toEqual([[latest!.view?.selfId, 'hello from a hook']]);
  });

  it('in StrictMode, the rehearsal unmount keeps the one room; the real unmount leaves it', async () => {
    const opened = call.sockets.length;
    let actor: RoomActor | null = null;
    function Call() {
      const room = useRoom(call.options('hook-strict', 'Ada'));
      actor = room.actor;
      return <p data-status={room.view?.status} />;
    }
    const container = mount(
      <StrictMode>
        <Call />
      </StrictMode>,
    );
    await until('the room to join', () => container.querySelector('p')?.dataset.status === 'joined');
    // Let any leave queued by the rehearsal run, had it not been cancelled.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(call.sockets.length - opened).toBe(1);
    const socket = call.sockets.at(-1)!;
    expect(socket.readyState).toBe(WebSocket.OPEN);
    expect(actor!.getSnapshot().status).toBe('active');

    const watcher = call.join('hook-strict', 'Watcher');
    await until('the watcher to see Ada', () => watcher.getView().peers.some((p) => p.name === 'Ada'));
    root?.unmount();
    root = null;
    await until('the room to be left', () => actor!.getSnapshot().status === 'done');
    await until('its socket to close', () => socket.readyState === WebSocket.CLOSED);
    await until('the others to see Ada go', () => !watcher.getView().peers.some((p) => p.name === 'Ada'));
  });

  it('leave() leaves at once and the view says so; a new key starts a new room', async () => {
    let latest: UseRoomResult | null = null;
    function Call({ room }: { room: string }) {
      const result = useRoom(call.options(room, 'Ada'));
      latest = result;
      return <p data-room={result.view?.room} data-status={result.view?.status} />;
    }
    const container = mount(<Call key="one" room="hook-first" />);
    await until('the first room to join', () => container.querySelector('p')?.dataset.status === 'joined');
    const first = latest!.actor!;
    flushSync(() => root?.render(<Call key="two" room="hook-second" />));
    await until('the second room to join', () => container.querySelector('p')?.dataset.room === 'hook-second' && container.querySelector('p')?.dataset.status === 'joined');
    await until('the first room to be left', () => first.getSnapshot().status === 'done');
    expect(latest!.actor).not.toBe(first);

    await latest!.leave();
    await until('the view to say left', () => container.querySelector('p')?.dataset.status === 'left');
    latest!.send({ type: 'DATA.SEND', data: 'ignored after leaving' }); // must not throw
  });
});

describe('usePeer', () => {
  it('follows one peer and re-renders only when that peer’s view changes', async () => {
    const ada = call.join('hook-peer', 'Ada');
    const bob = call.join('hook-peer', 'Bob');
    const carol = call.join('hook-peer', 'Carol');
    const connectedTo = (name: string) => ada.getView().peers.some((p) => p.name === name && p.status === 'connected' && p.dataChannelOpen);
    await until('Ada connected to Bob and Carol', () => connectedTo('Bob') && connectedTo('Carol'));
    const bobId = bob.getView().selfId!;

    const rendered: Array<PeerView | undefined> = [];
    function Tile({ roomActor, peerId }: { roomActor: RoomActor; peerId: string }) {
      const peer = usePeer(roomActor, peerId);
      rendered.push(peer);
      return <span data-status={peer?.status ?? 'gone'}>{peer?.name}</span>;
    }
    let roomChanges = 0;
    const subscription = ada.actor.subscribe(() => roomChanges++);
    const container = mount(<Tile roomActor={ada.actor} peerId={bobId} />);
    expect(container.textContent).toBe('Bob');

    // Carol leaving changes Ada's room, not Ada's view of Bob.
    await carol.leave();
    await until('Ada to see Carol go', () => !ada.getView().peers.some((p) => p.name === 'Carol'));
    // Bob leaving is a change of Bob's: the tile hears of it.
    await bob.leave();
    await until('the tile to see Bob gone', () => container.querySelector('span')?.dataset.status === 'gone');
    subscription.unsubscribe();

    expect(rendered.at(-1)).toBeUndefined();
    // Every render of the tile shows something new: no render for the room's other changes.
    for (let i = 1; i < rendered.length; i++) expect(rendered[i]).not.toBe(rendered[i - 1]);
    expect(roomChanges).toBeGreaterThan(rendered.length - 1);
  });
});
