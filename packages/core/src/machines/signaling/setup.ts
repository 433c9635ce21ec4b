import { assign, emit, enqueueActions, sendTo, setup } from 'xstate';
import { signalingSocket } from '../../actors/signaling-socket.js';
import { CLOSE_REPLACED } from '../../protocol/codes.js';
import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../../protocol/index.js';
import type { SignalingView } from '../../view.js';
import type { SignalingContext, SignalingEmitted, SignalingEvent, SignalingInput } from './types.js';

/** Offer, answer, candidate, bye, app: the client messages addressed `to` one peer. */
const isDirected = (message: ClientMessage): boolean => 'to' in message;

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

/** The signaling machine's implementations, shared by its state files. */
export const signalingSetup = setup({
  types: {} as { input: SignalingInput; context: SignalingContext; events: SignalingEvent; emitted: SignalingEmitted },
  actors: { socket: signalingSocket },
  guards: {
    replaced: ({ event }) => event.type === 'SOCKET.CLOSED' && event.code === CLOSE_REPLACED,
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
    /** Bounded queue: past the limit the oldest message goes, and is reported. */
    enqueue: enqueueActions(({ context, enqueue }, message: ClientMessage) => {
      const queue = [...context.queue, message];
      drop(context, enqueue, queue.splice(0, Math.max(0, queue.length - context.timing.queueLimit)), { queue });
    }),
    flush: enqueueActions(({ context, enqueue }) => {
      for (const message of context.queue) enqueue.sendTo('socket', { type: 'SOCKET.SEND', message });
      enqueue.assign({ queue: [] });
    }),
    /** Only on the `welcomed` SOCKET.MESSAGE; the type check narrows the message. */
    acceptWelcome: enqueueActions(({ context, enqueue }, message: ServerMessage) => {
      if (message.type !== 'welcome') return;
      const { peerId, resumeToken, resumed, rooms } = message;
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
});
