/**
 * The signaling connection: connect, greet (resuming the identity when it can), reconnect with backoff.
 *
 * signaling
 * ├─ connection      invokes the socket                        (signaling/connection.ts)
 * │  ├─ connecting   → greeting on open (connectTimeout → reconnecting)
 * │  ├─ greeting     `hello` sent, waits for `welcome`
 * │  └─ open         the queue flushed; server messages emitted as `SERVER.<type>`
 * ├─ reconnecting    backoff with equal jitter; SIGNALING.RETRY_NOW skips the wait
 * └─ closed          (final) SIGNALING.CLOSE, or our identity resumed on a newer socket
 *
 * Messages sent while not open wait in a bounded queue. Whoever listens (`actor.on`) gets
 * SIGNALING.STATUS, SIGNALING.WELCOME, SERVER.<type> and SIGNALING.DROPPED.
 */
import { connection } from './signaling/connection.js';
import { signalingSetup } from './signaling/setup.js';
import { DEFAULT_SIGNALING_TIMING } from './signaling/types.js';

export {
  type SignalingContext,
  type SignalingEmitted,
  type SignalingEvent,
  type SignalingInput,
  type SignalingTiming,
} from './signaling/types.js';

export const signalingMachine = signalingSetup.createMachine({
  id: 'signaling',
  context: ({ input }) => ({
    url: input.url,
    createWebSocket: input.createWebSocket,
    timing: { ...DEFAULT_SIGNALING_TIMING, ...input.timing },
    random: input.random ?? Math.random,
    peerId: null,
    resumeToken: null,
    attempt: 0,
    retryDelayMs: 0,
    nextRetryAt: null,
    queue: [],
    dropped: 0,
  }),
  initial: 'connection',
  on: {
    'SIGNALING.CLOSE': '.closed',
    'SIGNALING.SEND': { actions: { type: 'enqueue', params: ({ event }) => event.message } },
  },
  states: {
    connection,
    reconnecting: {
      entry: ['scheduleRetry', { type: 'emitStatus', params: 'reconnecting' }],
      after: { retryDelay: 'connection' },
      on: { 'SIGNALING.RETRY_NOW': 'connection' },
    },
    closed: {
      type: 'final',
      entry: { type: 'emitStatus', params: 'closed' },
    },
  },
});
