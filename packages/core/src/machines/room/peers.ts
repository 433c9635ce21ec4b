import { assign, enqueueActions } from 'xstate';
import type { RelayedMessage } from '../../protocol/index.js';
import { selectPeerView } from '../../selectors/peer.js';
import type { PeerCommandEvent } from '../peer.machine.js';
import { roomSetup, withLevel } from './setup.js';

/** A server message from one peer (the server stamps `from`), relayed to that peer as its event. */
const relay = <T extends RelayedMessage>(toPeer: (message: T) => PeerCommandEvent) =>
  ({
    guard: 'ourRoom',
    actions: { type: 'toPeer', params: ({ event: { message } }: { event: { message: T } }) => ({ peerId: message.from, event: toPeer(message) }) },
  }) as const;

/**
 * The peers and their application data, in every state of the call: each member's peer machine reports here, and
 * what the server relays from a member goes to its peer. Peers come and go in `membership`.
 */
export const peers = roomSetup.createStateConfig({
  on: {
    'PEER.UPDATE': {
      actions: assign(({ context, event: { peerId, snapshot } }) => {
        const entry = context.peers[peerId];
        // The bridge sends the peer's latest snapshot; after the peer was dropped, nothing.
        if (!entry) return {};
        return { peers: { ...context.peers, [peerId]: { ...entry, view: withLevel(selectPeerView(snapshot), entry.view.audioLevel) } } };
      }),
    },
    'PEER.SIGNAL': {
      actions: enqueueActions(({ context, event: { peerId, message }, enqueue }) => {
        if (!context.peers[peerId]) return;
        enqueue({ type: 'toServer', params: { ...message, room: context.room, to: peerId } });
      }),
    },
    'SERVER.offer': relay(({ sdp }) => ({ type: 'SIGNAL.OFFER', sdp })),
    'SERVER.answer': relay(({ sdp }) => ({ type: 'SIGNAL.ANSWER', sdp })),
    'SERVER.candidate': relay(({ candidate }) => ({ type: 'SIGNAL.CANDIDATE', candidate })),
    'SERVER.bye': relay(({ reason }) => ({ type: 'SIGNAL.BYE', reason })),
    // A peer ends only by a hang-up (ours, theirs, or a dismissed failure): it leaves the view.
    'PEER.CLOSED': { actions: { type: 'dropPeers', params: ({ event }) => [event.peerId] } },
    // To the peer they name, which takes them while it is `failed`.
    'PEER.REDIAL': { actions: { type: 'toPeer', params: ({ event: { peerId } }) => ({ peerId, event: { type: 'REDIAL' } }) } },
    'PEER.DISMISS': { actions: { type: 'toPeer', params: ({ event: { peerId } }) => ({ peerId, event: { type: 'DISMISS' } }) } },
    'NETWORK.CHANGED': {
      description: 'Network changed: restart ICE now',
      actions: enqueueActions(({ context, enqueue }) => {
        for (const entry of Object.values(context.peers)) enqueue.sendTo(entry.ref, { type: 'RESTART_ICE' });
      }),
    },
    // Application data: to the peer named, or to every peer; each peer's pc actor checks and sends it.
    'DATA.SEND': {
      actions: enqueueActions(({ context: { peers }, event, enqueue }) => {
        for (const to of event.to === undefined ? Object.keys(peers) : [event.to]) {
          const peer = peers[to];
          if (peer) enqueue.sendTo(peer.ref, event);
          else enqueue.emit({ type: 'data-error', code: 'data/peer-gone', to });
        }
      }),
    },
    // A peer's `data` and `data-error` (from its pc actor, or the peer's own) are the room's events already.
    data: { actions: 'passOn' },
    'data-error': { actions: 'passOn' },
  },
}).on;
