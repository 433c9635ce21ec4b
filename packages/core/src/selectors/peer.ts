import type { SnapshotFrom, StateValue } from 'xstate';
import type { PeerError } from '../errors.js';
import type { PeerContext, peerMachine, RemoteStream } from '../machines/peer.machine.js';
import type { PeerStatsView, PeerView, ViewError } from '../view.js';

export type PeerSnapshot = SnapshotFrom<typeof peerMachine>;

/** Leaf paths of a state value, e.g. `active.session.negotiation.stable`, joined with ` | ` for parallel regions. */
export function flattenStateValue(value: StateValue): string {
  if (typeof value === 'string') return value;
  const paths: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const inner = flattenStateValue(child as StateValue);
    for (const leaf of inner.split(' | ')) paths.push(leaf ? `${key}.${leaf}` : key);
  }
  return paths.join(' | ');
}

function toViewError(error: PeerError | null): ViewError | null {
  return error ? { code: error.code, message: error.message, actions: ['rejoin'] } : null;
}

/** Camera stream vs screen stream: the remote's own word (stream ids in `media-state`) first, order second. */
function pickStreams(context: PeerContext): { stream: MediaStream | null; screenStream: MediaStream | null } {
  const { remoteStreams, remoteMedia } = context;
  const live = remoteStreams.filter((entry) => entry.trackIds.length > 0);
  const byId = (id: string | null): RemoteStream | undefined => (id ? live.find((entry) => entry.id === id) : undefined);
  const screen = remoteMedia.screen
    ? (byId(remoteMedia.screenStreamId) ??
      (remoteMedia.screenStreamId === null ? live.find((entry) => entry.id !== remoteMedia.cameraStreamId && entry !== live[0]) : undefined))
    : undefined;
  const camera = byId(remoteMedia.cameraStreamId) ?? live.find((entry) => entry !== screen && entry.id !== remoteMedia.screenStreamId);
  return { stream: camera?.stream ?? null, screenStream: screen?.stream ?? null };
}

function statsView(context: PeerContext): PeerStatsView | null {
  const last = context.stats[context.stats.length - 1];
  return last ? { ...last, history: context.stats } : null;
}

function statusText(snapshot: PeerSnapshot): string {
  const { context } = snapshot;
  if (snapshot.status === 'done' || snapshot.matches('closed')) {
    switch (context.closeReason) {
      case 'remote-hangup':
        return 'Left the call';
      case 'hangup':
        return 'Hung up';
      default:
        return context.error ? `Disconnected: ${context.error.message}` : 'Disconnected';
    }
  }
  if (snapshot.matches({ active: 'creatingPeerConnection' })) return 'Setting up';
  const connection = (state: 'connected' | 'disconnected' | 'restarting') => snapshot.matches({ active: { session: { connection: state } } });
  if (connection('restarting')) {
    return `Reconnecting (ICE restart ${context.iceRestartAttempts} of ${context.timing.iceRestartMaxAttempts})`;
  }
  if (connection('disconnected')) return 'Connection interrupted, waiting for it to recover';
  if (connection('connected')) return 'Connected';
  return 'Connecting';
}

const cache = new WeakMap<PeerSnapshot, PeerView>();

/** What a shell shows of one peer. Memoized per snapshot object, so unchanged snapshots give the same view. */
export function selectPeerView(snapshot: PeerSnapshot): PeerView {
  const cached = cache.get(snapshot);
  if (cached) return cached;
  const { context } = snapshot;
  const view: PeerView = {
    id: context.peerId,
    name: context.name,
    polite: context.polite,
    statusText: statusText(snapshot),
    stateValue: flattenStateValue(snapshot.value as StateValue),
    connectionState: context.connectionState,
    iceConnectionState: context.iceConnectionState,
    signalingState: context.signalingState,
    ...pickStreams(context),
    remoteAudioMuted: context.remoteMedia.audioMuted,
    remoteVideoOff: context.remoteMedia.videoOff,
    dataChannelOpen: context.dataChannelOpen,
    stats: statsView(context),
    error: toViewError(context.error),
  };
  cache.set(snapshot, view);
  return view;
}
