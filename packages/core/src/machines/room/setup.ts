import { assign, emit, enqueueActions, sendTo, setup } from 'xstate';
import { audioLevels } from '../../actors/audio-levels.js';
import { childBridge } from '../../actors/child-bridge.js';
import { networkWatcher } from '../../actors/network-watcher.js';
import { audioTrack, videoTrack } from '../../actors/user-media.js';
import type { ClientMessage, IceServersMessage, JoinedMessage } from '../../protocol/index.js';
import { selectPeerView } from '../../selectors/peer.js';
import type { LocalMediaView, SignalingView, ViewError } from '../../view.js';
import { mediaMachine, selectLocalMedia, type MediaEvent, type MediaSnapshot } from '../media.machine.js';
import { peerMachine, type LocalMedia, type PeerCommandEvent } from '../peer.machine.js';
import { signalingMachine } from '../signaling.machine.js';
import { ICE_SERVERS_RENEWAL_AT, type NewPeer, type PeerEntry, type PeerSnapshot, type RoomContext, type RoomEmitted, type RoomEvent, type RoomInput } from './types.js';

/** The `ref` of our join request: the server's error answering it carries it. */
export const JOIN_REF = 'join';

/** What the signaling actor reports when it starts (its own first report comes before the bridge listens). */
export const CONNECTING: SignalingView = { status: 'connecting', attempt: 0, nextRetryAt: null };

export const signalingInput = ({ signalingUrl, implementations, timing }: RoomInput) => ({
  url: signalingUrl,
  createWebSocket: implementations.createWebSocket,
  timing: timing?.signaling,
});

/** The local media as every peer should send it (the media machine owns it; mute is `track.enabled` there). */
function localMedia(local: LocalMediaView): LocalMedia {
  const screen = videoTrack(local.screenStream);
  return {
    audio: audioTrack(local.stream),
    video: videoTrack(local.stream),
    stream: local.stream,
    screen: screen && local.screenStream ? { track: screen, stream: local.screenStream } : null,
    audioMuted: local.micMuted,
    videoOff: local.cameraOff,
  };
}

/** `view` with `level` (0 when unknown), the same object when that is its level already. */
export const withLevel = <V extends { audioLevel: number }>(view: V, level = 0): V => (view.audioLevel === level ? view : { ...view, audioLevel: level });

/** The room machine's implementations, shared by its region files. */
export const roomSetup = setup({
  types: {} as { input: RoomInput; context: RoomContext; events: RoomEvent; emitted: RoomEmitted },
  actors: { media: mediaMachine, signaling: signalingMachine, peer: peerMachine, bridge: childBridge, network: networkWatcher, audioLevels },
  delays: {
    iceServersRenewal: ({ context }) => (context.iceServersTtlMs ?? 0) * ICE_SERVERS_RENEWAL_AT,
  },
  guards: {
    mediaSettled: (_, snapshot: MediaSnapshot) => snapshot.matches('live') || snapshot.matches('receiveOnly'),
    mediaFailed: (_, snapshot: MediaSnapshot) => snapshot.matches('failed'),
    /** A server message about our room (not another one the same socket is in). */
    ourRoom: ({ context, event }) => 'message' in event && 'room' in event.message && event.message.room === context.room,
    /** The server's ICE servers are in use (not the app's own) and their credentials expire. */
    iceServersExpire: ({ context }) => !context.iceServers && context.iceServersTtlMs !== null,
    joinRefused: ({ event }) => event.type === 'SERVER.error' && event.message.ref === JOIN_REF,
    /** `reconnecting`: the socket was lost; `closed`: our identity was taken over by a newer socket (another tab resumed it). */
    signalingIs: ({ event }, status: SignalingView['status']) => event.type === 'SIGNALING.STATUS' && event.view.status === status,
    resumed: ({ event }) => event.type === 'SIGNALING.WELCOME' && event.resumed,
    /** Same identity, and the server restored our room: it re-sends `joined` next. */
    roomRestored: ({ context, event }) => event.type === 'SIGNALING.WELCOME' && event.resumed && event.rooms.includes(context.room),
    autoJoin: ({ context }) => context.autoJoin ?? true,
  },
  actions: {
    /** A peer's application-data event, emitted to the app as it is (`actor.on('data')`). */
    passOn: emit(({ event }) => event as RoomEmitted),
    toMedia: sendTo(({ context }) => context.mediaActor, (_, event: MediaEvent) => event),
    toServer: sendTo(({ context }) => context.signalingActor, (_, message: ClientMessage) => ({ type: 'SIGNALING.SEND' as const, message })),
    toSignaling: sendTo(({ context }) => context.signalingActor, (_, event: { type: 'SIGNALING.RETRY_NOW' | 'SIGNALING.CLOSE' }) => event),
    /** A new signaling actor (the old one ended) and its bridge. */
    connectSignaling: assign(({ context, spawn }) => {
      const signalingActor = spawn('signaling', { input: signalingInput(context) });
      spawn('bridge', { input: { actor: signalingActor } });
      return { signalingActor, signalingView: CONNECTING };
    }),
    showSignaling: assign((_, signalingView: SignalingView) => ({ signalingView })),
    toPeer: enqueueActions(({ context, enqueue }, { peerId, event }: { peerId: string; event: PeerCommandEvent }) => {
      const entry = context.peers[peerId];
      if (entry) enqueue.sendTo(entry.ref, event);
    }),
    absorbMedia: assign(({ context }, snapshot: MediaSnapshot) => ({
      local: withLevel(selectLocalMedia(snapshot), context.local.audioLevel),
      mediaError: snapshot.context.error,
    })),
    /** Tells every peer the current local media (a new peer too, right after its spawn); each peer diffs it against what it sends. */
    syncPeers: enqueueActions(({ context, enqueue }) => {
      const media = localMedia(context.local);
      for (const entry of Object.values(context.peers)) enqueue.sendTo(entry.ref, { type: 'LOCAL.MEDIA', ...media });
    }),
    /** Spawns a peer machine (and its bridge) per member we hold none for. */
    addPeers: assign(({ context, spawn, self }, peers: NewPeer[]) => {
      const added: Record<string, PeerEntry> = {};
      for (const { info, initiator } of peers) {
        if (context.peers[info.id]) continue;
        const ref = spawn('peer', {
          id: `peer-${info.id}`,
          input: {
            peerId: info.id,
            name: info.name,
            polite: info.polite,
            initiator,
            iceServers: context.iceServers ?? context.joinedIceServers,
            iceTransportPolicy: context.iceTransportPolicy ?? 'all',
            localStream: context.local.stream,
            createPeerConnection: context.implementations.createPeerConnection,
            // Straight from the peer's pc actor: it still reaches us after the peer itself ended.
            onAppData: (event) => self.send(event),
            timing: context.timing?.peer,
          },
        });
        // The peer's snapshots only refresh its view here: the latest once per task, off the handshake's path.
        const bridge = spawn('bridge', {
          input: {
            actor: ref,
            latestPerTask: true,
            toEvent: (snapshot: PeerSnapshot) => ({ type: 'PEER.UPDATE', peerId: info.id, snapshot }),
          },
        });
        // The peer sends every track of the stream it was given; syncPeers tells it the rest right after.
        added[info.id] = { info, ref, bridge, view: selectPeerView(ref.getSnapshot()) };
      }
      return { peers: { ...context.peers, ...added } };
    }),
    /** Stops peers (their RTCPeerConnections close) and forgets them; all of them without `ids`. */
    dropPeers: enqueueActions(({ context, enqueue }, ids?: string[]) => {
      const peers = { ...context.peers };
      for (const [id, { ref, bridge }] of Object.entries(peers)) {
        if (ids && !ids.includes(id)) continue;
        enqueue.stopChild(bridge);
        enqueue.stopChild(ref);
        delete peers[id];
      }
      enqueue.assign({ peers });
    }),
    /** Before `addPeers`: the peers it spawns take the ICE servers this `joined` carries. */
    enterRoom: assign((_, { self, iceServers, iceServersTtlMs }: JoinedMessage) => ({
      selfId: self,
      joinedIceServers: iceServers,
      iceServersTtlMs: iceServersTtlMs ?? null,
      error: null,
    })),
    /** Fresh credentials: kept for peers spawned later, and applied to every connection (setConfiguration). */
    renewIceServers: enqueueActions(({ context, enqueue }, { iceServers, iceServersTtlMs }: IceServersMessage) => {
      enqueue.assign({ joinedIceServers: iceServers, iceServersTtlMs: iceServersTtlMs ?? null });
      for (const entry of Object.values(context.peers)) {
        enqueue.sendTo(entry.ref, { type: 'SET_ICE_SERVERS', iceServers });
      }
    }),
    /** A room-level failure: shown with the way back in. */
    fail: assign((_, error: ViewError) => ({ error })),
  },
});

/** Members of a `joined` list we hold a peer for that it no longer names (they left while we were away). */
export const vanishedPeers = (context: RoomContext, { peers }: JoinedMessage) =>
  Object.keys(context.peers).filter((id) => !peers.some((peer) => peer.id === id));

/**
 * The members of a `joined` list, to call (addPeers skips those we hold a peer for). The newcomer
 * (impolite side) calls: true for every member found on joining; false for one that joined while we
 * were away (it calls us).
 */
export const membersOf = ({ peers }: JoinedMessage): NewPeer[] => peers.map((info) => ({ info, initiator: !info.polite }));
