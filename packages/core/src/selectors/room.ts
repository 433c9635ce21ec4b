import type { RoomCommand } from '../commands.js';
import type { RoomSnapshot } from '../machines/room.machine.js';
import { SELF } from '../machines/room/types.js';
import type { RecoveryAction, RoomStatus, RoomView, ViewError } from '../view.js';
import { flattenStateValue } from './peer.js';

function statusOf(snapshot: RoomSnapshot): RoomStatus {
  if (snapshot.value === 'left') return 'left';
  const { media, signaling, membership } = snapshot.value.call;
  if (membership === 'failed') return 'failed';
  if (media !== 'settled') return media === 'error' ? 'media-error' : 'acquiring-media';
  if (signaling === 'reconnecting' || snapshot.matches({ call: { membership: { member: 'resuming' } } })) return 'reconnecting';
  if (snapshot.matches({ call: { membership: { member: 'joined' } } })) return 'joined';
  if (membership === 'joining' || membership === 'ready') return membership;
  return 'connecting';
}

const people = (count: number) => (count === 1 ? '1 person' : `${count} people`);

function statusText(status: RoomStatus, room: string, peerCount: number, error: ViewError | null): string {
  switch (status) {
    case 'acquiring-media':
      return 'Waiting for camera and microphone…';
    case 'media-error':
      return 'Camera or microphone unavailable';
    case 'connecting':
      return 'Connecting to the server…';
    case 'ready':
      return `Ready to join room ${room}`;
    case 'joining':
      return `Joining room ${room}…`;
    case 'joined':
      return peerCount === 0 ? 'Waiting for others to join' : `In the call with ${people(peerCount)}`;
    case 'reconnecting':
      return 'Connection to the server lost, reconnecting…';
    case 'left':
      return 'You left the call';
    case 'failed':
      return error?.message ?? 'The call could not continue';
  }
}

const views = new WeakMap<RoomSnapshot, RoomView>();

/**
 * The room as a user interface shows it. Memoized per snapshot (the same snapshot gives the same
 * object), so `useSelector(room.actor, selectRoomView)` in React or Vue re-renders only on change.
 */
export function selectRoomView(snapshot: RoomSnapshot): RoomView {
  const cached = views.get(snapshot);
  if (cached) return cached;
  const { context } = snapshot;
  const status = statusOf(snapshot);
  const peers = Object.values(context.peers).map((entry) => entry.view);
  const signalingLost: ViewError | null =
    status === 'reconnecting'
      ? {
          code: 'signaling/unreachable',
          message: `Cannot reach the server (attempt ${context.signalingView.attempt}); retrying. Connected calls go on.`,
          actions: ['retry'],
        }
      : null;
  const error = context.error ?? (status === 'media-error' ? context.mediaError : null) ?? signalingLost ?? context.mediaError;
  const view: RoomView = {
    room: context.room,
    selfId: context.selfId,
    selfName: context.name,
    status,
    statusText: statusText(status, context.room, peers.length, error),
    stateValue: flattenStateValue(snapshot.value),
    error,
    local: context.local,
    peers,
    signaling: context.signalingView,
    activeSpeakerId: context.activeSpeaker === SELF ? context.selfId : context.activeSpeaker,
  };
  views.set(snapshot, view);
  return view;
}

/** The command that carries out a recovery action offered with `error` (a `retry` means different things). */
export function commandForAction(action: RecoveryAction, error: ViewError | null): RoomCommand {
  switch (action) {
    case 'retry':
      return error?.code.startsWith('signaling/') ? { type: 'SIGNALING.RETRY_NOW' } : { type: 'MEDIA.RETRY' };
    case 'receive-only':
      return { type: 'MEDIA.RECEIVE_ONLY' };
    case 'audio-only':
      return { type: 'MEDIA.AUDIO_ONLY' };
    case 'rejoin':
      return { type: 'REJOIN' };
    case 'redial':
      return { type: 'PEER.REDIAL', peerId: error?.peerId ?? '' };
    case 'dismiss':
      return { type: 'PEER.DISMISS', peerId: error?.peerId ?? '' };
  }
}
