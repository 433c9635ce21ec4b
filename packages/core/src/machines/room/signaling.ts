import { assign } from 'xstate';
import type { SignalingView } from '../../view.js';
import { roomSetup } from './setup.js';

const show = { type: 'showSignaling', params: ({ event }: { event: { view: SignalingView } }) => event.view } as const;

/**
 * The signaling actor's connection as the room sees it: `open` from its welcome on, `reconnecting`
 * from a lost socket until the next welcome (peer-to-peer media keeps flowing meanwhile).
 */
export const signaling = roomSetup.createStateConfig({
  initial: 'connecting',
  on: {
    'SIGNALING.STATUS': [
      { guard: { type: 'signalingIs', params: 'reconnecting' }, target: '.reconnecting', actions: show },
      { guard: { type: 'signalingIs', params: 'closed' }, target: '.closed', actions: show },
      { actions: show },
    ],
    // The identity is ours from the welcome on (a resumed one is the same).
    'SIGNALING.WELCOME': { target: '.open', actions: assign({ selfId: ({ event }) => event.peerId }) },
    'SIGNALING.RETRY_NOW': { actions: { type: 'toSignaling', params: { type: 'SIGNALING.RETRY_NOW' } } },
  },
  states: {
    connecting: {},
    open: {},
    reconnecting: {},
    /** Our identity was taken over by a newer socket (another tab): REJOIN starts a new connection. */
    closed: {
      on: {
        REJOIN: {
          target: 'connecting',
          actions: 'connectSignaling',
        },
      },
    },
  },
});
