import { and, assign, enqueueActions, not, sendTo, setup, type ActorRefFrom, type AnyActorRef, type SnapshotFrom } from 'xstate';
import { childBridge } from '../actors/child-bridge.js';
import { networkWatcher, type NetworkChangedEvent } from '../actors/network-watcher.js';
import { audioTrack, videoTrack } from '../actors/user-media.js';
import type { RoomCommand } from '../commands.js';
import type { Implementations } from '../implementations.js';
import { PEER_MESSAGE_LIMITS, type ClientMessage, type PeerInfo, type ServerMessage } from '../protocol/index.js';
import { selectPeerView } from '../selectors/peer.js';
import type { ChatEntry, LocalMediaView, PeerView, SignalingView, ViewError } from '../view.js';
import { mediaMachine, selectLocalMedia, type MediaEvent, type MediaRequest, type MediaSnapshot } from './media.machine.js';
import { peerMachine, type LocalMedia, type PeerCommandEvent, type PeerEmitted, type PeerInput } from './peer.machine.js';
import { signalingMachine, type SignalingEmitted, type SignalingTiming } from './signaling.machine.js';

export interface RoomTiming {
  signaling?: Partial<SignalingTiming>;
  peer?: PeerInput['timing'];
}

export interface RoomInput {
  signalingUrl: string;
  room: string;
  name: string;
  ticket?: string;
  media: MediaRequest | false;
  /**
   * Join as soon as media and signaling are ready (the default). `false` stops short in `session.ready`
   * (media live, signaling greeted) until a JOIN command: a pre-join screen, and a call that starts
   * without the socket and greeting round trips.
   */
  autoJoin?: boolean;
  implementations: Implementations;
  /** Overrides the ICE servers the signaling server hands out (and so turns off their renewal). */
  iceServers?: RTCIceServer[];
  /** `relay`: only TURN relay candidates are gathered and signalled, so no local address is revealed. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  timing?: RoomTiming;
}

/** TURN credentials are renewed when this share of their lifetime has passed. */
export const ICE_SERVERS_RENEWAL_AT = 0.75;

/** Chat entries kept (own and received); older ones are dropped first. */
export const CHAT_LOG_LIMIT = 200;

/** A chat entry's id in the log: author and the author's message id (`:` never occurs in a peer id). */
const chatEntryId = (from: string, wireId: string) => `${from}:${wireId}`;

type PeerRef = ActorRefFrom<typeof peerMachine>;
type PeerSnapshot = SnapshotFrom<typeof peerMachine>;

interface PeerEntry {
  info: PeerInfo;
  ref: PeerRef;
  bridge: AnyActorRef;
  view: PeerView;
}

export interface RoomContext extends RoomInput {
  selfId: string | null;
  /** In join order. */
  peers: Record<string, PeerEntry>;
  chat: ChatEntry[];
  chatCount: number;
  /** A room-level failure (join refused, a peer failed); media and signaling trouble come from their own views. */
  error: ViewError | null;
  local: LocalMediaView;
  mediaError: ViewError | null;
  mediaActor: ActorRefFrom<typeof mediaMachine>;
  signalingActor: ActorRefFrom<typeof signalingMachine> | null;
  signalingView: SignalingView;
  joinedIceServers: RTCIceServer[];
  /** Lifetime of the credentials in `joinedIceServers` (from `joined` / `ice-servers`); null: they do not expire. */
  iceServersTtlMs: number | null;
  /** True once `joined` arrived for the current identity: a resume then restores the membership. */
  inRoom: boolean;
  /** Join as soon as signaling and media allow: from `autoJoin`, or once JOIN arrived. */
  joinWanted: boolean;
}

export type RoomEvent =
  | RoomCommand
  | SignalingEmitted
  | { type: 'MEDIA.UPDATE'; snapshot: MediaSnapshot }
  | { type: 'PEER.UPDATE'; peerId: string; snapshot: PeerSnapshot }
  | NetworkChangedEvent
  | PeerEmitted;

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

const JOIN_REF = 'join';
const JOIN_REFUSALS: Partial<Record<string, string>> = {
  unauthorized: 'This room needs a valid invitation. Ask for a new link, then rejoin.',
  'room-full': 'The room is full. Rejoin when someone has left.',
  'too-many-rooms': 'This connection is already in too many rooms. Leave one, then rejoin.',
};

const isMessage = <T extends ServerMessage['type']>(event: RoomEvent, type: T): event is { type: 'SIGNALING.MESSAGE'; message: Extract<ServerMessage, { type: T }> } =>
  event.type === 'SIGNALING.MESSAGE' && event.message.type === type;

/**
 * The event an action or guard is attached to. Each is used on transitions of one event type (and
 * server message) only, so it narrows with a cast instead of checking `event.type` again at run time.
 */
type Ev<T extends RoomEvent['type']> = Extract<RoomEvent, { type: T }>;
const messageOf = <T extends ServerMessage['type']>(event: RoomEvent) =>
  (event as Ev<'SIGNALING.MESSAGE'>).message as Extract<ServerMessage, { type: T }>;
const mediaOf = (event: RoomEvent) => (event as Ev<'MEDIA.UPDATE'>).snapshot;
const statusOf = (event: RoomEvent) => (event as Ev<'SIGNALING.STATUS'>).view.status;
const welcomeOf = (event: RoomEvent) => event as Ev<'SIGNALING.WELCOME'>;
const signalingViewOf = (status: SignalingView['status']): SignalingView => ({ status, attempt: 0, nextRetryAt: null });

/** Server messages relayed to the peer they come from, as that peer's events. */
const RELAYED: Partial<Record<ServerMessage['type'], `SIGNAL.${string}`>> = {
  offer: 'SIGNAL.OFFER',
  answer: 'SIGNAL.ANSWER',
  candidate: 'SIGNAL.CANDIDATE',
  bye: 'SIGNAL.BYE',
};

const dropAllPeers = {
  type: 'dropPeers',
  params: ({ context }: { context: RoomContext }) => ({ ids: Object.keys(context.peers) }),
} as const;

const addNewPeers = {
  type: 'addPeers',
  params: ({ context, event }: { context: RoomContext; event: RoomEvent }) => ({ peers: newPeers(context, event) }),
} as const;

/** Our `joined` (first or re-sent): drop the members it no longer names, call the new ones, enter. */
const reconcileWithJoined = [
  {
    type: 'dropPeers',
    params: ({ context, event }: { context: RoomContext; event: RoomEvent }) => ({ ids: vanishedPeers(context, event) }),
  },
  'enterRoom',
  addNewPeers,
  'syncPeers',
] as const;

/**
 * One call in one room: local media and the signaling connection in parallel, then the join, then one
 * peer machine per member.
 * Takes every RoomCommand in every state; where a command means nothing it is ignored.
 */
export const roomMachine = setup({
  types: { input: {} as RoomInput, context: {} as RoomContext, events: {} as RoomEvent },
  actors: { media: mediaMachine, signaling: signalingMachine, peer: peerMachine, bridge: childBridge, network: networkWatcher },
  delays: {
    iceServersRenewal: ({ context }) => (context.iceServersTtlMs ?? 0) * ICE_SERVERS_RENEWAL_AT,
  },
  guards: {
    mediaSettled: ({ event }) => mediaOf(event).matches('live') || mediaOf(event).matches('receiveOnly'),
    mediaFailed: ({ event }) => mediaOf(event).matches('failed'),
    signalingOpen: ({ context }) => context.signalingView.status === 'open',
    joinWanted: ({ context }) => context.joinWanted,
    ownJoined: ({ context, event }) => isMessage(event, 'joined') && event.message.room === context.room,
    iceServersMessage: ({ event }) => isMessage(event, 'ice-servers'),
    /** The server's ICE servers are in use (not the app's own) and their credentials expire. */
    iceServersExpire: ({ context }) => !context.iceServers && context.iceServersTtlMs !== null,
    joinRefused: ({ event }) => isMessage(event, 'error') && event.message.ref === JOIN_REF,
    signalingLost: ({ event }) => statusOf(event) === 'reconnecting',
    signalingReplaced: ({ event }) => statusOf(event) === 'closed',
    resumed: ({ event }) => welcomeOf(event).resumed,
    /** Same identity, and the server restored our room: it re-sends `joined` next. */
    resumedInRoom: ({ context, event }) => welcomeOf(event).resumed && context.inRoom && welcomeOf(event).rooms.includes(context.room),
    /** Same identity, but the server no longer has us in the room (it restarted): we join it again. */
    resumedOutOfRoom: ({ context, event }) => welcomeOf(event).resumed && context.inRoom,
    peerJoined: ({ context, event }) => isMessage(event, 'peer-joined') && event.message.room === context.room,
    peerLeft: ({ context, event }) => isMessage(event, 'peer-left') && event.message.room === context.room,
  },
  actions: {
    toMedia: sendTo(({ context }) => context.mediaActor, ({ event }) => event as MediaEvent),
    absorbSignaling: assign({ signalingView: ({ event }) => (event as Ev<'SIGNALING.STATUS'>).view }),
    joinRefused: assign(({ event }) => {
      const { code } = messageOf<'error'>(event);
      const message = JOIN_REFUSALS[code] ?? `The server refused to let you in (${code}). Rejoin to try again.`;
      return { error: { code: `join/${code}`, message, actions: ['rejoin'] } satisfies ViewError };
    }),
    absorbMedia: assign(({ event }) => ({ local: selectLocalMedia(mediaOf(event)), mediaError: mediaOf(event).context.error })),
    /** Tells every peer the current local media (a new peer too, right after its spawn); each peer diffs it against what it sends. */
    syncPeers: enqueueActions(({ context, enqueue }) => {
      const media = localMedia(context.local);
      for (const entry of Object.values(context.peers)) enqueue.sendTo(entry.ref, { type: 'LOCAL.MEDIA', ...media });
    }),
    ensureSignaling: assign(({ context, spawn }) => {
      if (context.signalingActor?.getSnapshot().status === 'active') return {};
      const signalingActor = spawn('signaling', {
        input: {
          url: context.signalingUrl,
          createWebSocket: context.implementations.createWebSocket,
          timing: context.timing?.signaling,
        },
      });
      spawn('bridge', { input: { actor: signalingActor, forwardEmitted: true } });
      return { signalingActor, signalingView: signalingViewOf('connecting') };
    }),
    sendJoin: enqueueActions(({ context, enqueue }) => {
      if (!context.signalingActor) return;
      const { room, name, ticket } = context;
      const message: ClientMessage = { type: 'join', room, ref: JOIN_REF, ...(name ? { name } : {}), ...(ticket ? { ticket } : {}) };
      enqueue.sendTo(context.signalingActor, { type: 'SIGNALING.SEND', message });
    }),
    sendLeave: enqueueActions(({ context, enqueue }) => {
      if (context.signalingActor) {
        enqueue.sendTo(context.signalingActor, { type: 'SIGNALING.SEND', message: { type: 'leave', room: context.room } });
      }
    }),
    /** Spawns a peer machine (and its bridge) per member we hold none for. */
    addPeers: assign(({ context, spawn }, { peers }: { peers: { info: PeerInfo; initiator: boolean }[] }) => {
      const fresh = peers.filter(({ info }) => !context.peers[info.id]);
      if (!fresh.length) return {};
      const added: Record<string, PeerEntry> = {};
      for (const { info, initiator } of fresh) {
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
            timing: context.timing?.peer,
          },
        });
        const bridge = spawn('bridge', {
          input: { actor: ref, forwardEmitted: true, toEvent: (snapshot: PeerSnapshot) => ({ type: 'PEER.UPDATE', peerId: info.id, snapshot }) },
        });
        // The peer sends every track of the stream it was given; syncPeers tells it the rest right after.
        added[info.id] = { info, ref, bridge, view: selectPeerView(ref.getSnapshot()) };
      }
      return { peers: { ...context.peers, ...added } };
    }),
    /** Stops peers (their RTCPeerConnections close) and forgets them. */
    dropPeers: enqueueActions(({ context, enqueue }, { ids }: { ids: string[] }) => {
      const gone = ids.filter((id) => context.peers[id]);
      if (!gone.length) return;
      for (const id of gone) {
        enqueue.stopChild((context.peers[id] as PeerEntry).bridge);
        enqueue.stopChild((context.peers[id] as PeerEntry).ref);
      }
      enqueue.assign({ peers: Object.fromEntries(Object.entries(context.peers).filter(([id]) => !gone.includes(id))) });
    }),
    /** JOIN: from now on the room joins whenever it can (also after a signaling outage). */
    wantToJoin: assign({ joinWanted: true }),
    rememberIdentity: assign({ selfId: ({ event }) => welcomeOf(event).peerId }),
    /** Before `addPeers`: the peers it spawns take the ICE servers this `joined` carries. */
    enterRoom: assign(({ event }) => {
      const { self, iceServers, iceServersTtlMs } = messageOf<'joined'>(event);
      return { selfId: self, joinedIceServers: iceServers as RTCIceServer[], iceServersTtlMs: iceServersTtlMs ?? null, inRoom: true, error: null };
    }),
    requestIceServers: enqueueActions(({ context, enqueue }) => {
      if (context.signalingActor) enqueue.sendTo(context.signalingActor, { type: 'SIGNALING.SEND', message: { type: 'refresh-ice-servers' } });
    }),
    /** Fresh credentials: kept for peers spawned later, and applied to every connection (setConfiguration). */
    renewIceServers: enqueueActions(({ context, event, enqueue }) => {
      const { iceServers, iceServersTtlMs } = messageOf<'ice-servers'>(event);
      enqueue.assign({ joinedIceServers: iceServers as RTCIceServer[], iceServersTtlMs: iceServersTtlMs ?? null });
      for (const entry of Object.values(context.peers)) {
        enqueue.sendTo(entry.ref, { type: 'SET_ICE_SERVERS', iceServers: iceServers as RTCIceServer[] });
      }
    }),
    /** The device's network changed (online again, another interface): every peer restarts ICE now. */
    restartIceEverywhere: enqueueActions(({ context, enqueue }) => {
      for (const entry of Object.values(context.peers)) enqueue.sendTo(entry.ref, { type: 'RESTART_ICE' });
    }),
    /** Relays a server message addressed to one peer (by its stamped `from`) to that peer. */
    relayToPeer: enqueueActions(({ context, event, enqueue }) => {
      const message = (event as Ev<'SIGNALING.MESSAGE'>).message;
      const type = RELAYED[message.type];
      const ref = 'from' in message && message.room === context.room ? context.peers[message.from]?.ref : undefined;
      // The message's own fields (sdp, candidate, reason) are the peer event's.
      if (type && ref) enqueue.sendTo(ref, { ...message, type } as unknown as PeerCommandEvent);
    }),
    forwardPeerSignal: enqueueActions(({ context, event, enqueue }) => {
      const { peerId, message } = event as Ev<'PEER.SIGNAL'>;
      if (!context.peers[peerId] || !context.signalingActor) return;
      enqueue.sendTo(context.signalingActor, {
        type: 'SIGNALING.SEND',
        message: { ...message, room: context.room, to: peerId } as ClientMessage,
      });
    }),
    sendChat: enqueueActions(({ context, event, enqueue }) => {
      // The wire's limit (protocol/peer-messages.ts): longer text is cut, not refused.
      const text = (event as Ev<'CHAT.SEND'>).text.trim().slice(0, PEER_MESSAGE_LIMITS.chatText);
      if (!context.selfId || !text) return;
      // On the wire the id only has to be unique per sender (the receiver pairs it with `from`), so
      // it is the message's number: it fits the 64-character limit whatever the length of our peer id.
      const wireId = String(context.chatCount + 1);
      const entry: ChatEntry = {
        id: chatEntryId(context.selfId, wireId),
        from: context.selfId,
        fromName: context.name,
        text,
        at: Date.now(),
        self: true,
      };
      for (const peer of Object.values(context.peers)) {
        enqueue.sendTo(peer.ref, { type: 'CHAT.SEND', id: wireId, text, at: entry.at });
      }
      enqueue.assign({ chat: [...context.chat, entry].slice(-CHAT_LOG_LIMIT), chatCount: context.chatCount + 1 });
    }),
    receiveChat: assign(({ context, event }) => {
      const { peerId, message } = event as Ev<'PEER.CHAT'>;
      const peer = context.peers[peerId];
      const { id, text, at } = message;
      const entryId = chatEntryId(peerId, id);
      if (!peer || context.chat.some((entry) => entry.id === entryId)) return {};
      // The schema already bounds the text by PEER_MESSAGE_LIMITS.chatText.
      const entry: ChatEntry = { id: entryId, from: peerId, fromName: peer.info.name, text, at, self: false };
      return { chat: [...context.chat, entry].slice(-CHAT_LOG_LIMIT) };
    }),
    updatePeerView: assign(({ context, event }) => {
      const { peerId, snapshot } = event as Ev<'PEER.UPDATE'>;
      const entry = context.peers[peerId];
      if (!entry || entry.ref.getSnapshot() !== snapshot) return {};
      return { peers: { ...context.peers, [peerId]: { ...entry, view: selectPeerView(snapshot) } } };
    }),
    /** PEER.REDIAL / PEER.DISMISS: to the peer they name, which takes them while it is `failed`. */
    toPeer: enqueueActions(({ context, event, enqueue }) => {
      const { type, peerId } = event as Ev<'PEER.REDIAL' | 'PEER.DISMISS'>;
      const entry = context.peers[peerId];
      if (entry) enqueue.sendTo(entry.ref, { type: type === 'PEER.REDIAL' ? 'REDIAL' : 'DISMISS' });
    }),
    /** Leaving: a bye to every peer and a leave frame, then the socket closes and the media is released. */
    sayGoodbye: enqueueActions(({ context, enqueue }) => {
      const signaling = context.signalingActor;
      if (signaling) {
        const send = (message: ClientMessage) => enqueue.sendTo(signaling, { type: 'SIGNALING.SEND', message });
        for (const peerId of Object.keys(context.peers)) send({ type: 'bye', room: context.room, to: peerId, reason: 'leave' });
        if (context.inRoom) send({ type: 'leave', room: context.room });
        enqueue.sendTo(signaling, { type: 'SIGNALING.CLOSE' });
      }
      enqueue.sendTo(context.mediaActor, { type: 'MEDIA.RELEASE' });
      enqueue.assign({ signalingView: signalingViewOf('closed'), inRoom: false });
    }),
  },
}).createMachine({
  id: 'room',
  invoke: { src: 'network', input: ({ context }) => ({ watchNetwork: context.implementations.watchNetwork }) },
  context: ({ input, spawn }) => {
    const mediaActor = spawn('media', {
      input: {
        request: input.media,
        getUserMedia: input.implementations.getUserMedia,
        getDisplayMedia: input.implementations.getDisplayMedia,
      },
    });
    spawn('bridge', { input: { actor: mediaActor, toEvent: (snapshot: MediaSnapshot) => ({ type: 'MEDIA.UPDATE', snapshot }) } });
    return {
      ...input,
      selfId: null,
      peers: {},
      chat: [],
      chatCount: 0,
      error: null,
      local: selectLocalMedia(mediaActor.getSnapshot()),
      mediaError: null,
      mediaActor,
      signalingActor: null,
      signalingView: signalingViewOf('closed'),
      joinedIceServers: [],
      iceServersTtlMs: null,
      inRoom: false,
      joinWanted: input.autoJoin ?? true,
    };
  },
  initial: 'media',
  on: {
    'MEDIA.UPDATE': { actions: ['absorbMedia', 'syncPeers'] },
    'MEDIA.*': { actions: 'toMedia' },
    'MIC.*': { actions: 'toMedia' },
    'CAMERA.*': { actions: 'toMedia' },
    'SCREEN.*': { actions: 'toMedia' },
    'SIGNALING.RETRY_NOW': {
      actions: enqueueActions(({ context, enqueue }) => {
        if (context.signalingActor) enqueue.sendTo(context.signalingActor, { type: 'SIGNALING.RETRY_NOW' });
      }),
    },
    'SIGNALING.STATUS': { actions: 'absorbSignaling' },
    'PEER.UPDATE': { actions: 'updatePeerView' },
    'PEER.SIGNAL': { actions: 'forwardPeerSignal' },
    'PEER.CHAT': { actions: 'receiveChat' },
    // A peer ends only by a hang-up (ours, theirs, or a dismissed failure): it leaves the view.
    'PEER.CLOSED': { actions: { type: 'dropPeers', params: ({ event }) => ({ ids: [event.peerId] }) } },
    'PEER.REDIAL': { actions: 'toPeer' },
    'PEER.DISMISS': { actions: 'toPeer' },
    'CHAT.SEND': { actions: 'sendChat' },
    'NETWORK.CHANGED': {
      description: 'Network changed: restart ICE now',
      actions: 'restartIceEverywhere',
    },
    // Before `session.ready` (media or signaling still on their way): join as soon as they are.
    JOIN: { actions: 'wantToJoin' },
    LEAVE: '.left',
  },
  states: {
    /**
     * Camera and microphone settle (live or receive-only) before we join, so peers start with the final
     * stream. Signaling connects meanwhile (a permission prompt overlaps the connect); `join` waits.
     */
    media: {
      entry: 'ensureSignaling',
      initial: 'acquiring',
      on: {
        'MEDIA.UPDATE': [
          {
            guard: and(['mediaSettled', 'signalingOpen', 'joinWanted']),
            target: 'session.joining',
            description: 'Greeted meanwhile: join now',
            actions: 'absorbMedia',
          },
          {
            guard: and(['mediaSettled', 'signalingOpen']),
            target: 'session.ready',
            description: 'autoJoin: false: wait for JOIN',
            actions: 'absorbMedia',
          },
          { guard: 'mediaSettled', target: 'session', actions: 'absorbMedia' },
          { guard: 'mediaFailed', target: '.error', actions: 'absorbMedia' },
          { actions: 'absorbMedia' },
        ],
        // The identity is ours from the welcome on; we join once media has settled.
        'SIGNALING.WELCOME': { actions: 'rememberIdentity' },
      },
      states: {
        acquiring: {},
        /** The media error is shown with its ways out (retry, audio-only, receive-only). */
        error: {},
      },
    },
    session: {
      entry: 'ensureSignaling',
      initial: 'connecting',
      on: {
        'SIGNALING.STATUS': [
          { guard: 'signalingLost', target: '.reconnecting', actions: 'absorbSignaling' },
          {
            // Our identity was taken over by a newer socket (another tab resumed it).
            guard: 'signalingReplaced',
            target: 'failed',
            actions: [
              'absorbSignaling',
              assign({
                error: {
                  code: 'signaling/replaced',
                  message: 'This call continued in another tab or window. Rejoin to continue here.',
                  actions: ['rejoin'],
                },
              }),
            ],
          },
          { actions: 'absorbSignaling' },
        ],
        // In every substate: what the server says about the members. Substates take `joined` first.
        'SIGNALING.MESSAGE': [
          {
            guard: 'ownJoined',
            actions: reconcileWithJoined,
          },
          {
            guard: 'peerJoined',
            // A member we still hold (its identity survived a server restart) keeps its connection.
            actions: [{ type: 'addPeers', params: ({ event }) => ({ peers: [{ info: messageOf<'peer-joined'>(event).peer, initiator: false }] }) }, 'syncPeers'],
          },
          {
            guard: 'peerLeft',
            actions: { type: 'dropPeers', params: ({ event }) => ({ ids: [messageOf<'peer-left'>(event).peerId] }) },
          },
          { actions: 'relayToPeer' },
        ],
      },
      states: {
        connecting: {
          on: {
            'SIGNALING.WELCOME': [
              { guard: 'joinWanted', target: 'joining', actions: 'rememberIdentity' },
              { target: 'ready', actions: 'rememberIdentity' },
            ],
          },
        },
        /** Media live and signaling greeted; the join waits for JOIN (createRoom's `autoJoin: false`). */
        ready: {
          on: { JOIN: { target: 'joining', actions: 'wantToJoin' } },
        },
        joining: {
          entry: 'sendJoin',
          on: {
            'SIGNALING.MESSAGE': [
              {
                guard: 'ownJoined',
                target: 'joined',
                actions: ['enterRoom', addNewPeers, 'syncPeers'],
              },
              { guard: 'joinRefused', target: '#room.failed', actions: 'joinRefused' },
            ],
          },
        },
        joined: {
          initial: 'iceServersValid',
          states: {
            iceServersValid: {
              after: {
                iceServersRenewal: {
                  guard: 'iceServersExpire',
                  target: 'renewingIceServers',
                  description: 'Renew TURN credentials',
                },
              },
            },
            renewingIceServers: {
              entry: 'requestIceServers',
              on: {
                'SIGNALING.MESSAGE': {
                  guard: 'iceServersMessage',
                  target: 'iceServersValid',
                  description: 'setConfiguration on every peer',
                  actions: 'renewIceServers',
                },
              },
            },
          },
          on: {
            REJOIN: {
              target: 'joining',
              actions: [
                dropAllPeers,
                'sendLeave',
                assign({ error: null, inRoom: false }),
              ],
            },
          },
        },
        /** Signaling lost: peers keep their media flowing; messages for the server wait in its queue. */
        reconnecting: {
          on: {
            'SIGNALING.WELCOME': [
              // The server restored our rooms and re-sends `joined` for each.
              { guard: 'resumedInRoom', target: 'resuming' },
              // Our identity survived a server restart, the room did not: join again, keeping the peers.
              { guard: 'resumedOutOfRoom', target: 'rejoining' },
              // Lost before JOIN was asked for: back to waiting for it, under whatever identity we got.
              { guard: not('joinWanted'), target: 'ready', actions: 'rememberIdentity' },
              // Resumed before our join was answered: ask again (a repeated join is answered too).
              { guard: 'resumed', target: 'joining' },
              // A new identity: every peer knew the old one, so start over in the room.
              {
                target: 'joining',
                actions: [
                  dropAllPeers,
                  assign({ selfId: ({ event }) => event.peerId, inRoom: false }),
                ],
              },
            ],
          },
        },
        /**
         * Same identity after a server restart: the room is joined again. The server's member list is
         * rebuilt as the others come back, so `joined` adds peers but drops none; peers that never come
         * back end by their own connection's recovery (ICE restarts, redials, then `failed`).
         */
        rejoining: {
          entry: 'sendJoin',
          on: {
            'SIGNALING.MESSAGE': [
              {
                guard: 'ownJoined',
                target: 'joined',
                description: 'Keep our peers, call new ones',
                actions: ['enterRoom', addNewPeers, 'syncPeers'],
              },
              { guard: 'joinRefused', target: '#room.failed', actions: 'joinRefused' },
            ],
          },
        },
        /** Back on the same identity: waiting for the re-sent `joined` to reconcile the peers. */
        resuming: {
          on: {
            'SIGNALING.MESSAGE': {
              guard: 'ownJoined',
              target: 'joined',
              actions: reconcileWithJoined,
            },
          },
        },
      },
    },
    failed: {
      entry: [dropAllPeers, assign({ inRoom: false })],
      on: {
        REJOIN: [
          // Signaling still open (the join was refused): just ask again.
          { guard: 'signalingOpen', target: 'session.joining', actions: assign({ error: null }) },
          { target: 'session', actions: assign({ error: null }) },
        ],
      },
    },
    left: {
      type: 'final',
      entry: ['sayGoodbye', dropAllPeers],
    },
  },
});

/** Members we hold a peer for that a `joined` list no longer names (they left while we were away). */
function vanishedPeers(context: RoomContext, event: RoomEvent): string[] {
  const listed = new Set(messageOf<'joined'>(event).peers.map((peer) => peer.id));
  return Object.keys(context.peers).filter((id) => !listed.has(id));
}

/**
 * Members of a `joined` list we hold no peer for. The newcomer (impolite side) calls: true for every
 * member found on joining; false for one that joined while we were away (it calls us).
 */
function newPeers(context: RoomContext, event: RoomEvent): { info: PeerInfo; initiator: boolean }[] {
  return messageOf<'joined'>(event).peers.filter((info) => !context.peers[info.id]).map((info) => ({ info, initiator: !info.polite }));
}

export type RoomSnapshot = SnapshotFrom<typeof roomMachine>;
