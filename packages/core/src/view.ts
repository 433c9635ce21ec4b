/**
 * What a user interface shows of a room: plain data derived from the room actor's snapshot by
 * `selectRoomView` (see selectors). Both demo shells render only this, so call behaviour lives in core.
 */
import type { DeviceInfo } from './implementations.js';

export type RoomStatus =
  | 'acquiring-media' // asking for camera/microphone permission, waiting for getUserMedia
  | 'media-error' // permission denied / no device / busy / impossible constraints: waiting for a choice
  | 'connecting' // opening the signaling socket
  | 'ready' // media and signaling ready, waiting for JOIN (createRoom with `autoJoin: false`)
  | 'joining' // socket open, join sent
  | 'joined' // in the room (peers may still be negotiating)
  | 'reconnecting' // signaling socket lost, retrying with backoff
  | 'left' // left on purpose; everything released
  | 'failed'; // cannot go on (e.g. join refused); `error` says why

/** A way forward offered with an error; each maps to a room event (see RoomCommand). */
export type RecoveryAction = 'retry' | 'receive-only' | 'audio-only' | 'rejoin' | 'redial' | 'dismiss';

export interface ViewError {
  /** Stable machine-readable code, e.g. `media/permission-denied`, `signaling/unreachable`, `peer/ice-failed`. */
  code: string;
  /** A sentence a person understands, including what to do. */
  message: string;
  actions: RecoveryAction[];
  /** The peer a per-peer error is about (`redial` and `dismiss` act on it). */
  peerId?: string;
}

export interface StatsSample {
  at: number;
  rttMs: number | null;
  inboundKbps: number | null;
  outboundKbps: number | null;
  packetLossPct: number | null;
}

export interface PeerStatsView extends StatsSample {
  /** The last samples, oldest first (bounded), for a small chart. */
  history: StatsSample[];
}

/**
 * One peer's connection, in the words a tile shows:
 * `connecting` (first negotiation and ICE), `connected`, `interrupted` (disconnected, waiting a moment
 * for it to come back), `restarting` (ICE restarts on the same connection), `redialing` (a fresh
 * connection and negotiation after the restarts failed), `failed` (out of redials: `error` says why and
 * offers Redial / Dismiss), `closed` (hung up; the peer leaves the view).
 */
export type PeerStatus = 'connecting' | 'connected' | 'interrupted' | 'restarting' | 'redialing' | 'failed' | 'closed';

export interface PeerView {
  id: string;
  name: string;
  /** This side's perfect-negotiation role toward the peer. */
  polite: boolean;
  /** Where the connection to this peer stands (see PeerStatus). */
  status: PeerStatus;
  /** One-line plain-words status, e.g. "Connected", "Reconnecting (ICE restart 1 of 4)". */
  statusText: string;
  /** The peer machine's state value, flattened with dots. */
  stateValue: string;
  connectionState: RTCPeerConnectionState;
  iceConnectionState: RTCIceConnectionState;
  signalingState: RTCSignalingState;
  /** Camera + microphone stream of the peer, once its first track arrived. */
  stream: MediaStream | null;
  /** The peer's screen-share stream while it shares. */
  screenStream: MediaStream | null;
  /** What the peer says of its own media (sent over the data channel). */
  remoteAudioMuted: boolean;
  remoteVideoOff: boolean;
  dataChannelOpen: boolean;
  stats: PeerStatsView | null;
  error: ViewError | null;
  /**
   * Loudness of the peer's received audio, 0..1 in steps of 0.05, ~8 samples a second; 0 while it is
   * muted, has no audio, or without a `meterAudio` implementation (see Implementations). Only the room's
   * view has it: `selectPeerView` on a peer snapshot alone gives 0.
   */
  audioLevel: number;
}

export interface LocalMediaView {
  /** Camera + microphone preview, null when receive-only or not acquired yet. */
  stream: MediaStream | null;
  screenStream: MediaStream | null;
  receiveOnly: boolean;
  hasAudio: boolean;
  hasVideo: boolean;
  micMuted: boolean;
  cameraOff: boolean;
  sharingScreen: boolean;
  /**
   * Cameras, microphones and speakers (`kind` `videoinput`, `audioinput`, `audiooutput`) as
   * `enumerateDevices()` lists them, kept current on `devicechange`. Listed once camera or microphone
   * are live (before the permission prompt browsers give no ids or labels); empty before and when receive-only.
   */
  devices: DeviceInfo[];
  /**
   * The camera and microphone in use (their tracks' `deviceId`; null without that track). The speaker is
   * the app's choice among the `audiooutput` devices: it applies it to its media elements with
   * `setSinkId` where the browser has it (the `sinkId` prop of PeerVideo in @peerchart/react and @peerchart/vue).
   */
  selectedDevices: { audioinput: string | null; videoinput: string | null };
  /**
   * Loudness of the local microphone, 0..1 in steps of 0.05, ~8 samples a second, from the moment it is
   * live (before joining too, e.g. a pre-join meter); 0 while muted, without a microphone, or without a
   * `meterAudio` implementation (see Implementations).
   */
  audioLevel: number;
}

export interface SignalingView {
  status: 'connecting' | 'open' | 'reconnecting' | 'closed';
  attempt: number;
  /** Epoch ms of the next reconnect attempt while reconnecting (for a countdown), else null. */
  nextRetryAt: number | null;
}

export interface RoomView {
  room: string;
  selfId: string | null;
  selfName: string;
  status: RoomStatus;
  /** Plain words for the status, e.g. "In the call with 2 people". */
  statusText: string;
  /**
   * The room machine's state value, flattened with dots, its parallel regions joined by " | ", e.g.
   * "call.media.settled | call.signaling.open | call.membership.member.joined.iceServersValid".
   */
  stateValue: string;
  error: ViewError | null;
  local: LocalMediaView;
  peers: PeerView[];
  signaling: SignalingView;
  /**
   * Who is speaking: `selfId` or a peer's id, the loudest participant at speech level or above (0.25 with the browser's `watchAudioLevels`);
   * keeps the role through pauses shorter than a second, so it does not flap; null when nobody speaks
   * (and for oneself before joining, while `selfId` is null).
   */
  activeSpeakerId: string | null;
}
