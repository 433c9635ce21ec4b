/**
 * # peerMachine — one WebRTC connection to one remote participant, as a statechart
 *
 * The room spawns one per remote peer. Every WebRTC step is a state (or a named transition), so the
 * Stately inspector shows exactly where a call is. Side effects live in the invoked `pc` actor
 * (`actors/peer-connection.ts`), driven by `PC.*` commands (`sendTo('pc', …)`) and answering with
 * `PC.*` events; the machine itself is pure and can be stepped with `transition()`.
 *
 * ## States
 * ```
 * peer
 * ├─ active                       (invokes `pc`; HANGUP / SIGNAL.BYE → closed from anywhere in here)
 * │  ├─ creatingPeerConnection    RTCPeerConnection built with the input's ICE servers → PC.CREATED
 * │  └─ session (parallel)
 * │     ├─ negotiation            offer/answer with perfect negotiation (W3C webrtc-pc §10.7 example)
 * │     │  ├─ stable              idle; PC.NEGOTIATION_NEEDED / RENEGOTIATE → creatingOffer (if it may offer)
 * │     │  ├─ creatingOffer       makingOffer; createOffer({iceRestart})
 * │     │  ├─ settingLocalOffer   makingOffer; setLocalDescription(offer) → (sendingOffer: PEER.SIGNAL offer)
 * │     │  ├─ awaitingAnswer      have-local-offer
 * │     │  ├─ settingRemoteAnswer setRemoteDescription(answer) → stable (or a pending new offer)
 * │     │  ├─ settingRemoteOffer  setRemoteDescription(offer) (implicit rollback of a local offer)
 * │     │  ├─ creatingAnswer      createAnswer()
 * │     │  └─ settingLocalAnswer  setLocalDescription(answer) → (sendingAnswer: PEER.SIGNAL answer) → stable
 * │     ├─ connection             health, from connectionState
 * │     │  ├─ new → connecting → connected (stats polling)
 * │     │  ├─ disconnected        grace timer → restarting
 * │     │  └─ restarting          restartIce() (the pc then asks for negotiation: an ICE-restart offer);
 * │     │                         exponential backoff; bounded attempts → closed (peer/ice-failed)
 * │     └─ channel                negotiated data channel (id 0)
 * │        ├─ connecting
 * │        └─ open                chat + media-state; outbox flushed on open
 * └─ closed (final)               PEER.CLOSED sent; output { peerId, reason }; the pc actor is stopped
 * ```
 *
 * ## Perfect negotiation
 * `polite` comes from the input. A remote offer that arrives while this side is making an offer or
 * holds a local offer (creatingOffer, settingLocalOffer, awaitingAnswer) is a collision: the
 * impolite side ignores it (`ignoreOffer`, its candidates' errors swallowed), the polite side
 * applies it (setRemoteDescription rolls the local offer back) and answers. A remote offer during
 * settingRemoteAnswer is *not* a collision (isSettingRemoteAnswerPending): it is applied after the
 * answer. Stray offers while answering and answers outside awaitingAnswer are ignored on purpose.
 * Local changes (tracks, screen, ICE restart, RENEGOTIATE) arriving mid-negotiation set
 * `negotiationPending`; the next return to stable turns it into a new offer, so every change is
 * negotiated and simultaneous offers always converge.
 *
 * The initiator starts its first offer on PC.CREATED (its tracks are added by then) instead of
 * waiting for the browser's negotiationneeded task; negotiationneeded is taken in `stable` only, and
 * browsers fire it only if still needed once the exchange is over, so it adds no second offer.
 * A non-initiator makes no offer before the first exchange is over (it waits for the remote offer);
 * after that either side may offer. `RESTART_ICE` / `RENEGOTIATE` start an offer at once when
 * stable, otherwise right after the exchange in progress.
 *
 * ## Hang-up and failure
 * HANGUP sends `bye` and closes; SIGNAL.BYE closes (`remote-hangup`); connectionState `closed` or
 * the data channel closing after it was open closes with `peer/transport-lost`; a failed
 * createOffer/createAnswer/set*Description with `peer/negotiation-failed` (and a `bye`); a
 * connection that cannot be built with `peer/create-failed`.
 *
 * ## Invariants (checked by peer.properties.test.ts over thousands of random event sequences)
 * - No event sequence throws; events a state cannot take are ignored.
 * - `closed` is absorbing (final; the pc actor is stopped, so its listeners and timers are gone).
 * - A remote candidate is never applied before a remote description exists: earlier ones are
 *   buffered in `remoteCandidates` and applied, in arrival order, right after the first remote answer
 *   is set or right after our answer to the first remote offer is sent (so createAnswer does not wait
 *   behind addIceCandidate); candidates arriving meanwhile join the buffer.
 * - A local candidate is never signalled before the description it belongs to: ones gathered while
 *   a local description is being made are held in `localCandidates` and sent right after it.
 * - An answer is only applied in awaitingAnswer (have-local-offer), never in stable.
 * - HANGUP leads from every non-final state to `closed`, sending `bye`.
 *
 * ## Parent messages (sendParent)
 * `PEER.SIGNAL {peerId, message: offer|answer|candidate|bye}`, `PEER.CHAT {peerId, message}`,
 * `PEER.CLOSED {peerId, reason}`.
 */
import { and, assign, enqueueActions, not, raise, setup, type ActorRefFrom } from 'xstate';
import {
  peerConnectionActor,
  type MediaKind,
  type PcCommand,
  type PcEvent,
  type PcOperation,
  type PeerConnectionInput,
  type SessionDescription,
} from '../actors/peer-connection.js';
import { peerError, type PeerError, type PeerErrorCode } from '../errors.js';
import type { ChatPeerMessage, MediaStatePeerMessage } from '../protocol/peer-messages.js';
import type { StatsSample } from '../view.js';

export interface PeerTiming {
  /** How long `disconnected` may last before an ICE restart (it often recovers by itself). */
  disconnectedGraceMs: number;
  /** ICE restarts tried on the same RTCPeerConnection before redialling it. */
  iceRestartMaxAttempts: number;
  /** Wait after the first restart; doubles per attempt. */
  iceRestartBaseDelayMs: number;
  /** Fresh RTCPeerConnections tried (each a new negotiation) before the peer is shown as failed. */
  redialMaxAttempts: number;
  /** Wait before the first redial; doubles per attempt. */
  redialBaseDelayMs: number;
  statsIntervalMs: number;
}

export const DEFAULT_PEER_TIMING: PeerTiming = {
  disconnectedGraceMs: 2_000,
  iceRestartMaxAttempts: 4,
  iceRestartBaseDelayMs: 1_000,
  redialMaxAttempts: 2,
  redialBaseDelayMs: 1_000,
  statsIntervalMs: 1_000,
};

/** What this side sends the remote; the peer owns it, so a redialled connection starts with the same. */
export interface Sending {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** The camera + microphone stream the tracks are announced in. */
  stream: MediaStream | null;
  screen: { track: MediaStreamTrack; stream: MediaStream } | null;
}

/** How many stats samples the context keeps (a minute at the default interval). */
export const STATS_HISTORY = 60;
/** Chat messages kept while the data channel is not open yet; the oldest go first past it. */
export const OUTBOX_LIMIT = 50;

export interface PeerInput {
  /** The REMOTE peer. */
  peerId: string;
  name: string;
  /** This side's perfect-negotiation role. */
  polite: boolean;
  /** True: make the first offer at once; false: wait for the remote offer. A redialled connection: the impolite side. */
  initiator: boolean;
  iceServers: RTCIceServer[];
  /** `relay`: only relay candidates (no local address revealed). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Camera + microphone tracks to send from the start (null = receive-only). */
  localStream: MediaStream | null;
  createPeerConnection: PeerConnectionInput['createPeerConnection'];
  timing?: Partial<PeerTiming>;
}

/** What travels to the remote peer through the room and the signaling server. */
export type SignalMessage =
  | { type: 'offer'; sdp: string }
  | { type: 'answer'; sdp: string }
  | { type: 'candidate'; candidate: RTCIceCandidateInit | null }
  | { type: 'bye'; reason?: string };

export type ChatMessage = Omit<ChatPeerMessage, 'type'>;
export type MediaState = Pick<MediaStatePeerMessage, 'audioMuted' | 'videoOff' | 'screen'>;

/** Messages the peer sends its parent (the room). */
export type PeerParentMessage =
  | { type: 'PEER.SIGNAL'; peerId: string; message: SignalMessage }
  | { type: 'PEER.CHAT'; peerId: string; message: ChatMessage }
  | { type: 'PEER.CLOSED'; peerId: string; reason: PeerCloseReason };

/** Why a peer ended. Failures do not end it: a failed peer stays (state `failed`) until redialled or dismissed. */
export type PeerCloseReason =
  | 'hangup' // HANGUP or DISMISS here
  | 'remote-hangup'; // bye from the remote

export interface PeerOutput {
  peerId: string;
  reason: PeerCloseReason;
}

/** Events the peer takes from its parent. */
export type PeerCommandEvent =
  | { type: 'SIGNAL.OFFER'; sdp: string }
  | { type: 'SIGNAL.ANSWER'; sdp: string }
  | { type: 'SIGNAL.CANDIDATE'; candidate: RTCIceCandidateInit | null }
  | { type: 'SIGNAL.BYE'; reason?: string }
  | { type: 'LOCAL.SET_TRACK'; kind: MediaKind; track: MediaStreamTrack | null; stream: MediaStream | null }
  | { type: 'LOCAL.ADD_SCREEN'; track: MediaStreamTrack; stream: MediaStream }
  | { type: 'LOCAL.REMOVE_SCREEN' }
  | ({ type: 'LOCAL.MEDIA_STATE' } & MediaState)
  | ({ type: 'CHAT.SEND' } & ChatMessage)
  | { type: 'HANGUP'; reason?: string }
  /** In `failed`: try again with a fresh RTCPeerConnection (the remote is asked to start over too). */
  | { type: 'REDIAL' }
  /** In `failed`: give up on this peer (a bye tells the remote). */
  | { type: 'DISMISS' }
  | { type: 'RESTART_ICE' }
  /** Renewed ICE servers (fresh TURN credentials): applied with setConfiguration, used by later gathering. */
  | { type: 'SET_ICE_SERVERS'; iceServers: RTCIceServer[] }
  | { type: 'RENEGOTIATE' };

export type PeerEvent = PeerCommandEvent | PcEvent;

export interface RemoteStream {
  id: string;
  stream: MediaStream;
  trackIds: string[];
}

export interface RemoteMediaState extends MediaState {
  cameraStreamId: string | null;
  screenStreamId: string | null;
}

export interface PeerContext extends Omit<PeerInput, 'timing'> {
  /** The input's timing over DEFAULT_PEER_TIMING. */
  timing: PeerTiming;

  // negotiation
  /** At least one offer/answer exchange completed (a non-initiator may offer only after that). */
  hasNegotiated: boolean;
  hasRemoteDescription: boolean;
  /** Impolite side: the last remote offer collided with ours and was ignored. */
  ignoreOffer: boolean;
  /** A change needs negotiating once the current exchange is over. */
  negotiationPending: boolean;
  /** The next offer must restart ICE. */
  iceRestartPending: boolean;
  /** The offer/answer exchange in progress restarts ICE (ours with new credentials, or theirs). */
  exchangeRestartsIce: boolean;
  /** ICE username fragment of the last remote description: a new one in an offer means they restart ICE. */
  remoteIceUfrag: string | null;
  /** The description being applied or set (offer or answer, local or remote). */
  localDescription: SessionDescription | null;
  remoteDescription: SessionDescription | null;
  /** A remote offer that arrived before the RTCPeerConnection existed. */
  earlyOffer: string | null;
  /** Remote candidates that arrived before any remote description. */
  remoteCandidates: Array<RTCIceCandidateInit | null>;
  /** Local candidates gathered while the description they belong to was not sent yet. */
  localCandidates: Array<RTCIceCandidateInit | null>;
  /**
   * Our current offer or answer went out, so new local candidates may follow it directly; false
   * while a new local description is being made (from creatingOffer or settingRemoteOffer on).
   */
  sentDescription: boolean;
  candidateErrors: number;

  // mirrored RTCPeerConnection states
  connectionState: RTCPeerConnectionState;
  iceConnectionState: RTCIceConnectionState;
  signalingState: RTCSignalingState;
  iceRestartAttempts: number;
  /** Fresh RTCPeerConnections made since the last time one connected. */
  redialAttempts: number;

  // media
  sending: Sending;
  /** Kinds with a camera/microphone sender (replaceTrack is enough for them). */
  localSenders: Record<MediaKind, boolean>;
  localMediaState: MediaState;
  remoteStreams: RemoteStream[];
  remoteMedia: RemoteMediaState;

  // data channel
  outbox: ChatMessage[];
  invalidMessages: number;

  stats: StatsSample[];
  error: PeerError | null;
  closeReason: PeerCloseReason | null;
}

const trackOf = (stream: MediaStream | null, kind: MediaKind) => stream?.getTracks().find((track) => track.kind === kind) ?? null;

function initialContext({ timing, ...input }: PeerInput): PeerContext {
  const sending: Sending = { audio: trackOf(input.localStream, 'audio'), video: trackOf(input.localStream, 'video'), stream: input.localStream, screen: null };
  return {
    ...input,
    timing: { ...DEFAULT_PEER_TIMING, ...timing },
    sending,
    redialAttempts: 0,
    localMediaState: { audioMuted: false, videoOff: false, screen: false },
    outbox: [],
    closeReason: null,
    ...freshConnection(sending),
  };
}

/** Everything that belongs to one RTCPeerConnection: a redial starts from this again. */
function freshConnection(sending: Sending) {
  return {
    hasNegotiated: false,
    hasRemoteDescription: false,
    ignoreOffer: false,
    negotiationPending: false,
    iceRestartPending: false,
    exchangeRestartsIce: false,
    remoteIceUfrag: null,
    localDescription: null,
    remoteDescription: null,
    earlyOffer: null,
    remoteCandidates: [],
    localCandidates: [],
    sentDescription: false,
    candidateErrors: 0,
    connectionState: 'new',
    iceConnectionState: 'new',
    signalingState: 'stable',
    iceRestartAttempts: 0,
    localSenders: { audio: sending.audio !== null, video: sending.video !== null },
    remoteStreams: [],
    remoteMedia: { audioMuted: false, videoOff: false, screen: false, cameraStreamId: null, screenStreamId: null },
    invalidMessages: 0,
    stats: [],
    error: null,
  } satisfies Partial<PeerContext>;
}

/** The ICE username fragment of a description (the first one: bundled, all m-lines share it). */
export const iceUfrag = (sdp: string): string | null => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] ?? null;

/**
 * The event a guard or action is attached to. Each is used on transitions of one event type only,
 * so it narrows with a cast instead of checking `event.type` again at run time.
 */
type Ev<T extends PeerEvent['type']> = Extract<PeerEvent, { type: T }>;
/** What the event guards compare. */
const localType = (event: PeerEvent) => (event as Ev<'PC.LOCAL_SET'>).description.type;
const remoteType = (event: PeerEvent) => (event as Ev<'PC.REMOTE_SET'>).descriptionType;
const failedOp = (event: PeerEvent) => (event as Ev<'PC.OP_FAILED'>).op;
const stateOf = (event: PeerEvent) => (event as Ev<'PC.CONNECTION_STATE' | 'PC.ICE_CONNECTION_STATE'>).state;
const dataType = (event: PeerEvent) => (event as Ev<'PC.DATA_MESSAGE'>).message.type;

// ── Pieces of configuration that several states share ──

type LocalSetEvent = Ev<'PC.LOCAL_SET'>;

/**
 * This RTCPeerConnection cannot go on: redial (a fresh one, after a backoff) while attempts are left,
 * otherwise `failed`, where the peer stays visible with its error until REDIAL or DISMISS.
 */
const connectionLost = (code: PeerErrorCode, guard?: { type: 'isClosed' } | { type: 'failed'; params: { op: PcOperation } }) =>
  [
    {
      guard: guard ? and([guard, 'redialAttemptsLeft']) : 'redialAttemptsLeft',
      target: '#peer.redialing',
      actions: { type: 'recordFailure', params: { code } },
    },
    {
      ...(guard ? { guard } : {}),
      target: '#peer.failed',
      actions: { type: 'recordFailure', params: { code } },
    },
  ] as const;

/** A negotiation step failed: `peer/negotiation-failed`; a fresh connection usually gets past it. */
const negotiationStepFailed = (op: PcOperation) => connectionLost('peer/negotiation-failed', { type: 'failed', params: { op } });

/** A remote offer while ours is being made or awaits its answer: perfect negotiation's collision. */
const offerCollision = [
  {
    guard: 'isPolite',
    target: 'settingRemoteOffer',
    description: 'Collision, polite: roll our offer back, answer theirs',
    actions: ['rememberAbandonedOffer', 'acceptRemoteOffer'],
  },
  { description: 'Collision, impolite: ignore their offer', actions: 'ignoreRemoteOffer' },
] as const;

const applyLocalDescription = {
  type: 'command',
  params: ({ context }: { context: PeerContext }): PcCommand[] => [{ type: 'PC.SET_LOCAL', description: context.localDescription! }],
} as const;

const applyRemoteDescription = {
  type: 'command',
  params: ({ context }: { context: PeerContext }): PcCommand[] => [{ type: 'PC.SET_REMOTE', description: context.remoteDescription! }],
} as const;

const remoteAnswerApplied = ['applyBufferedCandidates', 'remoteDescriptionApplied', 'completeNegotiation'] as const;

/**
 * sendingAnswer: PEER.SIGNAL answer, then the candidates held meanwhile; the exchange is complete.
 * Remote candidates that came before or during the first answer are applied only now: the pc runs
 * commands in order, so applying them earlier would hold the answer back behind addIceCandidate
 * calls. That is why the first remote offer counts as "applied" (`hasRemoteDescription`) only here.
 */
const sendAnswer = [
  {
    type: 'signal',
    params: ({ context, event }: { context: PeerContext; event: LocalSetEvent }): SignalMessage[] => [
      { type: 'answer', sdp: event.description.sdp },
      ...heldCandidates(context),
    ],
  },
  'clearHeldCandidates',
  'applyBufferedCandidates',
  'remoteDescriptionApplied',
  'completeNegotiation',
] as const;

/** PC.CONNECTION_STATE → the connection region's state for it (the state is mirrored on the way). */
const connectionBecomes = {
  connecting: { guard: 'isConnecting', target: 'connecting', actions: 'mirrorConnectionState' },
  connected: { guard: 'isConnected', target: 'connected', actions: 'mirrorConnectionState' },
  disconnected: { guard: 'isDisconnected', target: 'disconnected', actions: 'mirrorConnectionState' },
  failed: { guard: 'isFailed', target: 'restarting', actions: 'mirrorConnectionState' },
  closed: connectionLost('peer/transport-lost', { type: 'isClosed' }),
} as const;

/** The `bye` reason that asks the remote to start over with a fresh connection instead of hanging up. */
export const REDIAL_REASON = 'redial';

/** In a negotiation state whose exchange already restarts ICE, a restart request adds nothing. */
const alreadyRestarting = { guard: 'exchangeRestartsIce' } as const;

/** A bye: the remote hung up, or (reason `redial`) it starts over with a fresh connection and asks us to. */
const byeStartsOver = {
  guard: 'redialRequested',
  target: '#peer.active',
  reenter: true,
  description: 'Remote redials: a fresh connection here too',
  actions: 'startOver',
} as const;
const byeEnds = { target: '#peer.closed', actions: 'remoteHungUp' } as const;
const hangUp = {
  target: '#peer.closed',
  actions: [{ type: 'signal', params: ({ event }: { event: PeerEvent }) => [byeOf(event as Ev<'HANGUP'>)] }, 'markHungUp'],
} as const;
/** Ask the remote to start over too, then build a fresh RTCPeerConnection. */
const redialNow = [{ type: 'signal', params: [{ type: 'bye', reason: REDIAL_REASON }] }, 'startOver'] as const;

export const peerMachine = setup({
  types: {
    context: {} as PeerContext,
    events: {} as PeerEvent,
    input: {} as PeerInput,
    output: {} as PeerOutput,
    children: {} as { pc: 'peerConnection' },
  },
  actors: {
    peerConnection: peerConnectionActor,
  },
  actions: {
    /** Tell the parent (the room). Dropped when there is none, e.g. in a pure `transition()`. */
    notifyParent: enqueueActions(({ enqueue, self }, params: PeerParentMessage) => {
      if (self._parent) enqueue.sendParent(params);
    }),
    /** Send signaling messages (in order) to the remote peer, via the parent. */
    signal: enqueueActions(({ enqueue, self, context }, params: readonly SignalMessage[]) => {
      if (!self._parent) return;
      for (const message of params) enqueue.sendParent({ type: 'PEER.SIGNAL', peerId: context.peerId, message });
    }),
    /** Ask the pc actor to perform operations (it runs them in this order). */
    command: enqueueActions(({ enqueue }, params: PcCommand[]) => {
      for (const command of params) enqueue.sendTo('pc', command);
    }),
    /**
     * A remote offer with new ICE credentials restarts ICE for both sides (our answer gets new ones
     * too), so it settles a restart of ours that is still pending: no second generation follows it.
     */
    acceptRemoteOffer: assign(({ context, event }) => {
      const sdp = (event as Ev<'SIGNAL.OFFER'>).sdp;
      const ufrag = iceUfrag(sdp);
      const restartsIce = context.remoteIceUfrag !== null && ufrag !== context.remoteIceUfrag;
      return {
        remoteDescription: { type: 'offer' as const, sdp },
        remoteIceUfrag: ufrag,
        ignoreOffer: false,
        exchangeRestartsIce: restartsIce,
        iceRestartPending: context.iceRestartPending && !restartsIce,
      };
    }),
    /** Polite side, offer collision: the local offer is rolled back; its changes (and ICE restart) are offered again later. */
    rememberAbandonedOffer: assign(({ context }) => ({
      negotiationPending: true,
      iceRestartPending: context.iceRestartPending || context.exchangeRestartsIce,
    })),
    /** HANGUP: a bye (with the reason given) and the end. */
    markHungUp: assign({ closeReason: 'hangup' }),
    remoteHungUp: assign({ closeReason: 'remote-hangup' }),
    /** A new RTCPeerConnection (the `active` state is entered again): everything of the old one is dropped. */
    startOver: assign(({ context }) => ({ ...freshConnection(context.sending), initiator: !context.polite })),
    recordFailure: assign(({ event }, { code }: { code: PeerErrorCode }) => {
      // The cause for logs and the inspector: the failed operation's message, when there is one.
      return { error: peerError(code, 'message' in event ? `${'op' in event ? `${event.op}: ` : ''}${event.message}` : undefined) };
    }),
    /** Impolite side, offer collision: the remote offer is ignored (it will answer ours). */
    ignoreRemoteOffer: assign({ ignoreOffer: true }),
    /** A remote candidate before any remote description: kept for `applyBufferedCandidates`. */
    bufferRemoteCandidate: assign({
      remoteCandidates: ({ context, event }) => [...context.remoteCandidates, (event as Ev<'SIGNAL.CANDIDATE'>).candidate],
    }),
    /** A camera/microphone track (or none) for the pc: addTrack or replaceTrack, it decides. */
    setTrack: enqueueActions(({ enqueue, event, context }) => {
      const { kind, track, stream } = event as Ev<'LOCAL.SET_TRACK'>;
      enqueue.sendTo('pc', { type: 'PC.SET_TRACK', kind, track, stream });
      enqueue.assign({ sending: { ...context.sending, [kind]: track, stream: stream ?? context.sending.stream } });
    }),
    /** A remote description exists from now on (buffered candidates wait for `applyBufferedCandidates`). */
    remoteDescriptionApplied: assign({ hasRemoteDescription: true }),
    /** Candidates that came before any remote description, applied (in arrival order) now that one exists. */
    applyBufferedCandidates: enqueueActions(({ enqueue, context }) => {
      if (!context.remoteCandidates.length) return;
      for (const candidate of context.remoteCandidates) enqueue.sendTo('pc', { type: 'PC.ADD_CANDIDATE', candidate });
      enqueue.assign({ remoteCandidates: [] });
    }),
    completeNegotiation: assign({ hasNegotiated: true }),
    /**
     * The next offer (at once when stable, else after the current exchange) restarts ICE, through
     * createOffer({ iceRestart: true }): until it is made, the restart can still be called off.
     */
    requestIceRestart: assign({ negotiationPending: true, iceRestartPending: true }),
    /** Our description went out with the candidates held for it. */
    clearHeldCandidates: assign({ localCandidates: [], sentDescription: true }),
    mirrorConnectionState: assign({ connectionState: ({ event }) => (event as Ev<'PC.CONNECTION_STATE'>).state }),
    /** The chat outbox went out on the newly opened channel. */
    clearOutbox: assign({ outbox: [] }),
    keepMediaState: assign({ localMediaState: ({ event }) => pickMediaState(event as Ev<'LOCAL.MEDIA_STATE'>) }),
  },
  guards: {
    isInitiator: ({ context }) => context.initiator,
    isPolite: ({ context }) => context.polite,
    /** A remote offer came before the connection existed, and this side would accept it. */
    acceptsEarlyOffer: ({ context }) => context.earlyOffer !== null && (context.polite || !context.initiator),
    /** The first offer is the initiator's; afterwards either side may offer. */
    mayOffer: ({ context }) => context.initiator || context.hasNegotiated,
    negotiationPending: ({ context }) => context.negotiationPending,
    /** A remote candidate may go to the pc now: a remote description exists and none wait before it. */
    appliesCandidates: ({ context }) => context.hasRemoteDescription && context.remoteCandidates.length === 0,
    ignoringOffer: ({ context }) => context.ignoreOffer,
    /** Our current local description went out, so a new candidate may follow it at once. */
    localDescriptionSent: ({ context }) => context.sentDescription,
    isLocalOffer: ({ event }) => localType(event) === 'offer',
    isLocalAnswer: ({ event }) => localType(event) === 'answer',
    isRemoteOffer: ({ event }) => remoteType(event) === 'offer',
    isRemoteAnswer: ({ event }) => remoteType(event) === 'answer',
    /** Guards OP_FAILED: only the failure of the step a state waits for counts there. */
    failed: ({ event }, params: { op: PcOperation }) => failedOp(event) === params.op,
    candidateFailed: ({ event }) => failedOp(event) === 'addCandidate',
    candidateOrMediaFailed: ({ event }) => ['addCandidate', 'media'].includes(failedOp(event)),
    isConnecting: ({ event }) => stateOf(event) === 'connecting',
    isConnected: ({ event }) => stateOf(event) === 'connected',
    isDisconnected: ({ event }) => stateOf(event) === 'disconnected',
    isFailed: ({ event }) => stateOf(event) === 'failed',
    isClosed: ({ event }) => stateOf(event) === 'closed',
    iceConnected: ({ event }) => stateOf(event) === 'connected' || stateOf(event) === 'completed',
    restartAttemptsLeft: ({ context }) => context.iceRestartAttempts < context.timing.iceRestartMaxAttempts,
    redialAttemptsLeft: ({ context }) => context.redialAttempts < context.timing.redialMaxAttempts,
    redialRequested: ({ event }) => (event as Ev<'SIGNAL.BYE'>).reason === REDIAL_REASON,
    hasNegotiated: ({ context }) => context.hasNegotiated,
    /** The offer/answer in progress already restarts ICE: another restart would only add a generation. */
    exchangeRestartsIce: ({ context }) => context.exchangeRestartsIce,
    addsSender: ({ context, event }) => {
      const { track, kind } = event as Ev<'LOCAL.SET_TRACK'>;
      return track !== null && !context.localSenders[kind];
    },
    isChatMessage: ({ event }) => dataType(event) === 'chat',
    isMediaStateMessage: ({ event }) => dataType(event) === 'media-state',
  },
  delays: {
    disconnectedGrace: ({ context }) => context.timing.disconnectedGraceMs,
    iceRestartBackoff: ({ context }) =>
      context.timing.iceRestartBaseDelayMs * 2 ** Math.max(0, context.iceRestartAttempts - 1),
    redialBackoff: ({ context }) => context.timing.redialBaseDelayMs * 2 ** Math.max(0, context.redialAttempts - 1),
  },
}).createMachine({
  id: 'peer',
  context: ({ input }) => initialContext(input),
  initial: 'active',
  output: ({ context }) => ({ peerId: context.peerId, reason: context.closeReason ?? 'hangup' }),
  states: {
    active: {
      invoke: {
        id: 'pc',
        src: 'peerConnection',
        input: ({ context }) => ({
          createPeerConnection: context.createPeerConnection,
          iceServers: context.iceServers,
          iceTransportPolicy: context.iceTransportPolicy ?? 'all',
          sending: context.sending,
        }),
      },
      on: {
        HANGUP: hangUp,
        'SIGNAL.BYE': [
          // Asked to start over while this connection is fresh anyway (both sides started over at once).
          { guard: and(['redialRequested', not('hasNegotiated')]) },
          byeStartsOver,
          byeEnds,
        ],
      },
      initial: 'creatingPeerConnection',
      states: {
        creatingPeerConnection: {
          on: {
            'PC.CREATED': [
              {
                guard: 'acceptsEarlyOffer',
                target: 'session.negotiation.settingRemoteOffer',
                actions: assign(({ context }) => ({
                  remoteDescription: { type: 'offer' as const, sdp: context.earlyOffer ?? '' },
                  earlyOffer: null,
                })),
              },
              {
                guard: 'isInitiator',
                target: 'session.negotiation.creatingOffer',
                description: 'Impolite: the early offer collides, ignore it',
                actions: assign(({ context }) => ({ earlyOffer: null, ignoreOffer: context.earlyOffer !== null })),
              },
              { target: 'session', actions: assign({ earlyOffer: null }) },
            ],
            'PC.CREATE_FAILED': connectionLost('peer/create-failed'),
            // The remote may be faster than our setup: keep its offer and candidates for later.
            'SIGNAL.OFFER': { actions: assign({ earlyOffer: ({ event }) => event.sdp }) },
            'SIGNAL.CANDIDATE': {
              actions: 'bufferRemoteCandidate',
            },
          },
        },
        session: {
          type: 'parallel',
          on: {
            // ── Trickle ICE ──
            'SIGNAL.CANDIDATE': [
              {
                guard: 'appliesCandidates',
                actions: { type: 'command', params: ({ event }) => [{ type: 'PC.ADD_CANDIDATE', candidate: event.candidate }] },
              },
              {
                description: 'Buffer it: no remote description yet, or others wait',
                actions: 'bufferRemoteCandidate',
              },
            ],
            'PC.ICE_CANDIDATE': [
              {
                guard: 'localDescriptionSent',
                actions: { type: 'signal', params: ({ event }) => [{ type: 'candidate', candidate: event.candidate }] },
              },
              {
                description: 'Hold it until its description is sent',
                actions: assign({ localCandidates: ({ context, event }) => [...context.localCandidates, event.candidate] }),
              },
            ],
            'PC.OP_FAILED': [
              { guard: and(['candidateFailed', 'ignoringOffer']), description: 'Candidate of an ignored offer: expected' },
              {
                guard: 'candidateOrMediaFailed',
                description: 'Not fatal: counted',
                actions: assign({ candidateErrors: ({ context }) => context.candidateErrors + 1 }),
              },
            ],
            // ── Mirrored states ──
            'PC.ICE_CONNECTION_STATE': { actions: assign({ iceConnectionState: ({ event }) => event.state }) },
            'PC.SIGNALING_STATE': { actions: assign({ signalingState: ({ event }) => event.state }) },
            // ── Local media ──
            'LOCAL.SET_TRACK': [
              {
                guard: 'addsSender',
                description: 'No sender of that kind: addTrack, then an offer',
                actions: [
                  'setTrack',
                  assign({
                    localSenders: ({ context, event }) => ({ ...context.localSenders, [event.kind]: true }),
                    negotiationPending: true,
                  }),
                ],
              },
              {
                description: 'replaceTrack: no renegotiation',
                actions: 'setTrack',
              },
            ],
            'LOCAL.ADD_SCREEN': {
              actions: [
                { type: 'command', params: ({ event }) => [{ type: 'PC.ADD_SCREEN', track: event.track, stream: event.stream }] },
                assign({
                  sending: ({ context, event }) => ({ ...context.sending, screen: { track: event.track, stream: event.stream } }),
                  negotiationPending: true,
                }),
              ],
            },
            'LOCAL.REMOVE_SCREEN': {
              actions: [
                { type: 'command', params: [{ type: 'PC.REMOVE_SCREEN' }] },
                assign({ sending: ({ context }) => ({ ...context.sending, screen: null }), negotiationPending: true }),
              ],
            },
            // Kept for the channel (channel.open also sends it at once).
            'LOCAL.MEDIA_STATE': { actions: 'keepMediaState' },
            // ── Remote media ──
            'PC.REMOTE_STREAM': {
              actions: assign({
                remoteStreams: ({ context, event }) => [
                  ...context.remoteStreams.filter((entry) => entry.id !== event.streamId),
                  { id: event.streamId, stream: event.stream, trackIds: event.stream.getTracks().map((track) => track.id) },
                ],
              }),
            },
            'PC.REMOTE_TRACK_REMOVED': {
              actions: assign({
                remoteStreams: ({ context, event }) =>
                  event.streamEmpty
                    ? context.remoteStreams.filter((entry) => entry.id !== event.streamId)
                    : context.remoteStreams.map((entry) =>
                        entry.id === event.streamId
                          ? { ...entry, trackIds: entry.trackIds.filter((id) => id !== event.trackId) }
                          : entry,
                      ),
              }),
            },
            // ── Data channel messages ──
            // channel.open sends it at once.
            'CHAT.SEND': {
              description: 'Not open yet: into the outbox',
              actions: assign({
                outbox: ({ context, event }) => [...context.outbox, { id: event.id, text: event.text, at: event.at }].slice(-OUTBOX_LIMIT),
              }),
            },
            'PC.DATA_MESSAGE': [
              {
                guard: 'isChatMessage',
                actions: {
                  type: 'notifyParent',
                  params: ({ context, event }) => {
                    const { id, text, at } = event.message as ChatPeerMessage;
                    return { type: 'PEER.CHAT', peerId: context.peerId, message: { id, text, at } };
                  },
                },
              },
              {
                guard: 'isMediaStateMessage',
                actions: assign({
                  remoteMedia: ({ event }) => {
                    const message = event.message as MediaStatePeerMessage;
                    return {
                      audioMuted: message.audioMuted,
                      videoOff: message.videoOff,
                      screen: message.screen,
                      cameraStreamId: message.cameraStreamId ?? null,
                      screenStreamId: message.screenStreamId ?? null,
                    };
                  },
                }),
              },
            ],
            'PC.DATA_INVALID': { actions: assign({ invalidMessages: ({ context }) => context.invalidMessages + 1 }) },
            'PC.STATS': {
              actions: assign({ stats: ({ context, event }) => [...context.stats, event.sample].slice(-STATS_HISTORY) }),
            },
            // ── Forced renegotiation / ICE restart (negotiation.stable starts the offer at once) ──
            RENEGOTIATE: { actions: assign({ negotiationPending: true }) },
            RESTART_ICE: { actions: 'requestIceRestart' },
            SET_ICE_SERVERS: {
              actions: [
                assign({ iceServers: ({ event }) => event.iceServers }),
                { type: 'command', params: ({ event }) => [{ type: 'PC.SET_ICE_SERVERS', iceServers: event.iceServers }] },
              ],
            },
          },
          states: {
            negotiation: {
              initial: 'stable',
              // Every state but stable (which offers the restart): the exchange in progress may restart ICE already.
              // (Stable only declines a restart before the first exchange, when none has restarted ICE.)
              on: { RESTART_ICE: alreadyRestarting },
              states: {
                stable: {
                  on: {
                    'PC.NEGOTIATION_NEEDED': { guard: 'mayOffer', target: 'creatingOffer' },
                    RENEGOTIATE: { guard: 'mayOffer', target: 'creatingOffer' },
                    // A region that takes an event hides the session's handler for it: request here too.
                    RESTART_ICE: { guard: 'mayOffer', target: 'creatingOffer', actions: 'requestIceRestart' },
                    'SIGNAL.OFFER': { target: 'settingRemoteOffer', actions: 'acceptRemoteOffer' },
                  },
                },
                creatingOffer: {
                  entry: [
                    {
                      type: 'command',
                      params: ({ context }) => [{ type: 'PC.CREATE_OFFER', iceRestart: context.iceRestartPending }],
                    },
                    assign(({ context }) => ({
                      exchangeRestartsIce: context.iceRestartPending,
                      negotiationPending: false,
                      iceRestartPending: false,
                      sentDescription: false,
                    })),
                  ],
                  on: {
                    'PC.OFFER_CREATED': {
                      target: 'settingLocalOffer',
                      actions: assign({ localDescription: ({ event }) => ({ type: 'offer' as const, sdp: event.sdp }) }),
                    },
                    'PC.OP_FAILED': negotiationStepFailed('createOffer'),
                    'SIGNAL.OFFER': offerCollision,
                  },
                },
                settingLocalOffer: {
                  entry: applyLocalDescription,
                  on: {
                    'PC.LOCAL_SET': {
                      guard: 'isLocalOffer',
                      target: 'awaitingAnswer',
                      description: 'sendingOffer: PEER.SIGNAL offer, then the candidates held meanwhile',
                      actions: [
                        {
                          type: 'signal',
                          params: ({ context, event }) => [
                            { type: 'offer', sdp: event.description.sdp },
                            ...heldCandidates(context),
                          ],
                        },
                        'clearHeldCandidates',
                      ],
                    },
                    'PC.OP_FAILED': negotiationStepFailed('setLocalOffer'),
                    'SIGNAL.OFFER': offerCollision,
                  },
                },
                awaitingAnswer: {
                  on: {
                    'SIGNAL.ANSWER': {
                      target: 'settingRemoteAnswer',
                      actions: assign({
                        remoteDescription: ({ event }) => ({ type: 'answer' as const, sdp: event.sdp }),
                        remoteIceUfrag: ({ event }) => iceUfrag(event.sdp),
                        ignoreOffer: false,
                      }),
                    },
                    'SIGNAL.OFFER': offerCollision,
                  },
                },
                settingRemoteAnswer: {
                  entry: applyRemoteDescription,
                  on: {
                    'PC.REMOTE_SET': [
                      {
                        guard: and(['isRemoteAnswer', 'negotiationPending']),
                        target: 'creatingOffer',
                        description: 'Answer applied; offer the changes made meanwhile',
                        actions: remoteAnswerApplied,
                      },
                      {
                        guard: 'isRemoteAnswer',
                        target: 'stable',
                        actions: remoteAnswerApplied,
                      },
                    ],
                    'PC.OP_FAILED': negotiationStepFailed('setRemoteAnswer'),
                    'SIGNAL.OFFER': {
                      target: 'settingRemoteOffer',
                      description: 'Not a collision: applied after the answer',
                      actions: 'acceptRemoteOffer',
                    },
                  },
                },
                settingRemoteOffer: {
                  entry: [applyRemoteDescription, assign({ sentDescription: false })],
                  on: {
                    'PC.REMOTE_SET': {
                      guard: 'isRemoteOffer',
                      target: 'creatingAnswer',
                      description: 'Answer first; buffered candidates follow it',
                    },
                    'PC.OP_FAILED': negotiationStepFailed('setRemoteOffer'),
                  },
                },
                creatingAnswer: {
                  entry: { type: 'command', params: [{ type: 'PC.CREATE_ANSWER' }] },
                  on: {
                    'PC.ANSWER_CREATED': {
                      target: 'settingLocalAnswer',
                      actions: assign({ localDescription: ({ event }) => ({ type: 'answer' as const, sdp: event.sdp }) }),
                    },
                    'PC.OP_FAILED': negotiationStepFailed('createAnswer'),
                  },
                },
                settingLocalAnswer: {
                  entry: applyLocalDescription,
                  on: {
                    'PC.LOCAL_SET': [
                      {
                        guard: and(['isLocalAnswer', 'negotiationPending']),
                        target: 'creatingOffer',
                        description: 'sendingAnswer, then offer the changes made meanwhile',
                        actions: sendAnswer,
                      },
                      {
                        guard: 'isLocalAnswer',
                        target: 'stable',
                        description: 'sendingAnswer: PEER.SIGNAL answer, then the candidates held meanwhile',
                        actions: sendAnswer,
                      },
                    ],
                    'PC.OP_FAILED': negotiationStepFailed('setLocalAnswer'),
                  },
                },
              },
            },
            connection: {
              initial: 'new',
              on: {
                // In every state: `closed` came from someone else's close(); anything not handled below is mirrored only.
                'PC.CONNECTION_STATE': [...connectionBecomes.closed, { actions: 'mirrorConnectionState' }],
              },
              states: {
                new: {
                  on: {
                    'PC.CONNECTION_STATE': [
                      connectionBecomes.connecting,
                      connectionBecomes.connected,
                      connectionBecomes.disconnected,
                      connectionBecomes.failed,
                    ],
                  },
                },
                connecting: {
                  on: {
                    'PC.CONNECTION_STATE': [
                      connectionBecomes.connected,
                      connectionBecomes.disconnected,
                      connectionBecomes.failed,
                    ],
                  },
                },
                connected: {
                  entry: [
                    {
                      type: 'command',
                      params: ({ context }) => [{ type: 'PC.STATS_START', intervalMs: context.timing.statsIntervalMs }],
                    },
                    assign({ iceRestartAttempts: 0, redialAttempts: 0, iceRestartPending: false }),
                  ],
                  exit: { type: 'command', params: [{ type: 'PC.STATS_STOP' }] },
                  on: {
                    'PC.CONNECTION_STATE': [
                      connectionBecomes.disconnected,
                      { ...connectionBecomes.failed, description: 'failed: restart ICE at once' },
                    ],
                  },
                },
                disconnected: {
                  after: { disconnectedGrace: 'restarting' },
                  on: {
                    'PC.CONNECTION_STATE': [
                      connectionBecomes.connected,
                      { ...connectionBecomes.failed, description: 'failed: restart ICE at once' },
                    ],
                  },
                },
                restarting: {
                  entry: [
                    assign({ iceRestartAttempts: ({ context }) => context.iceRestartAttempts + 1 }),
                    // The negotiation region makes the ICE-restart offer now, or after the exchange in progress
                    // (none if that exchange already restarts ICE).
                    raise({ type: 'RESTART_ICE' }),
                  ],
                  after: {
                    iceRestartBackoff: [
                      { guard: 'restartAttemptsLeft', target: 'restarting', reenter: true },
                      ...connectionLost('peer/ice-failed'),
                    ],
                  },
                  on: {
                    'PC.CONNECTION_STATE': [
                      connectionBecomes.connected,
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
            },
            channel: {
              initial: 'connecting',
              states: {
                connecting: {
                  on: {
                    'PC.DATA_OPEN': {
                      target: 'open',
                      description: 'Open: tell our media state, send the chat outbox',
                      actions: [
                        {
                          type: 'command',
                          params: ({ context }) => [
                            { type: 'PC.SEND', message: mediaStateMessage(context) },
                            ...context.outbox.map((chat): PcCommand => ({ type: 'PC.SEND', message: { type: 'chat', ...chat } })),
                          ],
                        },
                        'clearOutbox',
                      ],
                    },
                  },
                },
                open: {
                  on: {
                    'PC.DATA_CLOSED': connectionLost('peer/transport-lost'),
                    'CHAT.SEND': {
                      actions: {
                        type: 'command',
                        params: ({ event }) => [{ type: 'PC.SEND', message: { type: 'chat', id: event.id, text: event.text, at: event.at } }],
                      },
                    },
                    'LOCAL.MEDIA_STATE': {
                      actions: ['keepMediaState', { type: 'command', params: ({ context }) => [{ type: 'PC.SEND', message: mediaStateMessage(context) }] }],
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    /** Waiting (backoff) before a fresh RTCPeerConnection; the old one is closed already. */
    redialing: {
      entry: assign({ redialAttempts: ({ context }) => context.redialAttempts + 1 }),
      after: { redialBackoff: { target: 'active', actions: redialNow } },
      on: {
        HANGUP: hangUp,
        'SIGNAL.BYE': [byeStartsOver, byeEnds],
      },
    },
    /** Out of redials (or asked to stop): visible with its error until the user redials or dismisses it. */
    failed: {
      on: {
        REDIAL: { target: 'active', actions: [assign({ redialAttempts: 0 }), ...redialNow] },
        DISMISS: { target: 'closed', actions: [{ type: 'signal', params: [{ type: 'bye', reason: 'dismissed' }] }, 'markHungUp'] },
        HANGUP: hangUp,
        'SIGNAL.BYE': [{ ...byeStartsOver, actions: [assign({ redialAttempts: 0 }), 'startOver'] }, byeEnds],
      },
    },
    closed: {
      type: 'final',
      entry: {
        type: 'notifyParent',
        params: ({ context }) => ({ type: 'PEER.CLOSED', peerId: context.peerId, reason: context.closeReason ?? 'hangup' }),
      },
    },
  },
});

function pickMediaState(event: MediaState): MediaState {
  return { audioMuted: event.audioMuted, videoOff: event.videoOff, screen: event.screen };
}

/** Tell the remote what we send; stream ids let it tell our camera from our screen. */
function mediaStateMessage(context: PeerContext): MediaStatePeerMessage {
  return {
    type: 'media-state',
    ...context.localMediaState,
    cameraStreamId: context.sending.stream?.id ?? null,
    screenStreamId: context.sending.screen?.stream.id ?? null,
  };
}

/** HANGUP's bye, with its reason when it has one. */
function byeOf({ reason }: { reason?: string }): SignalMessage {
  return reason ? { type: 'bye', reason } : { type: 'bye' };
}

function heldCandidates(context: PeerContext): SignalMessage[] {
  return context.localCandidates.map((candidate) => ({ type: 'candidate', candidate }));
}

export type PeerActorRef = ActorRefFrom<typeof peerMachine>;
