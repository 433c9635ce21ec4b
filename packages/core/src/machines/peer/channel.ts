import { assign } from 'xstate';
import type { PcCommand } from '../../actors/peer-connection.js';
import { connectionLost, mediaStateMessage, peerSetup } from './setup.js';
import { OUTBOX_LIMIT } from './types.js';

/**
 * Region `channel`: the negotiated data channel (id 0): chat and media-state messages. Chat sent
 * before it opens waits in a bounded outbox; on open, our media state and the outbox go out.
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
        'CHAT.SEND': {
          description: 'Not open yet: into the outbox',
          actions: assign({
            outbox: ({ context, event }) => [...context.outbox, { id: event.id, text: event.text, at: event.at }].slice(-OUTBOX_LIMIT),
          }),
        },
        'PC.DATA_OPEN': {
          target: 'open',
          description: 'Open: tell our media state, send the chat outbox',
          actions: [
            {
              type: 'command',
              params: ({ context }) => [
                { type: 'PC.SEND', message: mediaStateMessage(context) },
                ...context.outbox.map((chat): PcCommand => ({ type: 'PC.SEND', message: { type: 'chat', ...chat } })),
              ],
            },
            assign({ outbox: [] }),
          ],
        },
      },
    },
    open: {
      on: {
        'PC.DATA_CLOSED': connectionLost('peer/transport-lost'),
        'CHAT.SEND': {
          actions: {
            type: 'command',
            params: ({ event }) => [{ type: 'PC.SEND', message: { type: 'chat', id: event.id, text: event.text, at: event.at } }],
          },
        },
      },
    },
  },
});
