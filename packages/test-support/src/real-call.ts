/**
 * A real call for the React hook and Vue composable tests: the real signaling server on port 0, `ws` as the WebSocket and
 * werift as the RTCPeerConnection (Node has neither), receive-only rooms (no camera in Node). Every
 * socket and connection made is remembered, so tests can prove what was opened and closed.
 */
import type { AddressInfo } from 'node:net';
import { createRoom, type CreateRoomOptions, type Implementations, type RoomHandle, type WebSocketLike } from '@peerchart/core';
import { buildApp, defaultConfig } from '@peerchart/signaling-server';
import { RTCPeerConnection as WeriftPeerConnection } from 'werift';
import WebSocket from 'ws';

export interface RealCall {
  /** The server's WebSocket URL, `ws://127.0.0.1:PORT/ws`. */
  signalingUrl: string;
  /** Room options for `room`: this server, Node's implementations, quiet stats. */
  options(room: string, name: string): CreateRoomOptions;
  /** A room outside the framework under test (the other side of the call); left at `close()`. */
  join(room: string, name: string): RoomHandle;
  /** Ada and Bob in `room`, each with its data channel to the other open: the two sides of a data test. */
  connectedPair(room: string): Promise<{ ada: RoomHandle; bob: RoomHandle; adaId: string; bobId: string }>;
  /** Every WebSocket opened so far, in order. */
  sockets: WebSocket[];
  close(): Promise<void>;
}

export async function startRealCall(): Promise<RealCall> {
  const app = await buildApp({ ...defaultConfig(), port: 0, logLevel: 'warn' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const signalingUrl = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`;
  const sockets: WebSocket[] = [];
  const connections: WeriftPeerConnection[] = [];
  const rooms: RoomHandle[] = [];
  const implementations: Partial<Implementations> = {
    createPeerConnection: () => {
      // Loopback only: fast, and immune to whatever other interfaces the machine has.
      const pc = new WeriftPeerConnection({ iceServers: [], iceUseIpv6: false, iceInterfaceAddresses: { udp4: '127.0.0.1' }, iceAdditionalHostAddresses: ['127.0.0.1'] });
      connections.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
    createWebSocket: (url) => {
      const socket = new WebSocket(url);
      sockets.push(socket);
      // `ws` implements the browser WebSocket's handler properties; only its event types are wider.
      return socket as unknown as WebSocketLike;
    },
  };
  const options = (room: string, name: string): CreateRoomOptions => ({
    signalingUrl,
    room,
    name,
    media: false,
    iceServers: [],
    implementations,
    // Stats every hour: a peer's view then changes only when its connection does.
    timing: { peer: { statsIntervalMs: 3_600_000 } },
  });
  const join = (room: string, name: string) => {
    const handle = createRoom(options(room, name));
    rooms.push(handle);
    return handle;
  };
  return {
    signalingUrl,
    options,
    join,
    async connectedPair(room) {
      const [ada, bob] = [join(room, 'Ada'), join(room, 'Bob')];
      const open = (handle: RoomHandle) => () => handle.getView().peers.some((peer) => peer.dataChannelOpen);
      await until('Ada connected', open(ada), 20_000);
      await until('Bob connected', open(bob), 20_000);
      return { ada, bob, adaId: ada.getView().selfId!, bobId: bob.getView().selfId! };
    },
    sockets,
    async close() {
      await Promise.all(rooms.map((room) => room.leave()));
      await Promise.all(connections.map((pc) => pc.close()));
      await app.close();
    },
  };
}

/** Polls `check` until it holds (a condition with a deadline, not a sleep). */
export async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
