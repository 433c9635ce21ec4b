/**
 * The file-transfer wire format, carried by the data API (`DATA.SEND` / the room's `data` event): JSON control
 * messages whose `type` starts with `file.`, and binary chunk frames that start with a 16-byte header. Everything
 * else on the data channel is the app's and is left alone. docs/protocol.md, *File transfer*, describes it.
 */
import { PEER_DATA_LIMITS } from '../protocol/peer-data.js';

/** Where the file-transfer helper's failures come from (`view.error`). */
export const FILE_ERROR_CODES = [
  /** The bytes received do not match the sender's digest (or their count its size). */
  'file/integrity',
  /** The other peer left, or its connection closed mid-transfer. */
  'file/peer-gone',
  /** The sender could not read its file. */
  'file/read-failed',
  /** A message of the transfer could not be sent (the data API's `data/queue-full`). */
  'file/send-failed',
  /** The other side broke the protocol (a chunk out of order, more bytes than offered). */
  'file/protocol',
] as const;
export type FileErrorCode = (typeof FILE_ERROR_CODES)[number];

const HEADER = 16;
/** "PCF1": tells a chunk frame from the app's own binary messages. */
const MAGIC = 0x50_43_46_31;

export const FILE_TRANSFER_LIMITS = {
  /** File bytes per chunk: one data API message (64 KiB) less the header. */
  chunk: PEER_DATA_LIMITS.message - HEADER,
  /** Bytes the sender may have sent beyond the receiver's last `file.ack`: 16 chunks, far below the data API's 16 MiB queue. */
  window: 16 * (PEER_DATA_LIMITS.message - HEADER),
  /** The receiver acknowledges every this many bytes (and the last byte). */
  ackEvery: 4 * (PEER_DATA_LIMITS.message - HEADER),
} as const;

/** Which side of a transfer a `file.cancel` / `file.failed` comes from (the sender's id names the transfer). */
export type FileSide = 'sender' | 'receiver';

export type FileMessage =
  /** Sender → receiver: a file on offer; nothing else is sent until `file.accept`. */
  | { type: 'file.offer'; id: number; name: string; size: number; mime: string }
  | { type: 'file.accept'; id: number }
  /** Receiver → sender: bytes received and hashed so far (the sender's progress and flow control). */
  | { type: 'file.ack'; id: number; bytes: number }
  /** Sender → receiver, after the last chunk: hex SHA-256 of the chunks' SHA-256 digests, in order. */
  | { type: 'file.end'; id: number; digest: string }
  /** Receiver → sender: the digest matched; the file is complete. */
  | { type: 'file.done'; id: number }
  | { type: 'file.cancel'; id: number; by: FileSide }
  | { type: 'file.failed'; id: number; by: FileSide; code: FileErrorCode };

const isInt = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isSide = (value: unknown): value is FileSide => value === 'sender' || value === 'receiver';

/** The transfer message in `data` (a JSON value from the data API), or null when it is not one of ours or malformed. */
export function parseFileMessage(data: unknown): FileMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (!isInt(m.id)) return null;
  switch (m.type) {
    case 'file.offer':
      return typeof m.name === 'string' && isInt(m.size) && typeof m.mime === 'string' ? (m as FileMessage) : null;
    case 'file.ack':
      return isInt(m.bytes) ? (m as FileMessage) : null;
    case 'file.end':
      return typeof m.digest === 'string' ? (m as FileMessage) : null;
    case 'file.cancel':
      return isSide(m.by) ? (m as FileMessage) : null;
    case 'file.failed':
      return isSide(m.by) && FILE_ERROR_CODES.includes(m.code as FileErrorCode) ? (m as FileMessage) : null;
    case 'file.accept':
    case 'file.done':
      return m as FileMessage;
  }
  return null;
}

/** A chunk frame: magic, transfer id (uint32), byte offset (float64), all big-endian, then the bytes. */
export function encodeChunk(id: number, offset: number, bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER + bytes.byteLength);
  const header = new DataView(frame.buffer);
  header.setUint32(0, MAGIC);
  header.setUint32(4, id);
  header.setFloat64(8, offset);
  frame.set(bytes, HEADER);
  return frame;
}

export interface Chunk {
  id: number;
  offset: number;
  bytes: Uint8Array;
}

/** The chunk in a binary message, or null when it is not a chunk frame (the app's own bytes). */
export function decodeChunk(data: ArrayBuffer): Chunk | null {
  if (data.byteLength < HEADER) return null;
  const header = new DataView(data);
  if (header.getUint32(0) !== MAGIC) return null;
  return { id: header.getUint32(4), offset: header.getFloat64(8), bytes: new Uint8Array(data, HEADER) };
}

/** A fresh transfer id: random, so two senders' ids rarely meet (and the receiver keys them by sender anyway). */
export const newTransferId = (): number => crypto.getRandomValues(new Uint32Array(1))[0]!;

/**
 * The file's digest, chunk by chunk (`crypto.subtle` has no streaming hash, and neither side should hold the whole
 * file to hash it): SHA-256 over the concatenated SHA-256 digests of the chunks, as hex.
 */
export class ChunkDigest {
  private readonly digests: Promise<ArrayBuffer>[] = [];
  add(bytes: Uint8Array): Promise<ArrayBuffer> {
    const digest = crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
    this.digests.push(digest);
    return digest;
  }
  async hex(): Promise<string> {
    const all = await Promise.all(this.digests);
    const joined = new Uint8Array(all.length * 32);
    all.forEach((digest, i) => joined.set(new Uint8Array(digest), i * 32));
    const root = new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
    return Array.from(root, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }
}
