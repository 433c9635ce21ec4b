/**
 * The `?inspect` wiring, proved offline: `roomOptions` hands the room's inspection stream to a Stately
 * inspector (`createInspector` with a local adapter instead of the hosted window), and a real call
 * (real server, real WebSockets, werift peer connections) shows up there as machine definitions,
 * events and snapshots.
 */
import type { AddressInfo } from 'node:net';
import { createRoom, type RoomHandle, type WebSocketLike } from '@peerchart/core';
import { buildApp, defaultConfig } from '@peerchart/signaling-server';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { RTCPeerConnection as WeriftPeerConnection } from 'werift';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCallOptions } from './call-options.js';
import { reportTo, roomOptions, type JoinExtras } from './join-room.js';

type App = Awaited<ReturnType<typeof buildApp>>;
let app: App;
let origin: string;
const rooms: RoomHandle[] = [];
const connections: WeriftPeerConnection[] = [];

/** Node stand-ins for the browser's RTCPeerConnection and WebSocket: real, not mocks. */
const nodeImplementations: JoinExtras['implementations'] = {
  createPeerConnection: (config) => {
    const pc = new WeriftPeerConnection({
      iceServers: [],
      iceUseIpv6: false,
      // Loopback only: fast, and immune to whatever other interfaces the machine has.
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceAdditionalHostAddresses: ['127.0.0.1'],
      ...(config.iceServers?.length ? { iceServers: config.iceServers as never } : {}),
    });
    connections.push(pc);
    return pc as unknown as RTCPeerConnection;
  },
  // `ws` implements the browser WebSocket's handler properties; only its event types are wider.
  createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
};

beforeAll(async () => {
  app = await buildApp({ ...defaultConfig(), port: 0, logLevel: 'warn' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(rooms.map((room) => room.leave()));
  await Promise.all(connections.map((pc) => pc.close()));
  await app?.close();
});

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('roomOptions with a Stately inspector', () => {
  it('reports the machines, the commands and each snapshot of a call as it progresses', async () => {
    const received: StatelyInspectionEvent[] = [];
    const inspector = createInspector({ send: (event) => received.push(event) });
    const options = readCallOptions(`${origin}/vue/?room=inspected&name=Ada&receiveOnly&inspect`);
    expect(options).toMatchObject({ inspect: true, receiveOnly: true, signalingUrl: `ws://127.0.0.1:${new URL(origin).port}/ws` });

    const ada = createRoom(roomOptions({ ...options, room: 'inspected' }, { inspect: reportTo(inspector), implementations: nodeImplementations }));
    rooms.push(ada);
    const bob = createRoom(roomOptions({ ...options, room: 'inspected', name: 'Bob' }, { implementations: nodeImplementations }));
    rooms.push(bob);
    await until('Ada and Bob to share a data channel', () => ada.getView().peers.some((p) => p.dataChannelOpen));
    ada.send({ type: 'DATA.SEND', data: { text: 'inspect me' } });
    await until('the data command to be reported', () =>
      received.some((e) => e.type === '@xstate.event' && e.event.type === 'DATA.SEND'),
    );

    // The room actor registers with its machine definition, and so do the actors it spawns (peers, signaling).
    const rootId = ada.actor.sessionId;
    const actors = received.filter((e) => e.type === '@xstate.actor');
    const root = actors.find((e) => e.sessionId === rootId);
    expect(root?.definition).toBeDefined();
    expect(JSON.parse(root?.definition ?? '{}')).toMatchObject({ id: ada.actor.logic.id, states: expect.any(Object) });
    expect(actors.filter((e) => e.rootId === rootId && e.sessionId !== rootId && e.definition).length).toBeGreaterThan(0);

    // Snapshots follow the call: several distinct states, ending where the actor is now.
    const snapshots = received.filter((e) => e.type === '@xstate.snapshot' && e.sessionId === rootId);
    const values = snapshots.map((e) => JSON.stringify(e.type === '@xstate.snapshot' ? (e.snapshot as { value?: unknown }).value : null));
    expect(new Set(values).size).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(values.at(-1) ?? 'null')).toEqual(ada.actor.getSnapshot().value);

    // Only the inspected room reports.
    expect(received.every((e) => e.rootId === rootId)).toBe(true);
  });
});
