/**
 * The peer machine's event alphabet for the pure tests (model coverage, random properties): what
 * the room, the remote, the connection and the timers may send a peer at any moment. Tracks and
 * streams are bare stand-ins: the pure tests never build a connection, they only read ids and kinds.
 */
import type { AnyEventObject } from 'xstate';
import type { PcEvent } from '../actors/peer-connection.js';
import { peerMachine, type PeerCommandEvent, type PeerInput } from '../machines/peer.machine.js';

/** The peer machine as the pure tests step it (what it emits shows as `xstate.emit` actions). */
export const purePeerMachine = peerMachine;

export const stubTrack = (kind: 'audio' | 'video', id: string) => ({ kind, id }) as unknown as MediaStreamTrack;
export const stubStream = (id: string, tracks: MediaStreamTrack[]) => ({ id, getTracks: () => tracks }) as unknown as MediaStream;

export const STUB_CAMERA = stubStream('cam', [stubTrack('audio', 'mic'), stubTrack('video', 'cam-video')]);
/** The camera part of a LOCAL.MEDIA event for a stream. */
const cameraOf = (stream: MediaStream | null) => ({
  audio: stream?.getTracks().find((track) => track.kind === 'audio') ?? null,
  video: stream?.getTracks().find((track) => track.kind === 'video') ?? null,
  stream,
});
const screen = stubStream('screen', [stubTrack('video', 'screen-video')]);
const remoteCamera = stubStream('remote-cam', [stubTrack('audio', 'r-mic'), stubTrack('video', 'r-cam')]);

/** A pure peer's input: the connection factory throws, as none may ever be built. */
export function purePeerInput(flags: Pick<PeerInput, 'polite' | 'initiator'> & { localStream?: MediaStream | null }): PeerInput {
  return {
    peerId: 'remote',
    name: 'Remote',
    polite: flags.polite,
    initiator: flags.initiator,
    iceServers: [],
    localStream: flags.localStream ?? null,
    createPeerConnection: () => {
      throw new Error('pure test: no connection is ever built');
    },
    onAppData: () => {},
    timing: { iceRestartMaxAttempts: 2, redialMaxAttempts: 1 },
  };
}

/** From the room and, through it, the remote. */
export const COMMAND_EVENTS: readonly PeerCommandEvent[] = [
  { type: 'SIGNAL.OFFER', sdp: 'a=ice-ufrag:first' },
  // New ICE credentials: the remote restarts ICE.
  { type: 'SIGNAL.OFFER', sdp: 'a=ice-ufrag:second' },
  { type: 'SIGNAL.ANSWER', sdp: 'remote-answer' },
  { type: 'SIGNAL.CANDIDATE', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0' } },
  { type: 'SIGNAL.CANDIDATE', candidate: null },
  { type: 'SIGNAL.BYE', reason: 'leave' },
  // Muted, with the camera switched (replaceTrack); the microphone gone; a screen share (a sender added); none again.
  { type: 'LOCAL.MEDIA', ...cameraOf(STUB_CAMERA), video: stubTrack('video', 'cam2'), screen: null, audioMuted: true, videoOff: false },
  { type: 'LOCAL.MEDIA', ...cameraOf(STUB_CAMERA), audio: null, screen: null, audioMuted: false, videoOff: true },
  { type: 'LOCAL.MEDIA', ...cameraOf(STUB_CAMERA), screen: { track: stubTrack('video', 'screen-video'), stream: screen }, audioMuted: false, videoOff: false },
  { type: 'LOCAL.MEDIA', ...cameraOf(null), screen: null, audioMuted: false, videoOff: false },
  { type: 'DATA.SEND', data: { hello: 1 } },
  { type: 'HANGUP' },
  { type: 'SIGNAL.BYE', reason: 'redial' },
  { type: 'REDIAL' },
  { type: 'DISMISS' },
  { type: 'RESTART_ICE' },
  { type: 'SET_ICE_SERVERS', iceServers: [{ urls: 'turn:203.0.113.10:3478', username: 'u', credential: 'fresh' }] },
  { type: 'RENEGOTIATE' },
];

/** From the connection, unasked (not the result of a command). */
export const CONNECTION_EVENTS: readonly PcEvent[] = [
  { type: 'PC.ICE_CANDIDATE', candidate: { candidate: 'candidate:2 1 udp 1 10.0.0.2 9 typ host', sdpMid: '0' } },
  { type: 'PC.ICE_CANDIDATE', candidate: null },
  { type: 'PC.NEGOTIATION_NEEDED' },
  ...(['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed'] as const).map(
    (state): PcEvent => ({ type: 'PC.CONNECTION_STATE', state }),
  ),
  { type: 'PC.ICE_CONNECTION_STATE', state: 'connected' },
  { type: 'PC.ICE_CONNECTION_STATE', state: 'checking' },
  { type: 'PC.SIGNALING_STATE', state: 'have-local-offer' },
  { type: 'PC.DATA_OPEN' },
  { type: 'PC.DATA_CLOSED' },
  { type: 'PC.DATA_MESSAGE', message: { type: 'media-state', audioMuted: true, videoOff: true, screen: true } },
  { type: 'PC.DATA_INVALID', reason: 'not json' },
  { type: 'PC.REMOTE_STREAM', streamId: 'remote-cam', stream: remoteCamera },
  { type: 'PC.REMOTE_TRACK_REMOVED', streamId: 'remote-cam', trackId: 'r-mic', streamEmpty: false },
  { type: 'PC.REMOTE_TRACK_REMOVED', streamId: 'remote-cam', trackId: 'r-cam', streamEmpty: true },
  { type: 'PC.STATS', sample: { at: 1, rttMs: 5, inboundKbps: 1, outboundKbps: 1, packetLossPct: 0 } },
];

const timerFired = (state: string, delay: string): AnyEventObject => ({
  type: `xstate.after.${delay}.peer.active.session.connection.${state}`,
});

/** The connection region's timers firing. */
export const TIMER_EVENTS: readonly AnyEventObject[] = [
  timerFired('disconnected', 'disconnectedGrace'),
  timerFired('restarting', 'iceRestartBackoff'),
  { type: 'xstate.after.redialBackoff.peer.redialing' },
];
