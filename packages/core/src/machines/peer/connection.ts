import { assign } from 'xstate';
import { connectionLost, peerSetup } from './setup.js';
import { STATS_HISTORY } from './types.js';

/**
 * Region `connection`: health, from connectionState. `disconnected` often recovers by itself, so it
 * gets a grace period; `failed` (or the grace running out) restarts ICE with exponential backoff;
 * out of restarts, the connection is redialled (see redial.ts).
 */

/** PC.CONNECTION_STATE → this region's state for it (the state is mirrored on the way). */
const becomes = {
  connecting: { guard: { type: 'connectionIs', params: 'connecting' }, target: 'connecting', actions: 'mirrorConnectionState' },
  connected: { guard: { type: 'connectionIs', params: 'connected' }, target: 'connected', actions: 'mirrorConnectionState' },
  disconnected: { guard: { type: 'connectionIs', params: 'disconnected' }, target: 'disconnected', actions: 'mirrorConnectionState' },
  failed: { guard: { type: 'connectionIs', params: 'failed' }, target: 'restarting', actions: 'mirrorConnectionState' },
} as const;
const failedRestartsAtOnce = { ...becomes.failed, description: 'failed: restart ICE at once' } as const;

export const connection = peerSetup.createStateConfig({
  initial: 'new',
  on: {
    // In every state: `closed` came from someone else's close(); anything not handled below is mirrored only.
    'PC.CONNECTION_STATE': [...connectionLost('peer/transport-lost', { type: 'connectionIs', params: 'closed' }), { actions: 'mirrorConnectionState' }],
    'PC.ICE_CONNECTION_STATE': { actions: assign({ iceConnectionState: ({ event }) => event.state }) },
    'PC.STATS': { actions: assign({ stats: ({ context, event }) => [...context.stats, event.sample].slice(-STATS_HISTORY) }) },
    SET_ICE_SERVERS: {
      actions: [
        assign({ iceServers: ({ event }) => event.iceServers }),
        { type: 'command', params: ({ event }) => [{ type: 'PC.SET_ICE_SERVERS', iceServers: event.iceServers }] },
      ],
    },
  },
  states: {
    new: {
      on: { 'PC.CONNECTION_STATE': [becomes.connecting, becomes.connected, becomes.disconnected, becomes.failed] },
    },
    connecting: {
      on: { 'PC.CONNECTION_STATE': [becomes.connected, becomes.disconnected, becomes.failed] },
    },
    connected: {
      entry: [
        { type: 'command', params: ({ context }) => [{ type: 'PC.STATS_START', intervalMs: context.timing.statsIntervalMs }] },
        assign({ iceRestartAttempts: 0, redialAttempts: 0 }),
        // A restart still waiting behind another exchange is called off.
        peerSetup.raise({ type: 'ICE_RESTART.SETTLED' }),
      ],
      exit: { type: 'command', params: [{ type: 'PC.STATS_STOP' }] },
      on: { 'PC.CONNECTION_STATE': [becomes.disconnected, failedRestartsAtOnce] },
    },
    disconnected: {
      after: { disconnectedGrace: 'restarting' },
      on: { 'PC.CONNECTION_STATE': [becomes.connected, failedRestartsAtOnce] },
    },
    restarting: {
      entry: [
        assign({ iceRestartAttempts: ({ context }) => context.iceRestartAttempts + 1 }),
        // The nextOffer region asks for an ICE-restart offer; negotiation makes it now, or after the
        // exchange in progress (none if that exchange already restarts ICE).
        peerSetup.raise({ type: 'RESTART_ICE' }),
      ],
      after: {
        iceRestartBackoff: [{ guard: 'restartAttemptsLeft', target: 'restarting', reenter: true }, ...connectionLost('peer/ice-failed')],
      },
      on: {
        'PC.CONNECTION_STATE': [
          becomes.connected,
          { description: 'Still trying: the backoff timer decides', actions: 'mirrorConnectionState' },
        ],
        'PC.ICE_CONNECTION_STATE': {
          guard: 'iceConnected',
          target: 'connected',
          actions: assign({ iceConnectionState: ({ event }) => event.state, connectionState: 'connected' }),
        },
      },
    },
  },
});
