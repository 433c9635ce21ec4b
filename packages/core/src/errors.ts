/**
 * Typed errors of the call, one place. Each carries a stable `code` (shown by the shells through
 * `ViewError.code`) and a human `message`; `detail` keeps the underlying cause for logs.
 * Nothing throws these: actors report them as events and machines keep them in context.
 */

// ── Peer connection (one per remote participant) ────────────────────────────────────────────────
export const PEER_ERROR_CODES = [
  /** The RTCPeerConnection could not be built (bad configuration, closed factory, …). */
  'peer/create-failed',
  /** createOffer / createAnswer / setLocalDescription / setRemoteDescription failed. */
  'peer/negotiation-failed',
  /** ICE could not (re)connect within the bounded number of ICE restarts. */
  'peer/ice-failed',
  /** The transport was closed underneath us (connection or data channel closed) without a bye. */
  'peer/transport-lost',
] as const;
export type PeerErrorCode = (typeof PEER_ERROR_CODES)[number];

export interface PeerError {
  code: PeerErrorCode;
  message: string;
  detail?: string;
}

const PEER_ERROR_MESSAGES: Record<PeerErrorCode, string> = {
  'peer/create-failed': 'Could not set up a connection to this participant.',
  'peer/negotiation-failed': 'Setting up the connection to this participant failed.',
  'peer/ice-failed': 'The network path to this participant broke and could not be restored.',
  'peer/transport-lost': 'The connection to this participant closed unexpectedly.',
};

export function peerError(code: PeerErrorCode, detail?: string): PeerError {
  return detail === undefined ? { code, message: PEER_ERROR_MESSAGES[code] } : { code, message: PEER_ERROR_MESSAGES[code], detail };
}

/** A thrown value as a short string, for `detail` fields and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

// ── Application data (`DATA.SEND`), reported by the room's `data-error` event ──────────────────
export const DATA_ERROR_CODES = [
  /** Larger than `PEER_DATA_LIMITS.message` bytes. */
  'data/too-large',
  /** Not bytes and without a JSON form (a function, `undefined`, a cycle, a BigInt). */
  'data/not-serializable',
  /** No connection to that peer: unknown id, left, redialling or failed; or its channel closed with messages queued. */
  'data/peer-gone',
  /** More than `PEER_DATA_LIMITS.queue` bytes already wait for that peer. */
  'data/queue-full',
  /** A `Blob` whose bytes could not be read when its turn came. */
  'data/unreadable',
] as const;
export type DataErrorCode = (typeof DATA_ERROR_CODES)[number];

// ── What reaches `RoomView.error` ────────────────────────────────────────────────────────────────
/**
 * Every `code` a room's `view.error` can carry; the error table of README.md lists exactly these
 * (errors.test.ts checks both the table and that the machines produce no other code). A join the
 * server refuses for another reason than the three below shows as `join/<server error code>`.
 * Per-peer errors (`PEER_ERROR_CODES`) are on that peer's `PeerView.error` only (while it is `failed`).
 */
export const VIEW_ERROR_CODES = [
  'media/permission-denied',
  'media/no-camera',
  'media/no-microphone',
  'media/device-busy',
  'media/constraints',
  'media/unknown',
  'media/switch-failed',
  'media/device-lost',
  'media/screen-failed',
  'signaling/unreachable',
  'signaling/replaced',
  'join/unauthorized',
  'join/room-full',
  'join/too-many-rooms',
] as const;
export type ViewErrorCode = (typeof VIEW_ERROR_CODES)[number];
