import { assign, emit, enqueueActions, sendTo, setup } from 'xstate';
import { signalingSocket, type SocketEvent } from '../actors/signaling-socket.js';
import type { WebSocketLike } from '../implementations.js';
import { CLOSE_CODES, PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../protocol/index.js';
import type { SignalingView } from '../view.js';

export interface SignalingTiming {
  /** First reconnect delay; doubles per failed attempt up to `backoffMaxMs`, then jittered to 50–100 %. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long opening the socket plus the hello/welcome exchange may take before it counts as failed. */
  connectTimeoutMs: number;
  /**
   * How many outgoing messages are kept while the socket is not open. Past it the OLDEST is dropped
   * and reported (`SIGNALING.DROPPED`): newer signaling supersedes older (a later offer or candidate
   * matters more), and the peers recover lost ones with an ICE restart.
   */
  queueLimit: number;
}

export const DEFAULT_SIGNALING_TIMING: SignalingTiming = {
  backoffBaseMs: 500,
  backoffMaxMs: 15_000,
  connectTimeoutMs: 10_000,
  queueLimit: 64,
};

export interface SignalingInput {
  url: string;
  createWebSocket(url: string): WebSocketLike;
  timing?: Partial<SignalingTiming>;
  /** Jitter source, injectable for tests. */
  random?: () => number;
}

export type SignalingEvent =
  | SocketEvent
  | { type: 'SIGNALING.SEND'; message: ClientMessage }
  | { type: 'SIGNALING.RETRY_NOW' }
  | { type: 'SIGNALING.CLOSE' };

/** What the machine tells whoever listens (`actor.on(...)`); the room bridges these to itself. */
export type SignalingEmitted =
  | { type: 'SIGNALING.STATUS'; view: SignalingView }
  /** `rooms`: the rooms the server restored (each followed by its `joined`); see `welcome` in the protocol. */
  | { type: 'SIGNALING.WELCOME'; peerId: string; resumed: boolean; rooms: string[] }
  | { type: 'SIGNALING.MESSAGE'; message: ServerMessage }
  | { type: 'SIGNALING.DROPPED'; message: ClientMessage; total: number };

export interface SignalingContext extends Pick<SignalingInput, 'url' | 'createWebSocket'> {
  timing: SignalingTiming;
  random: () => number;
  peerId: string | null;
  resumeToken: string | null;
  /** Consecutive failed connection attempts; 0 once welcomed. */
  attempt: number;
  retryDelayMs: number;
  nextRetryAt: number | null;
  queue: ClientMessage[];
  /** Messages dropped so far (queue overflow or a lost identity). */
  dropped: number;
}

/** Offer, answer, candidate, bye, app: the client messages addressed `to` one peer. */
const isDirected = (message: ClientMessage): boolean => 'to' in message;

type WelcomeMessage = Extract<ServerMessage, { type: 'welcome' }>;
/** The part of `enqueueActions`' `enqueue` that `drop` uses. */
interface Enqueue {
  assign(update: Partial<SignalingContext>): void;
  emit(event: SignalingEmitted): void;
}

/** Applies `update` with `messages` dropped from the queue: counted, and each one reported. */
function drop(context: SignalingContext, enqueue: Enqueue, messages: ClientMessage[], update: Partial<SignalingContext>) {
  enqueue.assign({ ...update, dropped: context.dropped + messages.length });
  messages.forEach((message, index) => enqueue.emit({ type: 'SIGNALING.DROPPED', message, total: context.dropped + index + 1 }));
}

/** The signaling connection: connect, greet (resuming the identity when it can), reconnect with backoff. */
export const signalingMachine = setup({
  types: {
    input: {} as SignalingInput,
    context: {} as SignalingContext,
    events: {} as SignalingEvent,
    emitted: {} as SignalingEmitted,
  },
  actors: { socket: signalingSocket },
  guards: {
    replaced: ({ event }) => event.type === 'SOCKET.CLOSED' && event.code === CLOSE_CODES.replaced,
    welcomed: ({ event }) => event.type === 'SOCKET.MESSAGE' && event.message.type === 'welcome',
  },
  delays: {
    connectTimeout: ({ context }) => context.timing.connectTimeoutMs,
    retryDelay: ({ context }) => context.retryDelayMs,
  },
  actions: {
    emitStatus: emit(({ context }, status: SignalingView['status']) => ({
      type: 'SIGNALING.STATUS' as const,
      view: { status, attempt: context.attempt, nextRetryAt: status === 'reconnecting' ? context.nextRetryAt : null },
    })),
    sendHello: sendTo('socket', ({ context: { resumeToken } }) => ({
      type: 'SOCKET.SEND' as const,
      message: { type: 'hello' as const, v: PROTOCOL_VERSION, ...(resumeToken ? { resume: resumeToken } : {}) },
    })),
    /** Bounded queue: past the limit the oldest message goes, and is reported. Only on SIGNALING.SEND. */
    enqueue: enqueueActions(({ context, event, enqueue }) => {
      const queue = [...context.queue, (event as Extract<SignalingEvent, { type: 'SIGNALING.SEND' }>).message];
      drop(context, enqueue, queue.splice(0, Math.max(0, queue.length - context.timing.queueLimit)), { queue });
    }),
    flush: enqueueActions(({ context, enqueue }) => {
      for (const message of context.queue) enqueue.sendTo('socket', { type: 'SOCKET.SEND', message });
      enqueue.assign({ queue: [] });
    }),
    /** Only on the `welcomed` SOCKET.MESSAGE. */
    acceptWelcome: enqueueActions(({ context, event, enqueue }) => {
      const { peerId, resumeToken, resumed, rooms } = (event as { message: WelcomeMessage }).message;
      // A fresh identity (resume refused or expired): directed messages queued for the old session
      // name peers that no longer know us, so they go; join/leave stay.
      const stale = context.peerId !== null && !resumed ? context.queue.filter(isDirected) : [];
      drop(context, enqueue, stale, {
        peerId,
        resumeToken,
        attempt: 0,
        nextRetryAt: null,
        queue: context.queue.filter((message) => !stale.includes(message)),
      });
      enqueue.emit({ type: 'SIGNALING.WELCOME', peerId, resumed, rooms });
    }),
    scheduleRetry: assign(({ context }) => {
      const { backoffBaseMs, backoffMaxMs } = context.timing;
      const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** context.attempt);
      // Equal jitter: half fixed, half random, so a crowd of clients does not reconnect in lockstep.
      const retryDelayMs = Math.round(ceiling / 2 + (ceiling / 2) * context.random());
      return { attempt: context.attempt + 1, retryDelayMs, nextRetryAt: Date.now() + retryDelayMs };
    }),
  },
}).createMachine({
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
    'SIGNALING.SEND': { actions: 'enqueue' },
  },
  states: {
    connection: {
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
              actions: 'acceptWelcome',
            },
          },
        },
        open: {
          entry: [{ type: 'emitStatus', params: 'open' }, 'flush'],
          on: {
            'SIGNALING.SEND': { actions: sendTo('socket', ({ event }) => ({ type: 'SOCKET.SEND' as const, message: event.message })) },
            'SOCKET.MESSAGE': { actions: emit(({ event }) => ({ type: 'SIGNALING.MESSAGE' as const, message: event.message })) },
          },
        },
      },
    },
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
