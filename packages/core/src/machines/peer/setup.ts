/**
 * The peer machine's `setup(...)`: its types, the pc actor, and the named actions, guards and delays
 * the region files (negotiation.ts, next-offer.ts, trickle.ts, connection.ts, channel.ts, redial.ts)
 * build their states from with `peerSetup.createStateConfig(...)`.
 */
import { and, assign, emit, enqueueActions, not, or, setup, stateIn } from 'xstate';
import { peerConnectionActor, type DescriptionType, type PcCommand, type PcOperation } from '../../actors/peer-connection.js';
import { peerError, type PeerErrorCode } from '../../errors.js';
import type { MediaStatePeerMessage, PeerMessage } from '../../protocol/peer-messages.js';
import {
  DEFAULT_PEER_TIMING,
  REDIAL_REASON,
  type PeerCloseReason,
  type PeerContext,
  type PeerEmitted,
  type PeerEvent,
  type PeerInput,
  type PeerOutput,
  type SignalMessage,
} from './types.js';

const trackOf = (stream: MediaStream | null, kind: string) => stream?.getTracks().find((track) => track.kind === kind) ?? null;

export function initialContext({ timing, localStream, ...input }: PeerInput): PeerContext {
  return {
    ...input,
    timing: { ...DEFAULT_PEER_TIMING, ...timing },
    sending: { audio: trackOf(localStream, 'audio'), video: trackOf(localStream, 'video'), stream: localStream, screen: null, audioMuted: false, videoOff: false },
    redialAttempts: 0,
    closeReason: null,
    ...freshConnection(),
  };
}

/** Everything that belongs to one RTCPeerConnection: a redial starts from this again. */
function freshConnection() {
  return {
    exchangeRestartsIce: false,
    remoteIceUfrag: null,
    earlyOffer: null,
    remoteCandidates: [],
    localCandidates: [],
    candidateErrors: 0,
    connectionState: 'new',
    iceConnectionState: 'new',
    signalingState: 'stable',
    iceRestartAttempts: 0,
    remoteStreams: [],
    remoteMedia: { audioMuted: false, videoOff: false, screen: false, cameraStreamId: null, screenStreamId: null },
    invalidMessages: 0,
    stats: [],
    error: null,
  } satisfies Partial<PeerContext>;
}

/** The ICE username fragment of a description (the first one: bundled, all m-lines share it). */
export const iceUfrag = (sdp: string): string | null => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] ?? null;

/** Tell the remote what we send; stream ids let it tell our camera from our screen. */
export function mediaStateMessage({ sending }: PeerContext): MediaStatePeerMessage {
  return {
    type: 'media-state',
    audioMuted: sending.audioMuted,
    videoOff: sending.videoOff,
    screen: sending.screen !== null,
    cameraStreamId: sending.stream?.id ?? null,
    screenStreamId: sending.screen?.stream.id ?? null,
  };
}

/** The remote offer being accepted: the event's, or the one kept from before the connection existed. */
const offerSdp = (context: PeerContext, event: PeerEvent) => (event.type === 'SIGNAL.OFFER' ? event.sdp : (context.earlyOffer ?? ''));

/** A remote offer with new ICE credentials restarts ICE for both sides (our answer gets new ones too). */
export const acceptOffer = [
  {
    type: 'beginExchange',
    params: ({ context, event }: { context: PeerContext; event: PeerEvent }) => {
      const ufrag = iceUfrag(offerSdp(context, event));
      return { restartsIce: context.remoteIceUfrag !== null && ufrag !== context.remoteIceUfrag };
    },
  },
  'acceptRemoteOffer',
] as const;

const stateOf = (event: PeerEvent) => (event.type === 'PC.CONNECTION_STATE' || event.type === 'PC.ICE_CONNECTION_STATE' ? event.state : null);
const failedOp = (event: PeerEvent) => (event.type === 'PC.OP_FAILED' ? event.op : null);

export const peerSetup = setup({
  // Types only: one empty object at runtime rather than one per field.
  types: {} as {
    context: PeerContext;
    events: PeerEvent;
    input: PeerInput;
    output: PeerOutput;
    emitted: PeerEmitted;
    children: { pc: 'peerConnection' };
  },
  actors: {
    peerConnection: peerConnectionActor,
  },
  actions: {
    /** Send signaling messages (in order) to the remote peer, via the room. */
    signal: enqueueActions(({ enqueue, context }, params: readonly SignalMessage[]) => {
      for (const message of params) enqueue.emit({ type: 'PEER.SIGNAL', peerId: context.peerId, message });
    }),
    /** Ask the pc actor to perform operations (it runs them in this order). */
    command: enqueueActions(({ enqueue }, params: readonly PcCommand[]) => {
      for (const command of params) enqueue.sendTo('pc', command);
    }),
    /** Our offer or answer goes out, then the local candidates held for it; later ones follow at once. */
    sendDescription: enqueueActions(({ enqueue, context }, description: SignalMessage) => {
      for (const message of [description, ...context.localCandidates.map((candidate): SignalMessage => ({ type: 'candidate', candidate }))]) {
        enqueue.emit({ type: 'PEER.SIGNAL', peerId: context.peerId, message });
      }
      enqueue.assign({ localCandidates: [] });
    }),
    /**
     * Theirs (SIGNAL.OFFER, or the early offer kept from before the connection existed):
     * setRemoteDescription (in have-local-offer, an implicit rollback of ours). `beginExchange` goes before it.
     */
    acceptRemoteOffer: enqueueActions(({ enqueue, context, event }) => {
      const sdp = offerSdp(context, event);
      enqueue.sendTo('pc', { type: 'PC.SET_REMOTE', description: { type: 'offer', sdp } });
      enqueue.assign({ remoteIceUfrag: iceUfrag(sdp), earlyOffer: null });
    }),
    /**
     * An offer/answer exchange starts: does it restart ICE? An exchange that does settles a restart
     * still pending (no second generation follows it). The one writer of `exchangeRestartsIce`.
     */
    beginExchange: enqueueActions(({ enqueue }, { restartsIce }: { restartsIce: boolean }) => {
      enqueue.assign({ exchangeRestartsIce: restartsIce });
      if (restartsIce) enqueue.raise({ type: 'ICE_RESTART.SETTLED' });
    }),
    /**
     * Polite side, offer collision: our offer is rolled back; its changes (and its ICE restart) are
     * asked for again, so the next return to stable offers them. Runs before `beginExchange` (theirs).
     */
    reofferAbandoned: enqueueActions(({ enqueue, context }) => {
      enqueue.raise({ type: 'RENEGOTIATE' });
      if (context.exchangeRestartsIce) enqueue.raise({ type: 'RESTART_ICE' });
    }),
    /** Why the peer ends (its output, and what PEER.CLOSED says). */
    closeAs: assign((_, reason: PeerCloseReason) => ({ closeReason: reason })),
    /** A new RTCPeerConnection (the `active` state is entered again): everything of the old one is dropped. */
    startOver: assign(({ context }) => ({ ...freshConnection(), initiator: !context.polite })),
    recordFailure: assign(({ event }, { code }: { code: PeerErrorCode }) => ({
      // The cause for logs and the inspector: the failed operation's message, when there is one.
      error: peerError(code, 'message' in event ? `${'op' in event ? `${event.op}: ` : ''}${event.message}` : undefined),
    })),
    /** A remote candidate before any remote description: kept for `applyBufferedCandidates`. */
    bufferRemoteCandidate: enqueueActions(({ enqueue, context, event }) => {
      if (event.type === 'SIGNAL.CANDIDATE') enqueue.assign({ remoteCandidates: [...context.remoteCandidates, event.candidate] });
    }),
    /** Candidates that came before any remote description, applied (in arrival order) now that one exists. */
    applyBufferedCandidates: enqueueActions(({ enqueue, context }) => {
      for (const candidate of context.remoteCandidates) enqueue.sendTo('pc', { type: 'PC.ADD_CANDIDATE', candidate });
      enqueue.assign({ remoteCandidates: [] });
    }),
    /** A control-channel message: what the remote sends (media-state, the only kind). */
    receiveMessage: assign((_, { audioMuted, videoOff, screen, cameraStreamId, screenStreamId }: PeerMessage) => ({
      remoteMedia: { audioMuted, videoOff, screen, cameraStreamId: cameraStreamId ?? null, screenStreamId: screenStreamId ?? null },
    })),
    /** Application data with no connection to send it on. */
    peerGone: emit(({ context }) => ({ type: 'data-error', code: 'data/peer-gone', to: context.peerId }) as const),
    mirrorConnectionState: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'PC.CONNECTION_STATE') enqueue.assign({ connectionState: event.state });
    }),
    /**
     * LOCAL.MEDIA: what changed since the last one reaches the pc (`toPc`; outside `active` it is only
     * kept, for the next connection). A camera/microphone track change is a replaceTrack (no
     * renegotiation) unless that kind had no track (addTrack: renegotiate; after a track went away
     * its sender stays, so this may offer once for nothing); a screen share added or removed is a
     * sender added or removed (renegotiate). Changed mute/camera-off/screen state goes to the remote
     * as a media-state message (the pc drops it while the channel is not open; the channel sends the
     * current state when it opens).
     */
    applyLocalMedia: enqueueActions(({ enqueue, context, event }, { toPc }: { toPc: boolean }) => {
      if (event.type !== 'LOCAL.MEDIA') return;
      const { type: _, ...next } = event;
      const sent = context.sending;
      const tracks = (['audio', 'video'] as const).filter((kind) => sent[kind] !== next[kind]);
      const screen = sent.screen?.track !== next.screen?.track;
      const state = sent.audioMuted !== next.audioMuted || sent.videoOff !== next.videoOff || screen;
      // The room sends it on every media update: unchanged, the snapshot stays as it is.
      if (!tracks.length && !screen && !state && sent.stream === next.stream) return;
      enqueue.assign({ sending: next });
      if (!toPc) return;
      for (const kind of tracks) enqueue.sendTo('pc', { type: 'PC.SET_TRACK', kind, track: next[kind], stream: next.stream });
      if (screen) enqueue.sendTo('pc', next.screen ? { type: 'PC.ADD_SCREEN', ...next.screen } : { type: 'PC.REMOVE_SCREEN' });
      if (screen || tracks.some((kind) => sent[kind] === null)) enqueue.raise({ type: 'RENEGOTIATE' });
      if (state) enqueue.sendTo('pc', { type: 'PC.SEND', message: mediaStateMessage({ ...context, sending: next }) });
    }),
  },
  guards: {
    isInitiator: ({ context }) => context.initiator,
    isPolite: ({ context }) => context.polite,
    /** A remote offer came before the connection existed, and this side would accept it. */
    acceptsEarlyOffer: ({ context }) => context.earlyOffer !== null && (context.polite || !context.initiator),
    hasEarlyOffer: ({ context }) => context.earlyOffer !== null,
    /** The first exchange completed, so a remote description exists (trickle left `buffering`). */
    exchanged: stateIn('#peer.active.session.trickle.flowing'),
    /** The first offer is the initiator's; afterwards either side may offer. */
    mayOffer: or(['isInitiator', 'exchanged']),
    changesPending: not(stateIn('#peer.active.session.nextOffer.nothingPending')),
    /** The offer/answer in progress already restarts ICE: another restart would only add a generation. */
    restartUnderWay: and([({ context }) => context.exchangeRestartsIce, not(stateIn('#peer.active.session.negotiation.stable'))]),
    /** The description the pc actor just applied is the one a state waits for (`localSet offer`, `remoteSet answer`). */
    localSet: ({ event }, type: DescriptionType) => event.type === 'PC.LOCAL_SET' && event.description.type === type,
    remoteSet: ({ event }, type: DescriptionType) => event.type === 'PC.REMOTE_SET' && event.descriptionType === type,
    /** Guards OP_FAILED: only the failure of the step a state waits for counts there. */
    failed: ({ event }, params: { op: PcOperation }) => failedOp(event) === params.op,
    candidateFailed: ({ event }) => failedOp(event) === 'addCandidate',
    candidateOrMediaFailed: ({ event }) => ['addCandidate', 'media'].includes(failedOp(event) ?? ''),
    /** PC.CONNECTION_STATE (or PC.ICE_CONNECTION_STATE) reports this state, e.g. `connectionIs failed`. */
    connectionIs: ({ event }, state: RTCPeerConnectionState) => stateOf(event) === state,
    iceConnected: ({ event }) => stateOf(event) === 'connected' || stateOf(event) === 'completed',
    restartAttemptsLeft: ({ context }) => context.iceRestartAttempts < context.timing.iceRestartMaxAttempts,
    redialAttemptsLeft: ({ context }) => context.redialAttempts < context.timing.redialMaxAttempts,
    redialRequested: ({ event }) => event.type === 'SIGNAL.BYE' && event.reason === REDIAL_REASON,
  },
  delays: {
    disconnectedGrace: ({ context }) => context.timing.disconnectedGraceMs,
    iceRestartBackoff: ({ context }) => context.timing.iceRestartBaseDelayMs * 2 ** Math.max(0, context.iceRestartAttempts - 1),
    redialBackoff: ({ context }) => context.timing.redialBaseDelayMs * 2 ** Math.max(0, context.redialAttempts - 1),
  },
});

/**
 * This RTCPeerConnection cannot go on: redial (a fresh one, after a backoff) while attempts are left,
 * otherwise `failed`, where the peer stays visible with its error until REDIAL or DISMISS.
 */
export const connectionLost = (code: PeerErrorCode, guard?: { type: 'connectionIs'; params: 'closed' } | { type: 'failed'; params: { op: PcOperation } }) =>
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
