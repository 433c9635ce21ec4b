import type { SnapshotFrom, StateValue } from 'xstate';
import type { PeerContext, peerMachine, RemoteStream } from '../machines/peer.machine.js';
import type { PeerStatsView, PeerStatus, PeerView, ViewError } from '../view.js';

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

/** Only a failed peer shows its error; while it redials, the status says what is happening. */
function toViewError(snapshot: PeerSnapshot): ViewError | null {
  const { error, peerId } = snapshot.context;
  if (!error || !snapshot.matches('failed')) return null;
  return { code: error.code, message: error.message, actions: ['redial', 'dismiss'], peerId };
}

function statusOf(snapshot: PeerSnapshot): PeerStatus {
  if (snapshot.status === 'done' || snapshot.matches('closed')) return 'closed';
  if (snapshot.matches('failed')) return 'failed';
  if (snapshot.matches('redialing')) return 'redialing';
  const connection = (state: string) => snapshot.matches({ active: { session: { connection: state } } } as never);
  if (connection('restarting')) return 'restarting';
  if (connection('disconnected')) return 'interrupted';
  if (connection('connected')) return 'connected';
  return 'connecting';
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

function statusText(snapshot: PeerSnapshot, status: PeerStatus): string {
  const { context } = snapshot;
  switch (status) {
    case 'closed':
      return context.closeReason === 'remote-hangup' ? 'Left the call' : 'Hung up';
    case 'failed':
      return 'Connection failed';
    case 'redialing':
      return `Redialing (attempt ${context.redialAttempts} of ${context.timing.redialMaxAttempts})`;
    case 'restarting':
      return `Reconnecting (ICE restart ${context.iceRestartAttempts} of ${context.timing.iceRestartMaxAttempts})`;
    case 'interrupted':
      return 'Connection interrupted, waiting for it to recover';
    case 'connected':
      return 'Connected';
    case 'connecting':
      return context.redialAttempts > 0 ? 'Connecting again' : 'Connecting';
  }
}

const cache = new WeakMap<PeerSnapshot, PeerView>();

/** What a shell shows of one peer. Memoized per snapshot object, so unchanged snapshots give the same view. */
export function selectPeerView(snapshot: PeerSnapshot): PeerView {
  const cached = cache.get(snapshot);
  if (cached) return cached;
  const { context } = snapshot;
  const status = statusOf(snapshot);
  const view: PeerView = {
    id: context.peerId,
    name: context.name,
    polite: context.polite,
    status,
    statusText: statusText(snapshot, status),
    stateValue: flattenStateValue(snapshot.value as StateValue),
    connectionState: context.connectionState,
    iceConnectionState: context.iceConnectionState,
    signalingState: context.signalingState,
    ...pickStreams(context),
    remoteAudioMuted: context.remoteMedia.audioMuted,
    remoteVideoOff: context.remoteMedia.videoOff,
    dataChannelOpen: snapshot.matches({ active: { session: { channel: 'open' } } }),
    stats: statsView(context),
    error: toViewError(snapshot),
    audioLevel: 0,
  };
  cache.set(snapshot, view);
  return view;
}
