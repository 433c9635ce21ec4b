import type { ActorRefFrom, AnyActorRef, SnapshotFrom } from 'xstate';
import type { AudioLevelsEvent } from '../../actors/audio-levels.js';
import type { NetworkChangedEvent } from '../../actors/network-watcher.js';
import type { RoomCommand } from '../../commands.js';
import type { Implementations } from '../../implementations.js';
import type { AppDataEvent } from '../../actors/app-data.js';
import type { PeerInfo } from '../../protocol/index.js';
import type { LocalMediaView, PeerView, SignalingView, ViewError } from '../../view.js';
import type { mediaMachine, MediaRequest, MediaSnapshot } from '../media.machine.js';
import type { peerMachine, PeerInput, PeerEmitted } from '../peer.machine.js';
import type { SignalingEmitted, signalingMachine, SignalingTiming } from '../signaling.machine.js';

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
   * Join as soon as media and signaling are ready (the default). `false` stops short in
   * `call.membership.ready` (media live, signaling greeted) until a JOIN command: a pre-join screen, and a
   * call that starts without the socket and greeting round trips.
   */
  autoJoin?: boolean;
  implementations: Implementations;
  /** Overrides the ICE servers the signaling server hands out (and so turns off their renewal). */
  iceServers?: RTCIceServer[];
  /** `relay`: only TURN relay candidates are gathered and signalled, so no local address is revealed. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  timing?: RoomTiming;
}

/** The local participant's key among the audio levels (a peer id is never empty). */
export const SELF = '';

/** TURN credentials are renewed when this share of their lifetime has passed. */
export const ICE_SERVERS_RENEWAL_AT = 0.75;


type PeerRef = ActorRefFrom<typeof peerMachine>;
export type PeerSnapshot = SnapshotFrom<typeof peerMachine>;

export interface PeerEntry {
  info: PeerInfo;
  ref: PeerRef;
  bridge: AnyActorRef;
  view: PeerView;
}

/** A member to call (`initiator`) or to wait for. */
export interface NewPeer {
  info: PeerInfo;
  initiator: boolean;
}

/** Whether we are a member, whether media and signaling are ready: the room's states, not fields. */
export interface RoomContext extends RoomInput {
  selfId: string | null;
  /** In join order. */
  peers: Record<string, PeerEntry>;
  /** A room-level failure (join refused, identity taken over); media and signaling trouble come from their own views. */
  error: ViewError | null;
  local: LocalMediaView;
  mediaError: ViewError | null;
  mediaActor: ActorRefFrom<typeof mediaMachine>;
  signalingActor: ActorRefFrom<typeof signalingMachine>;
  /** The signaling actor's last report, shown as it is (attempt, countdown); the `signaling` region's states are what the room acts on. */
  signalingView: SignalingView;
  joinedIceServers: RTCIceServer[];
  /** Lifetime of the credentials in `joinedIceServers` (from `joined` / `ice-servers`); null: they do not expire. */
  iceServersTtlMs: number | null;
  /** Who speaks (SELF or a peer id), from the last AUDIO.LEVELS; the view turns SELF into `selfId`. */
  activeSpeaker: string | null;
}

/** Events the room emits (`actor.on(type, listener)`): application data from peers, and data that could not be sent. */
export type RoomEmitted = AppDataEvent;

export type RoomEvent =
  | RoomCommand
  | SignalingEmitted
  | { type: 'MEDIA.UPDATE'; snapshot: MediaSnapshot }
  | { type: 'PEER.UPDATE'; peerId: string; snapshot: PeerSnapshot }
  | NetworkChangedEvent
  | AudioLevelsEvent
  | PeerEmitted
  | AppDataEvent;
