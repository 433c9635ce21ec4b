/**
 * One call in one room. Three parallel regions, then `left`:
 *
 * room
 * ├─ call (parallel)
 * │  ├─ media        acquiring | error | settled — the media actor, seen through its snapshots  (room/media.ts)
 * │  ├─ signaling    connecting | open | reconnecting | closed — the signaling actor's connection (room/signaling.ts)
 * │  └─ membership   preparing | ready | waiting → joining → member.{joined, rejoining, resuming} | failed
 * │                  joining is ONE transition, `waiting` → `joining`, guarded by media `settled` and
 * │                  signaling `open`                                                     (room/membership.ts)
 * │  and in every state: one peer machine per member, chat, relayed signaling          (room/peers.ts)
 * └─ left            (final) bye to every peer, `leave`, socket closed, media released
 *
 * Children talk back through one mechanism: a childBridge each (media: snapshots; signaling: what it
 * emits; peers: snapshots). The room takes every RoomCommand in every state; where a command means
 * nothing it is ignored.
 */
import type { SnapshotFrom } from 'xstate';
import { media } from './room/media.js';
import { membership } from './room/membership.js';
import { peers } from './room/peers.js';
import { CONNECTING, roomSetup, signalingInput } from './room/setup.js';
import { signaling } from './room/signaling.js';
import { selectLocalMedia, type MediaSnapshot } from './media.machine.js';

export { CHAT_LOG_LIMIT, type RoomContext, type RoomEvent, type RoomInput, type RoomTiming } from './room/types.js';

export const roomMachine = roomSetup.createMachine({
  id: 'room',
  invoke: { src: 'network', input: ({ context }) => ({ watchNetwork: context.implementations.watchNetwork }) },
  context: ({ input, spawn }) => {
    const mediaActor = spawn('media', {
      input: {
        request: input.media,
        getUserMedia: input.implementations.getUserMedia,
        getDisplayMedia: input.implementations.getDisplayMedia,
        watchDevices: input.implementations.watchDevices,
      },
    });
    spawn('bridge', { input: { actor: mediaActor, toEvent: (snapshot: MediaSnapshot) => ({ type: 'MEDIA.UPDATE', snapshot }) } });
    // Signaling connects while media is still being acquired: a permission prompt overlaps the connect.
    const signalingActor = spawn('signaling', { input: signalingInput(input) });
    spawn('bridge', { input: { actor: signalingActor, forwardEmitted: true } });
    return {
      ...input,
      selfId: null,
      peers: {},
      chat: [],
      chatCount: 0,
      error: null,
      local: selectLocalMedia(mediaActor.getSnapshot()),
      mediaError: null,
      mediaActor,
      signalingActor,
      signalingView: CONNECTING,
      joinedIceServers: [],
      iceServersTtlMs: null,
    };
  },
  initial: 'call',
  on: { LEAVE: '.left' },
  states: {
    call: { type: 'parallel', on: peers, states: { media, signaling, membership } },
    left: {
      type: 'final',
      entry: [
        'dropPeers',
        { type: 'toSignaling', params: { type: 'SIGNALING.CLOSE' } },
        { type: 'toMedia', params: { type: 'MEDIA.RELEASE' } },
        { type: 'showSignaling', params: { status: 'closed', attempt: 0, nextRetryAt: null } },
      ],
    },
  },
});

export type RoomSnapshot = SnapshotFrom<typeof roomMachine>;
