/** The peer machine's vocabulary: input, context, the events it takes and the events it emits. */
import type { PcEvent, PeerConnectionInput } from '../../actors/peer-connection.js';
import type { AppDataEvent } from '../../actors/app-data.js';
import type { PeerError } from '../../errors.js';
import type { PeerData } from '../../protocol/peer-data.js';
import type { MediaStatePeerMessage } from '../../protocol/peer-messages.js';
import type { IceCandidate } from '../../protocol/primitives.js';
import type { StatsSample } from '../../view.js';

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

/**
 * The local media as the room's media machine has it (its one owner), and so what this side sends
 * the remote. Mute and camera-off are `track.enabled` there: the tracks stay and send silence or
 * black frames; the flags only tell the remote.
 */
export interface LocalMedia {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** The camera + microphone stream the tracks are announced in. */
  stream: MediaStream | null;
  screen: { track: MediaStreamTrack; stream: MediaStream } | null;
  audioMuted: boolean;
  videoOff: boolean;
}

/** How many stats samples the context keeps (a minute at the default interval). */
export const STATS_HISTORY = 60;
/** The `bye` reason that asks the remote to start over with a fresh connection instead of hanging up. */
export const REDIAL_REASON = 'redial';

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
  /** Camera + microphone tracks to send from the start (null = receive-only); LOCAL.MEDIA updates them. */
  localStream: MediaStream | null;
  createPeerConnection: PeerConnectionInput['createPeerConnection'];
  /** Application data from this peer and data to it that could not be sent (the room: its `data` / `data-error` events). */
  onAppData: PeerConnectionInput['onAppData'];
  timing?: Partial<PeerTiming>;
}

/** What travels to the remote peer through the room and the signaling server. */
export type SignalMessage =
  | { type: 'offer'; sdp: string }
  | { type: 'answer'; sdp: string }
  | { type: 'candidate'; candidate: IceCandidate }
  | { type: 'bye'; reason?: string };

export type MediaState = Pick<MediaStatePeerMessage, 'audioMuted' | 'videoOff' | 'screen'>;

/** Events the peer emits (`actor.on(...)`); the room hears them through its child bridge. */
export type PeerEmitted =
  | { type: 'PEER.SIGNAL'; peerId: string; message: SignalMessage }
  /** Data to this peer sent while it has no connection: the room emits it as it is (the rest goes from the pc actor to `onAppData`). */
  | Extract<AppDataEvent, { type: 'data-error' }>
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
  /** The current local media (sent on every change); the peer diffs it against what it sends. */
  | ({ type: 'LOCAL.MEDIA' } & LocalMedia)
  /** Application data for this peer (the pc actor checks it; what cannot be sent comes back as `data-error`). */
  | { type: 'DATA.SEND'; data: PeerData }
  | { type: 'HANGUP'; reason?: string }
  /** In `failed`: try again with a fresh RTCPeerConnection (the remote is asked to start over too). */
  | { type: 'REDIAL' }
  /** In `failed`: give up on this peer (a bye tells the remote). */
  | { type: 'DISMISS' }
  | { type: 'RESTART_ICE' }
  /** Renewed ICE servers (fresh TURN credentials): applied with setConfiguration, used by later gathering. */
  | { type: 'SET_ICE_SERVERS'; iceServers: RTCIceServer[] }
  | { type: 'RENEGOTIATE' };

/** Raised by the machine itself, so one region can react to another's step. */
export type PeerInternalEvent =
  /** negotiation entered creatingOffer: the nextOffer region makes the offer from what is pending. */
  | { type: 'OFFER.CREATE' }
  /** An offer/answer exchange completed: a remote description exists. */
  | { type: 'EXCHANGE.COMPLETE' }
  /** Impolite side, offer collision: the remote offer was ignored. */
  | { type: 'REMOTE_OFFER.IGNORED' }
  /** An ICE restart that was pending is no longer needed (theirs restarted ICE, or the connection came back). */
  | { type: 'ICE_RESTART.SETTLED' };

export type PeerEvent = PeerCommandEvent | PcEvent | PeerInternalEvent;

export interface RemoteStream {
  id: string;
  stream: MediaStream;
  trackIds: string[];
}

export interface RemoteMediaState extends MediaState {
  cameraStreamId: string | null;
  screenStreamId: string | null;
}

/**
 * Of the input, `polite` and `initiator` stay as the perfect-negotiation role. `initiator` has one
 * writer after the input, `startOver`: a fresh connection is offered by the impolite side.
 */
export interface PeerContext extends Omit<PeerInput, 'timing' | 'localStream'> {
  /** The input's timing over DEFAULT_PEER_TIMING. */
  timing: PeerTiming;

  // negotiation (whether changes or an ICE restart wait, whether a remote description exists and
  // whether a remote offer was ignored are states: regions nextOffer, trickle, remoteOffer)
  /**
   * The exchange in progress restarts ICE (ours with new credentials, or theirs). A flag, not a
   * region: it qualifies the 3–4 negotiation states of one exchange, which a region would double.
   * One writer: `beginExchange`.
   */
  exchangeRestartsIce: boolean;
  /** ICE username fragment of the last remote description: a new one in an offer means they restart ICE. */
  remoteIceUfrag: string | null;
  /** A remote offer that arrived before the RTCPeerConnection existed. */
  earlyOffer: string | null;
  /** Remote candidates that arrived before any remote description (trickle.buffering). */
  remoteCandidates: Array<RTCIceCandidateInit | null>;
  /** Local candidates gathered while the description they belong to was not sent yet. */
  localCandidates: IceCandidate[];
  candidateErrors: number;

  // mirrored RTCPeerConnection states
  connectionState: RTCPeerConnectionState;
  iceConnectionState: RTCIceConnectionState;
  signalingState: RTCSignalingState;
  iceRestartAttempts: number;
  /** Fresh RTCPeerConnections made since the last time one connected. */
  redialAttempts: number;

  // media
  /** What this side sends; the peer owns it, so a redialled connection starts with the same. */
  sending: LocalMedia;
  remoteStreams: RemoteStream[];
  remoteMedia: RemoteMediaState;

  // data channels
  invalidMessages: number;

  stats: StatsSample[];
  error: PeerError | null;
  closeReason: PeerCloseReason | null;
}
