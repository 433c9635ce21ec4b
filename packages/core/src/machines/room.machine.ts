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
 * │  and in every state: one peer machine per member, application data, relayed signaling (room/peers.ts)
 * └─ left            (final) bye to every peer, `leave`, socket closed, media released
 *
 * Children talk back through one mechanism: a childBridge each (media: snapshots; signaling: what it
 * emits; peers: what they emit, and their latest snapshot once per task, since it only feeds their view).
 * One exception, on purpose: application data and its errors come from each peer's pc actor straight to
 * the room (`onAppData` in the peer's input, a `self.send`), because they are the app's payload, not the
 * call's state, and what still waited for a peer must be reported after that peer has ended. The room
 * takes every RoomCommand in every state; where a command means nothing it is ignored. It emits `data` (a
 * peer's application message) and `data-error` (one that could not be sent): `actor.on('data', …)`.
 */
import { assign, type SnapshotFrom } from 'xstate';
import { media } from './room/media.js';
import { membership } from './room/membership.js';
import { peers } from './room/peers.js';
import { audioTrack } from '../actors/user-media.js';
import { CONNECTING, roomSetup, signalingInput, withLevel } from './room/setup.js';
import { SELF } from './room/types.js';
import { signaling } from './room/signaling.js';
import { selectLocalMedia, type MediaSnapshot } from './media.machine.js';

export { type RoomContext, type RoomEmitted, type RoomEvent, type RoomInput, type RoomTiming } from './room/types.js';

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
    spawn('bridge', { input: { actor: signalingActor } });
    return {
      ...input,
      selfId: null,
      peers: {},
      error: null,
      local: selectLocalMedia(mediaActor.getSnapshot()),
      mediaError: null,
      mediaActor,
      signalingActor,
      signalingView: CONNECTING,
      joinedIceServers: [],
      iceServersTtlMs: null,
      activeSpeaker: null,
    };
  },
  initial: 'call',
  on: { LEAVE: '.left' },
  states: {
    call: {
      type: 'parallel',
      // Levels are data, not states: reported only when they change.
      invoke: {
        src: 'audioLevels',
        input: ({ context, self }) => ({
          watch: context.implementations.watchAudioLevels,
          // The microphone and each peer's audio. A muted track stays: mute is `enabled = false`, silence on both sides.
          tracks: () => {
            const { local, peers } = self.getSnapshot().context;
            const tracks: Record<string, MediaStreamTrack | null> = { [SELF]: audioTrack(local.stream) };
            for (const id in peers) tracks[id] = audioTrack(peers[id]!.view.stream);
            return tracks;
          },
        }),
      },
      on: {
        ...peers,
        // New levels into the views (a view whose level did not change stays the same object), and who speaks.
        'AUDIO.LEVELS': {
          actions: assign(({ context, event: { levels, speaker } }) => {
            const peers = { ...context.peers };
            for (const id in peers) peers[id] = { ...peers[id]!, view: withLevel(peers[id]!.view, levels[id]) };
            return { local: withLevel(context.local, levels[SELF]), peers, activeSpeaker: speaker };
          }),
        },
      },
      states: { media, signaling, membership },
    },
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
