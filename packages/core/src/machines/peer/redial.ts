import { and, assign, not } from 'xstate';
import type { SignalMessage } from './types.js';
import { acceptOffer, connectionLost, peerSetup } from './setup.js';
import { REDIAL_REASON } from './types.js';

/**
 * The peer's life around its RTCPeerConnection: creating it, hanging up, and starting over with a
 * fresh one (redial) when one cannot go on, up to a bound; then `failed` until REDIAL or DISMISS.
 * A redialled connection starts from what the peer sends (`sending`), as the impolite side offering.
 */

/** HANGUP: a bye (with the reason given, when there is one) and the end. */
export const hangUp = {
  target: '#peer.closed',
  actions: [
    { type: 'signal', params: ({ event }: { event: { reason?: string } }): SignalMessage[] => [event.reason ? { type: 'bye', reason: event.reason } : { type: 'bye' }] },
    { type: 'closeAs', params: 'hangup' },
  ],
} as const;

/** A bye: the remote hung up, or (reason `redial`) it starts over with a fresh connection and asks us to. */
const byeStartsOver = {
  guard: 'redialRequested',
  target: '#peer.active',
  reenter: true,
  description: 'Remote redials: a fresh connection here too',
  actions: 'startOver',
} as const;
const byeEnds = { target: '#peer.closed', actions: { type: 'closeAs', params: 'remote-hangup' } } as const;

/** Ask the remote to start over too, then build a fresh RTCPeerConnection. */
const redialNow = [{ type: 'signal', params: [{ type: 'bye', reason: REDIAL_REASON }] }, 'startOver'] as const;

/** `active`'s own transitions (its states: creatingPeerConnection, then the parallel session). */
export const activeOn = peerSetup.createStateConfig({
  on: {
    HANGUP: hangUp,
    'SIGNAL.BYE': [
      // Asked to start over while this connection is fresh anyway (both sides started over at once).
      { guard: and(['redialRequested', not('exchanged')]) },
      byeStartsOver,
      byeEnds,
    ],
    'LOCAL.MEDIA': { actions: { type: 'applyLocalMedia', params: { toPc: true } } },
  },
}).on;

export const creatingPeerConnection = peerSetup.createStateConfig({
  on: {
    'PC.CREATED': [
      { guard: 'acceptsEarlyOffer', target: 'session.negotiation.settingRemoteOffer', actions: acceptOffer },
      {
        guard: 'hasEarlyOffer',
        target: ['session.negotiation.creatingOffer', 'session.remoteOffer.ignored'],
        description: 'Impolite: the early offer collides, ignore it',
        actions: assign({ earlyOffer: null }),
      },
      { guard: 'isInitiator', target: 'session.negotiation.creatingOffer', description: 'Caller: offer at once' },
      { target: 'session', description: 'Callee: wait for the offer' },
    ],
    'PC.CREATE_FAILED': connectionLost('peer/create-failed'),
    // The remote may be faster than our setup: keep its offer and candidates for later.
    'SIGNAL.OFFER': { actions: assign({ earlyOffer: ({ event }) => event.sdp }) },
    'SIGNAL.CANDIDATE': { actions: 'bufferRemoteCandidate' },
  },
});

/** Application data while there is no connection to send it on: an error, not a silent drop. */
const noConnection = { 'DATA.SEND': { actions: 'peerGone' } } as const;

export const lifecycleStates = peerSetup.createStateConfig({
  states: {
    /** Waiting (backoff) before a fresh RTCPeerConnection; the old one is closed already. */
    redialing: {
      entry: assign({ redialAttempts: ({ context }) => context.redialAttempts + 1 }),
      after: { redialBackoff: { target: 'active', actions: redialNow } },
      on: {
        HANGUP: hangUp,
        'SIGNAL.BYE': [byeStartsOver, byeEnds],
        ...noConnection,
      },
    },
    /** Out of redials (or asked to stop): visible with its error until the user redials or dismisses it. */
    failed: {
      on: {
        REDIAL: { target: 'active', actions: [assign({ redialAttempts: 0 }), ...redialNow] },
        DISMISS: { target: 'closed', actions: [{ type: 'signal', params: [{ type: 'bye', reason: 'dismissed' }] }, { type: 'closeAs', params: 'hangup' }] },
        HANGUP: hangUp,
        'SIGNAL.BYE': [{ ...byeStartsOver, actions: [assign({ redialAttempts: 0 }), 'startOver'] }, byeEnds],
        ...noConnection,
      },
    },
    closed: {
      type: 'final',
      entry: peerSetup.emit(({ context }) => ({ type: 'PEER.CLOSED', peerId: context.peerId, reason: context.closeReason ?? 'hangup' })),
    },
  },
}).states;
