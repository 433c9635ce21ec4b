import { assign } from 'xstate';
import { connectionLost, mediaStateMessage, peerSetup } from './setup.js';

/**
 * Application data while the connection exists (state `active`): `DATA.SEND` to the pc actor, which
 * checks and queues it for its own channel (id 1, actors/app-data.ts); what arrives and what could not be
 * sent go from there to the input's `onAppData` (the room), not through this machine.
 */
export const dataOn = peerSetup.createStateConfig({
  on: {
    'DATA.SEND': { actions: { type: 'command', params: ({ event }) => [event] } },
  },
}).on;

/**
 * Region `channel`: the negotiated control channel (id 0): media-state messages. On open our media
 * state goes out; later changes follow as they happen (applyLocalMedia). Its close is the connection's.
 */
export const channel = peerSetup.createStateConfig({
  initial: 'connecting',
  on: {
    'PC.DATA_MESSAGE': { actions: { type: 'receiveMessage', params: ({ event }) => event.message } },
    'PC.DATA_INVALID': { actions: assign({ invalidMessages: ({ context }) => context.invalidMessages + 1 }) },
  },
  states: {
    connecting: {
      on: {
        'PC.DATA_OPEN': {
          target: 'open',
          description: 'Open: tell our media state',
          actions: { type: 'command', params: ({ context }) => [{ type: 'PC.SEND', message: mediaStateMessage(context) }] },
        },
      },
    },
    open: {
      on: { 'PC.DATA_CLOSED': connectionLost('peer/transport-lost') },
    },
  },
});
