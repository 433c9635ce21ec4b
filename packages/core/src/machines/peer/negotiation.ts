import { and, assign } from 'xstate';
import type { PcCommand, PcOperation } from '../../actors/peer-connection.js';
import { acceptOffer, connectionLost, peerSetup } from './setup.js';
import type { IceCandidate } from '../../protocol/primitives.js';
import type { SignalMessage } from './types.js';

const { raise } = peerSetup;

/**
 * Region `negotiation`: the offer/answer handshake, with perfect negotiation (W3C webrtc-pc §10.7).
 *
 * Caller: creatingOffer (createOffer) → settingLocalOffer (setLocalDescription) → send offer →
 * awaitingAnswer → settingRemoteAnswer (setRemoteDescription) → stable.
 * Callee: receive offer → settingRemoteOffer (setRemoteDescription) → creatingAnswer (createAnswer)
 * → settingLocalAnswer (setLocalDescription) → send answer → stable.
 * The pc actor makes and applies a description in one browser call (`setLocalDescription()` without
 * arguments, ~3 ms faster per side in Chromium); the two states still show the two steps.
 *
 * Local candidates follow their description: states where ours is out (awaitingAnswer,
 * settingRemoteAnswer, stable after the first exchange) send them at once; the others hold them,
 * and "send offer"/"send answer" sends the held ones right after the description.
 */

/** A negotiation step failed: `peer/negotiation-failed`; a fresh connection usually gets past it. */
const stepFailed = (op: PcOperation) => connectionLost('peer/negotiation-failed', { type: 'failed', params: { op } });

/** A remote offer while ours is being made or awaits its answer: perfect negotiation's collision. */
const offerCollision = [
  {
    guard: 'isPolite',
    target: 'settingRemoteOffer',
    description: 'Collision, polite: roll our offer back, answer theirs',
    actions: ['reofferAbandoned', ...acceptOffer],
  },
  { description: 'Collision, impolite: ignore their offer', actions: raise({ type: 'REMOTE_OFFER.IGNORED' }) },
] as const;

/** setLocalDescription of the description the event carries. */
const setLocal = (type: 'offer' | 'answer') =>
  ({ type: 'command', params: ({ event }: { event: { sdp: string } }): PcCommand[] => [{ type: 'PC.SET_LOCAL', description: { type, sdp: event.sdp } }] }) as const;

/** The exchange is complete: a remote description exists (the trickle region applies its buffer). */
const exchangeComplete = raise({ type: 'EXCHANGE.COMPLETE' });

/** A local candidate goes out at once (our description is out). */
const sendCandidate = {
  actions: { type: 'signal', params: ({ event }: { event: { candidate: IceCandidate } }): SignalMessage[] => [{ type: 'candidate', candidate: event.candidate }] },
} as const;

export const negotiation = peerSetup.createStateConfig({
  initial: 'stable',
  on: {
    'PC.SIGNALING_STATE': { actions: assign({ signalingState: ({ event }) => event.state }) },
    'PC.ICE_CANDIDATE': {
      description: 'Hold it until its description is sent',
      actions: assign({ localCandidates: ({ context, event }) => [...context.localCandidates, event.candidate] }),
    },
  },
  states: {
    stable: {
      // Changes waiting in nextOffer (asked for now, or during the exchange that just ended) are offered at once.
      always: { guard: and(['changesPending', 'mayOffer']), target: 'creatingOffer', description: 'Offer what is pending' },
      on: {
        'PC.NEGOTIATION_NEEDED': { guard: 'mayOffer', target: 'creatingOffer' },
        'SIGNAL.OFFER': { target: 'settingRemoteOffer', description: 'Callee: receive offer', actions: acceptOffer },
        'PC.ICE_CANDIDATE': { guard: 'exchanged', ...sendCandidate },
      },
    },
    creatingOffer: {
      entry: raise({ type: 'OFFER.CREATE' }),
      on: {
        'PC.OFFER_CREATED': { target: 'settingLocalOffer', actions: setLocal('offer') },
        'PC.OP_FAILED': stepFailed('createOffer'),
        'SIGNAL.OFFER': offerCollision,
      },
    },
    settingLocalOffer: {
      on: {
        'PC.LOCAL_SET': {
          guard: { type: 'localSet', params: 'offer' },
          target: 'awaitingAnswer',
          description: 'Send offer (PEER.SIGNAL), then the candidates held meanwhile',
          actions: { type: 'sendDescription', params: ({ event }) => ({ type: 'offer', sdp: event.description.sdp }) },
        },
        'PC.OP_FAILED': stepFailed('setLocalOffer'),
        'SIGNAL.OFFER': offerCollision,
      },
    },
    awaitingAnswer: {
      on: {
        'SIGNAL.ANSWER': {
          target: 'settingRemoteAnswer',
          actions: { type: 'command', params: ({ event }) => [{ type: 'PC.SET_REMOTE', description: { type: 'answer', sdp: event.sdp } }] },
        },
        'SIGNAL.OFFER': offerCollision,
        'PC.ICE_CANDIDATE': sendCandidate,
      },
    },
    settingRemoteAnswer: {
      on: {
        'PC.REMOTE_SET': { guard: { type: 'remoteSet', params: 'answer' }, target: 'stable', actions: exchangeComplete },
        'PC.OP_FAILED': stepFailed('setRemoteAnswer'),
        'SIGNAL.OFFER': { target: 'settingRemoteOffer', description: 'Not a collision: applied after the answer', actions: acceptOffer },
        'PC.ICE_CANDIDATE': sendCandidate,
      },
    },
    settingRemoteOffer: {
      on: {
        'PC.REMOTE_SET': { guard: { type: 'remoteSet', params: 'offer' }, target: 'creatingAnswer' },
        'PC.OP_FAILED': stepFailed('setRemoteOffer'),
      },
    },
    creatingAnswer: {
      entry: { type: 'command', params: [{ type: 'PC.CREATE_ANSWER' }] },
      on: {
        'PC.ANSWER_CREATED': { target: 'settingLocalAnswer', actions: setLocal('answer') },
        'PC.OP_FAILED': stepFailed('createAnswer'),
      },
    },
    settingLocalAnswer: {
      on: {
        'PC.LOCAL_SET': {
          guard: { type: 'localSet', params: 'answer' },
          target: 'stable',
          description: 'Send answer (PEER.SIGNAL), then the candidates held meanwhile',
          actions: [{ type: 'sendDescription', params: ({ event }) => ({ type: 'answer', sdp: event.description.sdp }) }, exchangeComplete],
        },
        'PC.OP_FAILED': stepFailed('setLocalAnswer'),
      },
    },
  },
});
