import { emit, sendTo } from 'xstate';
import { signalingSetup } from './setup.js';
import type { ServerEvent } from './types.js';

/** One socket's life: open it, greet (resuming the identity when it can), then relay. */
export const connection = signalingSetup.createStateConfig({
  invoke: { id: 'socket', src: 'socket', input: ({ context }) => ({ url: context.url, createWebSocket: context.createWebSocket }) },
  initial: 'connecting',
  on: {
    'SOCKET.CLOSED': [
      // Our identity resumed on a newer socket: reconnecting would only steal it back.
      { guard: 'replaced', target: 'closed' },
      { target: 'reconnecting' },
    ],
  },
  states: {
    connecting: {
      entry: { type: 'emitStatus', params: 'connecting' },
      after: { connectTimeout: '#signaling.reconnecting' },
      on: { 'SOCKET.OPEN': 'greeting' },
    },
    greeting: {
      entry: 'sendHello',
      after: { connectTimeout: '#signaling.reconnecting' },
      on: {
        'SOCKET.MESSAGE': {
          guard: 'welcomed',
          target: 'open',
          actions: { type: 'acceptWelcome', params: ({ event }) => event.message },
        },
      },
    },
    open: {
      entry: [{ type: 'emitStatus', params: 'open' }, 'flush'],
      on: {
        'SIGNALING.SEND': { actions: sendTo('socket', ({ event }) => ({ type: 'SOCKET.SEND' as const, message: event.message })) },
        // `SERVER.<type>` is the type's own event, typed by ServerEvent; TypeScript cannot pair the
        // template literal with the message's variant on its own.
        'SOCKET.MESSAGE': { actions: emit(({ event }) => ({ type: `SERVER.${event.message.type}`, message: event.message }) as ServerEvent) },
      },
    },
  },
});
