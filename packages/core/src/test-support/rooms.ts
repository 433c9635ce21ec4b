/**
 * Rooms for Node tests: real room actors with werift RTCPeerConnections, signaling through the
 * in-process hub. Media is receive-only unless a test passes its own getUserMedia.
 */
import { waitFor } from 'xstate';
import { createRoom, type CreateRoomOptions, type RoomHandle } from '../create-room.js';
import type { RoomView } from '../view.js';
import { SignalingHub, type SignalingHubOptions } from './signaling-hub.js';
import { weriftFactory } from './werift.js';

export function roomFixture(hubOptions: SignalingHubOptions = {}, inspect?: CreateRoomOptions['inspect']) {
  const hub = new SignalingHub(hubOptions);
  const werift = weriftFactory();
  const rooms: RoomHandle[] = [];
  const join = (name: string, options: Partial<CreateRoomOptions> = {}) => {
    const room = createRoom({
      signalingUrl: 'ws://hub/ws',
      room: 'standup',
      name,
      media: false,
      timing: { signaling: { backoffBaseMs: 20, backoffMaxMs: 100 } },
      inspect,
      ...options,
      implementations: {
        createWebSocket: hub.createWebSocket,
        createPeerConnection: werift.createPeerConnection,
        ...options.implementations,
      },
    });
    rooms.push(room);
    return room;
  };
  const cleanup = async () => {
    await Promise.all(rooms.map((room) => room.leave()));
    hub.close();
    await werift.closeAll();
  };
  return { hub, werift, join, cleanup };
}

/** Resolves with the view once `predicate` holds (rejects after `timeout` ms). */
export async function until(room: RoomHandle, predicate: (view: RoomView) => boolean, timeout = 15_000): Promise<RoomView> {
  await waitFor(room.actor, () => predicate(room.getView()), { timeout });
  return room.getView();
}

/** Every one of `count` peers connected with an open data channel. */
export const connectedTo = (count: number) => (view: RoomView) =>
  view.peers.length === count && view.peers.every((peer) => peer.connectionState === 'connected' && peer.dataChannelOpen);

/** Two members connected to each other (one peer each, its data channel open): their views then. */
export async function connectedPair(first: RoomHandle, second: RoomHandle): Promise<[RoomView, RoomView]> {
  return [await until(first, connectedTo(1)), await until(second, connectedTo(1))];
}
