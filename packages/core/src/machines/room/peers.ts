import { assign, enqueueActions } from 'xstate';
import { PEER_MESSAGE_LIMITS, type RelayedMessage } from '../../protocol/index.js';
import { selectPeerView } from '../../selectors/peer.js';
import type { ChatEntry } from '../../view.js';
import type { PeerCommandEvent } from '../peer.machine.js';
import { roomSetup, withLevel } from './setup.js';
import { CHAT_LOG_LIMIT } from './types.js';

/** A chat entry's id in the log: author and the author's message id (`:` never occurs in a peer id). */
const chatEntryId = (from: string, wireId: string) => `${from}:${wireId}`;

/** A server message from one peer (the server stamps `from`), relayed to that peer as its event. */
const relay = <T extends RelayedMessage>(toPeer: (message: T) => PeerCommandEvent) =>
  ({
    guard: 'ourRoom',
    actions: { type: 'toPeer', params: ({ event: { message } }: { event: { message: T } }) => ({ peerId: message.from, event: toPeer(message) }) },
  }) as const;

/**
 * The peers and the chat, in every state of the call: each member's peer machine reports here, and
 * what the server relays from a member goes to its peer. Peers come and go in `membership`.
 */
export const peers = roomSetup.createStateConfig({
  on: {
    'PEER.UPDATE': {
      actions: assign(({ context, event: { peerId, snapshot } }) => {
        const entry = context.peers[peerId];
        if (!entry || entry.ref.getSnapshot() !== snapshot) return {};
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
    'PEER.CHAT': {
      actions: assign(({ context, event: { peerId, message } }) => {
        const peer = context.peers[peerId];
        const { id, text, at } = message;
        const entryId = chatEntryId(peerId, id);
        if (!peer || context.chat.some((entry) => entry.id === entryId)) return {};
        // The schema already bounds the text by PEER_MESSAGE_LIMITS.chatText.
        const entry: ChatEntry = { id: entryId, from: peerId, fromName: peer.info.name, text, at, self: false };
        return { chat: [...context.chat, entry].slice(-CHAT_LOG_LIMIT) };
      }),
    },
    'CHAT.SEND': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        // The wire's limit (protocol/peer-messages.ts): longer text is cut, not refused.
        const text = event.text.trim().slice(0, PEER_MESSAGE_LIMITS.chatText);
        if (!context.selfId || !text) return;
        // On the wire the id only has to be unique per sender (the receiver pairs it with `from`), so
        // it is the message's number: it fits the 64-character limit whatever the length of our peer id.
        const wireId = String(context.chatCount + 1);
        const entry: ChatEntry = { id: chatEntryId(context.selfId, wireId), from: context.selfId, fromName: context.name, text, at: Date.now(), self: true };
        for (const peer of Object.values(context.peers)) {
          enqueue.sendTo(peer.ref, { type: 'CHAT.SEND', id: wireId, text, at: entry.at });
        }
        enqueue.assign({ chat: [...context.chat, entry].slice(-CHAT_LOG_LIMIT), chatCount: context.chatCount + 1 });
      }),
    },
  },
}).on;
