/**
 * Application data between peers: on its own negotiated data channel (`APP_DATA_CHANNEL`, id 1) beside
 * the chat/control one (id 0). A text frame is one JSON value, a binary frame is the bytes as sent.
 */

/** A JSON value as `JSON.stringify` writes it and `JSON.parse` gives it back. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** What an app may send: a JSON-serializable value, or bytes. */
export type PeerData = JsonValue | ArrayBuffer | ArrayBufferView | Blob;
/** What an app receives: the JSON value, or the bytes (always an `ArrayBuffer`). */
export type ReceivedPeerData = JsonValue | ArrayBuffer;

export const APP_DATA_CHANNEL = { label: 'peerchart-data', id: 1 } as const;

export const PEER_DATA_LIMITS = {
  /** Bytes per message (UTF-8 JSON text or binary): every browser's SCTP stack takes 64 KiB messages. */
  message: 65_536,
  /** The channel's `bufferedAmountLowThreshold`: more is sent only once the send buffer has drained to this. */
  bufferLow: 262_144,
  /** Bytes per peer waiting in the sender (for the channel to open, or for the buffer to drain). */
  queue: 16_777_216,
} as const;
