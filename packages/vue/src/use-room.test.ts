/**
 * useRoom and usePeer against a real call: the real signaling server, `ws` and werift peer
 * connections, rendered by Vue into happy-dom.
 */
import type { PeerView, RoomView } from '@peerchart/core';
import { createApp, defineComponent, effectScope, h, type App, type PropType } from 'vue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRealCall, until, type RealCall } from '@peerchart/test-support/real-call';
import { usePeer } from './use-peer.js';
import { useRoom, type RoomActor, type UseRoomReturn } from './use-room.js';

let call: RealCall;
let app: App | null = null;

beforeAll(async () => {
  call = await startRealCall();
});
afterEach(() => {
  app?.unmount();
  app = null;
});
afterAll(() => call?.close());

function mount(component: ReturnType<typeof defineComponent>, props: Record<string, unknown> = {}): HTMLElement {
  const container = document.createElement('div');
  document.body.append(container);
  app = createApp(component, props);
  app.mount(container);
  return container;
}

describe('useRoom', () => {
  it('joins in setup, updates the view as the room changes, and sends commands', async () => {
    let room: UseRoomReturn | null = null;
    const seen: RoomView[] = [];
    const Call = defineComponent({
      setup() {
        room = useRoom(call.options('composable-basic', 'Ada'));
        return () => {
          const view = room!.view.value;
          if (seen.at(-1) !== view) seen.push(view);
          return h('p', { 'data-status': view.status }, view.statusText);
        };
      },
    });
    const container = mount(Call);
    await until('the view to show the room joined', () => container.querySelector('p')?.dataset.status === 'joined');
    expect(seen.map((v) => v.status)).toContain('connecting');
    expect(container.textContent).toBe('Waiting for others to join');

    const bob = call.join('composable-basic', 'Bob');
    await until('Bob to reach Ada through the view', () => room!.view.value.peers.some((p) => p.name === 'Bob' && p.dataChannelOpen));
    const heard: unknown[] = [];
    bob.onData(({ from, data }) => heard.push([from, data]));
    room!.send({ type: 'DATA.SEND', data: 'hello from a composable' });
    await until('Bob to receive the message', () => heard.length === 1);
    expect(heard).toEqual([[room!.view.value.selfId, 'hello from a composable']]);
  });

  it('leaves when the component unmounts', async () => {
    const opened = call.sockets.length;
    let actor: RoomActor | null = null;
    const Call = defineComponent({
      setup() {
        const room = useRoom(call.options('composable-unmount', 'Ada'));
        actor = room.actor;
        return () => h('p', { 'data-status': room.view.value.status });
      },
    });
    const container = mount(Call);
    await until('the room to join', () => container.querySelector('p')?.dataset.status === 'joined');
    expect(call.sockets.length - opened).toBe(1);
    const socket = call.sockets.at(-1)!;
    const watcher = call.join('composable-unmount', 'Watcher');
    await until('the watcher to see Ada', () => watcher.getView().peers.some((p) => p.name === 'Ada'));

    app?.unmount();
    app = null;
    await until('the room to be left', () => actor!.getSnapshot().status === 'done');
    await until('its socket to close', () => socket.readyState === WebSocket.CLOSED);
    await until('the others to see Ada go', () => !watcher.getView().peers.some((p) => p.name === 'Ada'));
  });

  it('leaves when an effect scope it ran in stops; leave() leaves at once', async () => {
    const scope = effectScope();
    const room = scope.run(() => useRoom(call.options('composable-scope', 'Ada')))!;
    await until('the room to join', () => room.view.value.status === 'joined');
    scope.stop();
    await until('the room to be left', () => room.actor.getSnapshot().status === 'done');

    const other = effectScope();
    const second = other.run(() => useRoom(call.options('composable-scope', 'Bea')))!;
    await until('the second room to join', () => second.view.value.status === 'joined');
    await second.leave();
    expect(second.view.value.status).toBe('left');
    second.send({ type: 'DATA.SEND', data: 'ignored after leaving' }); // must not throw
    other.stop();
  });
});

describe('usePeer', () => {
  it('follows one peer and updates only when that peer’s view changes', async () => {
    const ada = call.join('composable-peer', 'Ada');
    const bob = call.join('composable-peer', 'Bob');
    const carol = call.join('composable-peer', 'Carol');
    const connectedTo = (name: string) => ada.getView().peers.some((p) => p.name === name && p.status === 'connected' && p.dataChannelOpen);
    await until('Ada connected to Bob and Carol', () => connectedTo('Bob') && connectedTo('Carol'));
    const bobId = bob.getView().selfId!;

    const rendered: Array<PeerView | undefined> = [];
    const Tile = defineComponent({
      props: { roomActor: { type: Object as PropType<RoomActor>, required: true }, peerId: { type: String, required: true } },
      setup(props) {
        const peer = usePeer(props.roomActor, props.peerId);
        return () => {
          rendered.push(peer.value);
          return h('span', { 'data-status': peer.value?.status ?? 'gone' }, peer.value?.name);
        };
      },
    });
    let roomChanges = 0;
    const subscription = ada.actor.subscribe(() => roomChanges++);
    const container = mount(Tile, { roomActor: ada.actor, peerId: bobId });
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
