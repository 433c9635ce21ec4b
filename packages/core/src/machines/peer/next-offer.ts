import { not } from 'xstate';
import { peerSetup } from './setup.js';

/**
 * Region `nextOffer`: what our next offer must carry. Local changes (a sender added or removed,
 * RENEGOTIATE, a polite side's rolled-back offer) and ICE restarts are asked for at any moment;
 * the negotiation region offers at once when stable, otherwise after the exchange in progress
 * (entering creatingOffer raises OFFER.CREATE), and this region turns what is pending into that
 * offer. So every change is negotiated, once, and simultaneous offers always converge.
 */

/** createOffer, and the exchange it starts. */
const makeOffer = (iceRestart: boolean) =>
  [
    { type: 'command', params: [{ type: 'PC.CREATE_OFFER', iceRestart }] },
    { type: 'beginExchange', params: { restartsIce: iceRestart } },
  ] as const;

/** An ICE restart is asked for: the next offer restarts ICE, unless the exchange under way already does. */
const restartRequested = {
  guard: not('restartUnderWay'),
  target: 'iceRestartPending',
} as const;

export const nextOffer = peerSetup.createStateConfig({
  initial: 'nothingPending',
  on: {
    'OFFER.CREATE': { target: '.nothingPending', description: 'createOffer()', actions: makeOffer(false) },
  },
  states: {
    nothingPending: {
      on: { RENEGOTIATE: 'changesPending', RESTART_ICE: restartRequested },
    },
    changesPending: {
      on: { RESTART_ICE: restartRequested },
    },
    iceRestartPending: {
      on: {
        'OFFER.CREATE': { target: 'nothingPending', description: 'createOffer({ iceRestart: true })', actions: makeOffer(true) },
        // Their offer restarted ICE, or the connection came back: no restart of ours is needed.
        'ICE_RESTART.SETTLED': 'changesPending',
      },
    },
  },
});
