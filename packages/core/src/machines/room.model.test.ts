/**
 * Model coverage of the room machine: paths generated with xstate/graph (stepped purely with
 * `transition()`, no actor runs) must reach every state node and take every transition, each guarded
 * alternative on its own. The events are what the room's children and the server send it, plus
 * every RoomCommand. Prints the coverage and fails below 100 %.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createActor, waitFor, type AnyEventObject, type AnyMachineSnapshot } from 'xstate';
import type { ServerMessage } from '../protocol/index.js';
import { EVERY_ROOM_COMMAND } from '../test-support/commands.js';
import { fakeGetDisplayMedia, fakeGetUserMedia } from '../test-support/fake-media.js';
import { formatCoverage, measureModelCoverage } from '../test-support/model-coverage.js';
import { mediaMachine, type MediaSnapshot } from './media.machine.js';
import { roomMachine, type RoomContext, type RoomEvent, type RoomInput } from './room.machine.js';

const ROOM = 'r';
const message = (m: ServerMessage) => ({ type: `SERVER.${m.type}`, message: m }) as RoomEvent;
const status = (s: 'connecting' | 'open' | 'reconnecting' | 'closed'): RoomEvent => ({
  type: 'SIGNALING.STATUS',
  view: { status: s, attempt: s === 'reconnecting' ? 1 : 0, nextRetryAt: s === 'reconnecting' ? 1 : null },
});


const SERVER: RoomEvent[] = [
  status('connecting'),
  status('open'),
  status('reconnecting'),
  status('closed'),
  { type: 'SIGNALING.WELCOME', peerId: 'me', resumed: false, rooms: [] },
  { type: 'SIGNALING.WELCOME', peerId: 'me', resumed: true, rooms: [ROOM] },
  // Same identity after a server restart: the room was not restored.
  { type: 'SIGNALING.WELCOME', peerId: 'me', resumed: true, rooms: [] },
  message({ type: 'joined', room: ROOM, self: 'me', peers: [{ id: 'p1', name: 'One', polite: false }], iceServers: [] }),
  message({ type: 'joined', room: ROOM, self: 'me', peers: [], iceServers: [] }),
  message({ type: 'joined', room: ROOM, self: 'me', peers: [], iceServers: [], iceServersTtlMs: 60_000 }),
  message({ type: 'ice-servers', iceServers: [], iceServersTtlMs: 60_000 }),
  { type: 'xstate.after.iceServersRenewal.room.call.membership.member.joined.iceServersValid' } as unknown as RoomEvent,
  { type: 'NETWORK.CHANGED' },
  { type: 'AUDIO.LEVELS', levels: { '': 0.5, p1: 0 }, speaker: '' },
  message({ type: 'error', code: 'room-full', message: 'full', ref: 'join' }),
  message({ type: 'peer-joined', room: ROOM, peer: { id: 'p2', name: 'Two', polite: true } }),
  message({ type: 'peer-left', room: ROOM, peerId: 'p1', reason: 'leave' }),
  message({ type: 'offer', room: ROOM, from: 'p1', sdp: 'v=0' }),
  message({ type: 'answer', room: ROOM, from: 'p1', sdp: 'v=0' }),
  message({ type: 'candidate', room: ROOM, from: 'p1', candidate: null }),
  message({ type: 'bye', room: ROOM, from: 'p1', reason: 'leave' }),
  { type: 'PEER.SIGNAL', peerId: 'p1', message: { type: 'answer', sdp: 'v=0' } },
  { type: 'data', from: 'p1', data: [1, 2] },
  { type: 'data-error', code: 'data/peer-gone', to: 'p1' },
  { type: 'DATA.SEND', data: 'hi' },
  { type: 'DATA.SEND', data: 'hi', to: 'p1' },
  { type: 'DATA.SEND', data: 'hi', to: 'nobody' },
  { type: 'PEER.CLOSED', peerId: 'p1', reason: 'remote-hangup' },
];

/** Real media snapshots (live, failed, receive-only, acquiring), as the media bridge reports them. */
const media: Record<'acquiring' | 'live' | 'failed' | 'receiveOnly', MediaSnapshot> = {} as never;
beforeAll(async () => {
  const start = (request: { audio: boolean; video: boolean } | false, outcome: string) =>
    createActor(mediaMachine, {
      input: { request, getUserMedia: fakeGetUserMedia(outcome).getUserMedia, getDisplayMedia: fakeGetDisplayMedia().getDisplayMedia, watchDevices: () => () => {} },
    }).start();
  const live = start({ audio: true, video: true }, 'ok');
  media.acquiring = live.getSnapshot();
  media.live = await waitFor(live, (s) => s.matches('live'));
  media.failed = await waitFor(start({ audio: true, video: true }, 'NotAllowedError'), (s) => s.matches('failed'));
  media.receiveOnly = start(false, 'ok').getSnapshot();
});

const input: RoomInput = {
  signalingUrl: 'ws://model/ws',
  room: ROOM,
  name: 'Me',
  media: { audio: true, video: true },
  implementations: {
    createPeerConnection: () => {
      throw new Error('model test: nothing runs');
    },
    getUserMedia: () => new Promise(() => {}),
    getDisplayMedia: () => new Promise(() => {}),
    createWebSocket: () => {
      throw new Error('model test: nothing runs');
    },
    watchNetwork: () => () => {},
    watchDevices: () => () => {},
  },
};

/** What guards read: the state, whether credentials expire, known peers, the error shown. */
function serializeState(snapshot: AnyMachineSnapshot): string {
  const c = snapshot.context as RoomContext;
  return JSON.stringify([
    snapshot.value,
    c.iceServersTtlMs !== null,
    Object.keys(c.peers).sort(),
    c.error?.code ?? null,
  ]);
}

describe('room machine model coverage (xstate/graph)', () => {
  it('generated paths reach every state and take every transition (100 %)', () => {
    const events = (snapshot: AnyMachineSnapshot): AnyEventObject[] => {
      const peer = (snapshot.context as RoomContext).peers.p1;
      return [
        ...Object.values(media).map((m): RoomEvent => ({ type: 'MEDIA.UPDATE', snapshot: m })),
        ...SERVER,
        ...EVERY_ROOM_COMMAND,
        ...(peer ? [{ type: 'PEER.UPDATE', peerId: 'p1', snapshot: peer.ref.getSnapshot() }] : []),
      ];
    };
    const coverage = measureModelCoverage(roomMachine, [
      { label: 'room', input, events, serializeState },
      // A pre-join screen: everything gets ready, the join waits for JOIN.
      { label: 'room (autoJoin: false)', input: { ...input, autoJoin: false }, events, serializeState },
    ]);
    console.log(formatCoverage('room', coverage));
    expect(coverage.states.missing).toEqual([]);
    expect(coverage.transitions.missing).toEqual([]);
  });
});
