import { peerSetup } from './setup.js';

/**
 * Region `trickle`: remote ICE candidates. None is applied before a remote description exists:
 * earlier ones are buffered and applied, in arrival order, once the first exchange completes (the
 * first remote answer set, or our answer to the first remote offer SENT, so createAnswer does not
 * wait behind addIceCandidate calls; the pc runs commands in order). Local candidates are the
 * negotiation region's: they follow the description they belong to.
 */
export const trickle = peerSetup.createStateConfig({
  initial: 'buffering',
  states: {
    buffering: {
      on: {
        'SIGNAL.CANDIDATE': { description: 'No remote description yet: buffer it', actions: 'bufferRemoteCandidate' },
        'EXCHANGE.COMPLETE': { target: 'flowing', description: 'Apply the buffered ones', actions: 'applyBufferedCandidates' },
      },
    },
    flowing: {
      on: {
        'SIGNAL.CANDIDATE': {
          actions: { type: 'command', params: ({ event }) => [{ type: 'PC.ADD_CANDIDATE', candidate: event.candidate }] },
        },
      },
    },
  },
});

/**
 * Region `remoteOffer`: perfect negotiation's `ignoreOffer`. The impolite side ignores a colliding
 * remote offer (the remote rolls back and answers ours); the candidates of that offer then fail to
 * apply, which is expected, so those errors are not counted.
 */
export const remoteOffer = peerSetup.createStateConfig({
  initial: 'heeded',
  states: {
    heeded: {
      on: { 'REMOTE_OFFER.IGNORED': 'ignored' },
    },
    ignored: {
      on: {
        'SIGNAL.ANSWER': 'heeded',
        'PC.OP_FAILED': { guard: 'candidateFailed', description: 'Candidate of the ignored offer: expected' },
      },
    },
  },
});
