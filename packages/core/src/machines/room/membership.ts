import { assign, enqueueActions, stateIn } from 'xstate';
import type { ErrorMessage, JoinedMessage } from '../../protocol/index.js';
import { JOIN_REF, membersOf, roomSetup, vanishedPeers } from './setup.js';
import type { RoomContext } from './types.js';

const JOIN_REFUSALS: Partial<Record<string, string>> = {
  unauthorized: 'This room needs a valid invitation. Ask for a new link, then rejoin.',
  'room-full': 'The room is full. Rejoin when someone has left.',
  'too-many-rooms': 'This connection is already in too many rooms. Leave one, then rejoin.',
};

type Joined = { context: RoomContext; event: { message: JoinedMessage } };

const enterRoom = { type: 'enterRoom', params: ({ event }: Joined) => event.message } as const;
const callNewPeers = { type: 'addPeers', params: ({ event }: Joined) => membersOf(event.message) } as const;
/** Our first `joined`, or one after the server restarted: call every member we hold no peer for. */
const enter = [enterRoom, callNewPeers, 'syncPeers'] as const;
/** A re-sent `joined` (resumed): drop the members it no longer names, call the new ones. */
const reconcile = [
  { type: 'dropPeers', params: ({ context, event }: Joined) => vanishedPeers(context, event.message) },
  ...enter,
] as const;
const sendJoin = {
  type: 'toServer',
  params: ({ context: { room, name, ticket } }: { context: RoomContext }) => ({
    type: 'join' as const,
    room,
    ref: JOIN_REF,
    ...(name ? { name } : {}),
    ...(ticket ? { ticket } : {}),
  }),
} as const;

const leave = { type: 'toServer', params: ({ context }: { context: RoomContext }) => ({ type: 'leave' as const, room: context.room }) } as const;

/** The join is wanted; a name chosen on the pre-join screen replaces the one the room started with. */
const wantJoin = {
  target: 'waiting',
  // Only JOIN takes this transition; its `name` is optional.
  actions: roomSetup.assign({ name: ({ context, event }) => (event as { name?: string }).name ?? context.name }),
} as const;

/** Media has settled and signaling is open: nothing left to wait for. */
const canJoin = stateIn({ call: { media: 'settled', signaling: 'open' } });

const refused = {
  guard: 'joinRefused',
  target: 'failed',
  actions: {
    type: 'fail',
    params: ({ event: { message } }: { event: { message: ErrorMessage } }) => ({
      code: `join/${message.code}`,
      message: JOIN_REFUSALS[message.code] ?? `The server refused to let you in (${message.code}). Rejoin to try again.`,
      actions: ['rejoin' as const],
    }),
  },
} as const;

/**
 * Whether we are in the room. The join is one guarded transition (`waiting` → `joining`), taken as
 * soon as the media and signaling regions are both ready; `autoJoin: false` waits in `ready` for JOIN.
 */
export const membership = roomSetup.createStateConfig({
  initial: 'preparing',
  on: {
    'SIGNALING.STATUS': {
      guard: { type: 'signalingIs', params: 'closed' },
      target: '.failed',
      actions: {
        type: 'fail',
        params: {
          code: 'signaling/replaced',
          message: 'This call continued in another tab or window. Rejoin to continue here.',
          actions: ['rejoin'],
        },
      },
    },
  },
  states: {
    /** JOIN not asked for yet (createRoom's `autoJoin: false`). */
    preparing: {
      always: [
        { guard: 'autoJoin', target: 'waiting' },
        { guard: canJoin, target: 'ready' },
      ],
      on: { JOIN: wantJoin },
    },
    /** Media live and signaling greeted; the join waits for JOIN (a pre-join screen). */
    ready: { on: { JOIN: wantJoin } },
    /** The join is wanted: it goes out as soon as media has settled and signaling is open. */
    waiting: {
      always: { guard: canJoin, target: 'joining' },
    },
    joining: {
      entry: sendJoin,
      on: {
        'SERVER.joined': { guard: 'ourRoom', target: 'member', actions: enter },
        'SERVER.error': refused,
        // Signaling came back before the join was answered: ask again (a repeated join is answered too).
        'SIGNALING.WELCOME': 'waiting',
      },
    },
    /** `joined` arrived for the current identity: peers are ours, and a resume restores the membership. */
    member: {
      initial: 'joined',
      on: {
        // What the server says about the members. Substates take `joined` first.
        'SERVER.joined': { guard: 'ourRoom', actions: reconcile },
        'SERVER.peer-joined': {
          guard: 'ourRoom',
          // A member we still hold (its identity survived a server restart) keeps its connection.
          actions: [{ type: 'addPeers', params: ({ event }) => [{ info: event.message.peer, initiator: false }] }, 'syncPeers'],
        },
        'SERVER.peer-left': {
          guard: 'ourRoom',
          actions: { type: 'dropPeers', params: ({ event }) => [event.message.peerId] },
        },
        // Signaling is back after an outage.
        'SIGNALING.WELCOME': [
          { guard: 'roomRestored', target: '.resuming' },
          // Our identity survived a server restart, the room did not: join again, keeping the peers.
          { guard: 'resumed', target: '.rejoining' },
          // A new identity: every peer knew the old one, so start over in the room.
          { target: 'waiting', actions: 'dropPeers' },
        ],
        // Byes first: the server relays them only between members.
        LEAVE: {
          target: '#room.left',
          actions: [
            enqueueActions(({ context, enqueue }) => {
              for (const to of Object.keys(context.peers)) enqueue({ type: 'toServer', params: { type: 'bye', room: context.room, to, reason: 'leave' } });
            }),
            leave,
          ],
        },
        REJOIN: { target: 'waiting', actions: ['dropPeers', leave, assign({ error: null })] },
        // Only a (re)join is answered with our join's ref: the one of `rejoining`.
        'SERVER.error': refused,
      },
      states: {
        joined: {
          initial: 'iceServersValid',
          states: {
            iceServersValid: {
              after: {
                iceServersRenewal: { guard: 'iceServersExpire', target: 'renewingIceServers', description: 'Renew TURN credentials' },
              },
            },
            renewingIceServers: {
              entry: { type: 'toServer', params: { type: 'refresh-ice-servers' } },
              on: {
                'SERVER.ice-servers': {
                  target: 'iceServersValid',
                  description: 'setConfiguration on every peer',
                  actions: { type: 'renewIceServers', params: ({ event }) => event.message },
                },
              },
            },
          },
        },
        /**
         * Same identity after a server restart: the room is joined again. The server's member list is
         * rebuilt as the others come back, so `joined` adds peers but drops none; peers that never come
         * back end by their own connection's recovery (ICE restarts, redials, then `failed`).
         */
        rejoining: {
          entry: sendJoin,
          on: {
            'SERVER.joined': { guard: 'ourRoom', target: 'joined', description: 'Keep our peers, call new ones', actions: enter },
          },
        },
        /** Back on the same identity: waiting for the re-sent `joined` to reconcile the peers. */
        resuming: {
          on: { 'SERVER.joined': { guard: 'ourRoom', target: 'joined', actions: reconcile } },
        },
      },
    },
    /** Join refused, or the identity taken over: no peers, REJOIN to try again. */
    failed: {
      entry: 'dropPeers',
      on: { REJOIN: { target: 'waiting', actions: assign({ error: null }) } },
    },
  },
});
