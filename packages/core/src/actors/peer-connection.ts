import { fromCallback } from 'xstate';
import { describeError } from '../errors.js';
import type { Implementations, PeerConnectionLike, RtpSenderLike } from '../implementations.js';
import type { IceCandidate } from '../protocol/primitives.js';
import type { PeerData } from '../protocol/peer-data.js';
import { parsePeerMessage, type PeerMessage } from '../protocol/peer-messages.js';
import type { LocalMedia } from '../machines/peer/types.js';
import type { StatsSample } from '../view.js';
import { openAppData, type AppDataEvent } from './app-data.js';
import { startStatsPolling } from './peer-stats.js';

/**
 * The one place that touches an RTCPeerConnection. The peer machine drives it with `PC.*` commands
 * (each WebRTC operation is one command, so each step is a state of the machine) and this actor
 * reports back with `PC.*` events. Only DOM-standard members are used, so a browser's
 * RTCPeerConnection and werift's (Node) both fit.
 *
 * Operations that touch descriptions, candidates or senders run strictly one after another (a
 * promise chain), in the order the machine sent them: the result of a superseded step therefore
 * always reaches the machine before the result of the step that superseded it, and the machine
 * ignores results it no longer waits for. Nothing throws out of here: a failed operation becomes
 * `PC.OP_FAILED`.
 */

export type DescriptionType = 'offer' | 'answer';
export type SessionDescription = { type: DescriptionType; sdp: string };
export type MediaKind = 'audio' | 'video';

/** Commands the peer machine sends to this actor. */
export type PcCommand =
  /**
   * Make the description and apply it, in one `setLocalDescription()` (one browser step, not two); the
   * `PC.SET_LOCAL` that follows with it then only confirms it. An ICE restart calls `restartIce()` first.
   */
  | { type: 'PC.CREATE_OFFER'; iceRestart: boolean }
  | { type: 'PC.CREATE_ANSWER' }
  | { type: 'PC.SET_LOCAL'; description: SessionDescription }
  /** A remote offer in `have-local-offer` rolls the local offer back implicitly (browsers and werift). */
  | { type: 'PC.SET_REMOTE'; description: SessionDescription }
  /** `null` = end-of-candidates. */
  | { type: 'PC.ADD_CANDIDATE'; candidate: RTCIceCandidateInit | null }
  /** setConfiguration with new ICE servers (fresh TURN credentials); the rest of the configuration stays. */
  | { type: 'PC.SET_ICE_SERVERS'; iceServers: RTCIceServer[] }
  | { type: 'PC.SET_TRACK'; kind: MediaKind; track: MediaStreamTrack | null; stream: MediaStream | null }
  | { type: 'PC.ADD_SCREEN'; track: MediaStreamTrack; stream: MediaStream }
  | { type: 'PC.REMOVE_SCREEN' }
  | { type: 'PC.SEND'; message: PeerMessage }
  /** Application data (the room's command, passed on): checked, then queued until its channel can take it (app-data.ts). */
  | { type: 'DATA.SEND'; data: PeerData }
  | { type: 'PC.STATS_START'; intervalMs: number }
  | { type: 'PC.STATS_STOP' };

export type PcOperation =
  | 'createOffer'
  | 'createAnswer'
  | 'setLocalOffer'
  | 'setLocalAnswer'
  | 'setRemoteOffer'
  | 'setRemoteAnswer'
  | 'addCandidate'
  | 'media';

/** Events this actor reports to the peer machine. */
export type PcEvent =
  | { type: 'PC.CREATED' }
  | { type: 'PC.CREATE_FAILED'; message: string }
  | { type: 'PC.OFFER_CREATED'; sdp: string }
  | { type: 'PC.ANSWER_CREATED'; sdp: string }
  | { type: 'PC.LOCAL_SET'; description: SessionDescription }
  | { type: 'PC.REMOTE_SET'; descriptionType: DescriptionType }
  | { type: 'PC.OP_FAILED'; op: PcOperation; message: string }
  /** A gathered local candidate; `null` = gathering complete. */
  | { type: 'PC.ICE_CANDIDATE'; candidate: IceCandidate }
  | { type: 'PC.NEGOTIATION_NEEDED' }
  | { type: 'PC.CONNECTION_STATE'; state: RTCPeerConnectionState }
  | { type: 'PC.ICE_CONNECTION_STATE'; state: RTCIceConnectionState }
  | { type: 'PC.SIGNALING_STATE'; state: RTCSignalingState }
  /** The first track of a remote stream arrived (one event per stream, not per track). */
  | { type: 'PC.REMOTE_STREAM'; streamId: string; stream: MediaStream }
  /** A remote track stopped being received; `streamEmpty` when it was the stream's last one. */
  | { type: 'PC.REMOTE_TRACK_REMOVED'; streamId: string; trackId: string; streamEmpty: boolean }
  | { type: 'PC.DATA_OPEN' }
  | { type: 'PC.DATA_CLOSED' }
  | { type: 'PC.DATA_MESSAGE'; message: PeerMessage }
  | { type: 'PC.DATA_INVALID'; reason: string }
  | { type: 'PC.STATS'; sample: StatsSample };

export interface PeerConnectionInput {
  /** The remote peer: what the application-data events name. */
  peerId: string;
  createPeerConnection: Implementations['createPeerConnection'];
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  /** The tracks to send from the start (a redialled connection starts with what the old one sent). */
  sending: LocalMedia;
  /**
   * Where application data and its errors go: the room, past the peer machine (data is the app's, not the
   * call's state), so what still waits when the peer itself ends is reported as well.
   */
  onAppData: (event: AppDataEvent) => void;
}

/** The data channel every pair opens: negotiated out of band (id 0), so neither side waits for the other. */
export const DATA_CHANNEL = { label: 'peerchart', id: 0 } as const;

const REMOTE_DIRECTIONS: ReadonlyArray<string | null> = ['sendrecv', 'recvonly'];

/** A gathered candidate as plain JSON (browsers' and werift's `toJSON()`); absent or empty: end-of-candidates. */
/** A gathered candidate as it travels (the wire's `IceCandidate`); null = end-of-candidates. */
function toCandidateInit(candidate: RTCIceCandidate | null): IceCandidate {
  const line = candidate?.candidate;
  if (!line) return null;
  const { sdpMid, sdpMLineIndex, usernameFragment } = candidate.toJSON?.() ?? candidate;
  return { candidate: line, sdpMid, sdpMLineIndex, usernameFragment };
}

interface RemoteStreamEntry {
  stream: MediaStream;
  /** Remote track id → the transceiver that receives it. */
  tracks: Map<string, RTCRtpTransceiver | null>;
}

export const peerConnectionActor = fromCallback<PcCommand, PeerConnectionInput>(({ input, sendBack, receive }) => {
  let stopped = false;
  const report = (event: PcEvent) => {
    if (!stopped) sendBack(event);
  };

  let pc: PeerConnectionLike;
  try {
    // One transport for audio, video and data: fewer candidates, faster setup (every current browser bundles).
    pc = input.createPeerConnection({
      iceServers: input.iceServers,
      iceTransportPolicy: input.iceTransportPolicy,
      bundlePolicy: 'max-bundle',
    });
  } catch (error) {
    report({ type: 'PC.CREATE_FAILED', message: describeError(error) });
    return;
  }

  // ── Operations, strictly in order ───────────────────────────────────────────────────────────
  let chain: Promise<void> = Promise.resolve();
  /** Operations queued or running. */
  let pending = 0;
  const run = (op: PcOperation, step: () => Promise<void> | void) => {
    const attempt = async () => {
      if (stopped) return;
      try {
        await step();
      } catch (error) {
        report({ type: 'PC.OP_FAILED', op, message: describeError(error) });
      }
    };
    // With none before it, the operation starts at once: the browser works on it while the machines finish
    // their step and their observers run (as a promise job it would only start after all of them).
    chain = (pending++ ? chain.then(attempt) : attempt()).finally(() => pending--);
  };

  // ── Remote media, grouped per stream ────────────────────────────────────────────────────────
  const remoteStreams = new Map<string, RemoteStreamEntry>();
  const dropRemoteTrack = (streamId: string, trackId: string) => {
    const entry = remoteStreams.get(streamId);
    if (!entry || !entry.tracks.delete(trackId)) return;
    const streamEmpty = entry.tracks.size === 0;
    if (streamEmpty) remoteStreams.delete(streamId);
    report({ type: 'PC.REMOTE_TRACK_REMOVED', streamId, trackId, streamEmpty });
  };
  /** After a description is applied: tracks whose transceiver no longer receives are gone. */
  const sweepRemoteTracks = () => {
    for (const [streamId, entry] of [...remoteStreams]) {
      for (const [trackId, transceiver] of [...entry.tracks]) {
        if (!transceiver) continue;
        const receiving = !(transceiver as { stopped?: boolean }).stopped && REMOTE_DIRECTIONS.includes(transceiver.currentDirection);
        if (!receiving && transceiver.currentDirection !== null) dropRemoteTrack(streamId, trackId);
      }
    }
  };

  // ── Listeners (DOM on* handlers; all cleared in the cleanup) ───────────────────────────────
  const pcHandlers: Partial<RTCPeerConnection> = {
    onicecandidate: (event) => report({ type: 'PC.ICE_CANDIDATE', candidate: toCandidateInit(event.candidate) }),
    onnegotiationneeded: () => report({ type: 'PC.NEGOTIATION_NEEDED' }),
    onconnectionstatechange: () => report({ type: 'PC.CONNECTION_STATE', state: pc.connectionState }),
    oniceconnectionstatechange: () => report({ type: 'PC.ICE_CONNECTION_STATE', state: pc.iceConnectionState }),
    onsignalingstatechange: () => report({ type: 'PC.SIGNALING_STATE', state: pc.signalingState }),
    ontrack: (event) => {
      const stream = event.streams[0];
      if (!stream) return; // our senders always attach a stream; a bare track has nothing to group by
      let entry = remoteStreams.get(stream.id);
      const isNewStream = !entry;
      if (!entry) {
        entry = { stream, tracks: new Map() };
        remoteStreams.set(stream.id, entry);
        const target = stream as Partial<Pick<MediaStream, 'addEventListener'>>;
        // Browsers announce a removed remote track on its stream; werift does not (the sweep covers it).
        target.addEventListener?.('removetrack', (removal: MediaStreamTrackEvent) => dropRemoteTrack(stream.id, removal.track.id));
      }
      entry.tracks.set(event.track.id, event.transceiver ?? null);
      if (isNewStream) report({ type: 'PC.REMOTE_STREAM', streamId: stream.id, stream });
    },
  };
  Object.assign(pc, pcHandlers);

  const channel = pc.createDataChannel(DATA_CHANNEL.label, { negotiated: true, id: DATA_CHANNEL.id });
  channel.onopen = () => report({ type: 'PC.DATA_OPEN' });
  channel.onclose = () => report({ type: 'PC.DATA_CLOSED' });
  channel.onmessage = (event: MessageEvent) => {
    // Browsers and werift hand text messages over as strings; anything else is binary.
    const data: unknown = event.data;
    const parsed = typeof data === 'string' ? parsePeerMessage(data) : { ok: false as const, reason: 'binary message' };
    report(parsed.ok ? { type: 'PC.DATA_MESSAGE', message: parsed.message } : { type: 'PC.DATA_INVALID', reason: parsed.reason });
  };

  const [sendData, closeAppData] = openAppData(pc, input.peerId, (event) => (event.type === 'PC.DATA_INVALID' ? report(event) : input.onAppData(event)));

  // ── Local media ─────────────────────────────────────────────────────────────────────────────
  const cameraSenders = new Map<MediaKind, RtpSenderLike>();
  let screenSender: RtpSenderLike | null = null;
  let setupFailed = false;
  try {
    const { stream, screen } = input.sending;
    for (const kind of ['audio', 'video'] as const) {
      const track = input.sending[kind];
      if (track) cameraSenders.set(kind, stream ? pc.addTrack(track, stream) : pc.addTrack(track));
    }
    if (screen) screenSender = pc.addTrack(screen.track, screen.stream);
  } catch (error) {
    setupFailed = true;
    report({ type: 'PC.CREATE_FAILED', message: describeError(error) });
  }

  let stopStats: (() => void) | null = null;

  receive((command) => {
    if (stopped) return;
    switch (command.type) {
      case 'PC.CREATE_OFFER':
      case 'PC.CREATE_ANSWER': {
        const offer = command.type === 'PC.CREATE_OFFER';
        return run(offer ? 'createOffer' : 'createAnswer', async () => {
          // The offer makes new ICE credentials (what createOffer({ iceRestart: true }) would do).
          if (offer && command.iceRestart) pc.restartIce();
          // Made and applied in one step, as setLocalDescription() does without a description: Chromium
          // then skips a round trip to its WebRTC thread and parsing the SDP back (~3 ms per side of a call).
          await pc.setLocalDescription();
          report({ type: offer ? 'PC.OFFER_CREATED' : 'PC.ANSWER_CREATED', sdp: pc.localDescription?.sdp ?? '' });
        });
      }
      case 'PC.SET_LOCAL': {
        const { description } = command;
        return run(description.type === 'offer' ? 'setLocalOffer' : 'setLocalAnswer', async () => {
          // Applied already when PC.CREATE_* made it (unless candidates gathered since changed the SDP).
          if (pc.localDescription?.sdp !== description.sdp) await pc.setLocalDescription(description);
          if (description.type === 'answer') sweepRemoteTracks();
          // Send what the connection holds now (it may already carry gathered candidates).
          const sdp = pc.localDescription?.sdp || description.sdp;
          report({ type: 'PC.LOCAL_SET', description: { type: description.type, sdp } });
        });
      }
      case 'PC.SET_REMOTE': {
        const { description } = command;
        return run(description.type === 'offer' ? 'setRemoteOffer' : 'setRemoteAnswer', async () => {
          await pc.setRemoteDescription(description);
          // Only a finished exchange settles directions: after a remote offer, a transceiver it reuses still
          // shows its old currentDirection (say sendonly) until our answer is set, and its new track would go.
          if (description.type === 'answer') sweepRemoteTracks();
          report({ type: 'PC.REMOTE_SET', descriptionType: description.type });
        });
      }
      case 'PC.ADD_CANDIDATE': {
        const { candidate } = command;
        return run('addCandidate', () => (candidate ? pc.addIceCandidate(candidate) : pc.addIceCandidate()));
      }
      case 'PC.SET_ICE_SERVERS':
        // werift has no setConfiguration: there, new servers only reach connections made later.
        return run('media', () => pc.setConfiguration?.({ ...pc.getConfiguration(), iceServers: command.iceServers }));
      case 'PC.SET_TRACK': {
        const { kind, track, stream } = command;
        return run('media', async () => {
          const sender = cameraSenders.get(kind);
          if (sender) await sender.replaceTrack(track); // same sender: no renegotiation
          else if (track) cameraSenders.set(kind, stream ? pc.addTrack(track, stream) : pc.addTrack(track));
        });
      }
      case 'PC.ADD_SCREEN': {
        const { track, stream } = command;
        return run('media', () => {
          if (screenSender) pc.removeTrack(screenSender);
          screenSender = pc.addTrack(track, stream);
        });
      }
      case 'PC.REMOVE_SCREEN':
        return run('media', () => {
          if (screenSender) pc.removeTrack(screenSender);
          screenSender = null;
        });
      case 'PC.SEND':
        if (channel.readyState === 'open') {
          try {
            channel.send(JSON.stringify(command.message));
          } catch {
            // The channel closed between the check and the send; PC.DATA_CLOSED follows.
          }
        }
        return;
      case 'DATA.SEND':
        return sendData(command.data);
      case 'PC.STATS_START':
        stopStats?.();
        stopStats = startStatsPolling(pc, command.intervalMs, (sample) =>
          report({ type: 'PC.STATS', sample }),
        );
        return;
      case 'PC.STATS_STOP':
        stopStats?.();
        stopStats = null;
        return;
    }
  });

  // Reported after the listeners are in place, so no state change can be missed.
  if (!setupFailed) report({ type: 'PC.CREATED' });

  return () => {
    try {
      // What waits to be sent is reported (data/peer-gone), not dropped in silence, also when the peer itself ends.
      closeAppData();
    } catch {
      // already closed
    }
    stopped = true;
    stopStats?.();
    for (const name in pcHandlers) Object.assign(pc, { [name]: null });
    channel.onopen = channel.onclose = channel.onmessage = null;
    try {
      channel.close();
    } catch {
      // already closed
    }
    try {
      // werift's close() returns a promise; a browser's returns nothing.
      void Promise.resolve(pc.close() as unknown).catch(() => undefined);
    } catch {
      // already closed
    }
  };
});
