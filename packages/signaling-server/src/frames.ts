/**
 * Serializing the relayed form of a directed message: a per-message step of the relay's hot path.
 * (Decoding is `parseClientMessage` from `@peerchart/core`, which already takes the fast path.)
 */
import type { DirectedMessage, IceCandidate } from '@peerchart/core/protocol';

/** A frame as it arrived: its text, and its bytes (which ws has already checked to be UTF-8). */
export interface ReceivedFrame {
  text: string;
  bytes: Buffer;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The relayed form of a directed message, serialized: as sent minus `to` and `ref`, plus the
 * server-stamped `from`, field by field (nothing else from the client's object leaks through). Built
 * by hand — the same bytes as `JSON.stringify` of `{type, room, from, ...payload}` — because `type`
 * is a known literal and `room`/`from` are validated ids (`A-Z a-z 0-9 _ -`) that need no escaping.
 *
 * With the frame the message was parsed from, an SDP or ICE candidate is not serialized again: its
 * JSON text is copied from the frame's bytes (see `payloadEnd` for when that is exact), and the
 * result is a Buffer that goes to the socket as it is (no UTF-8 encoding on the way out).
 */
export function relayedFrame(message: DirectedMessage, from: string, received?: ReceivedFrame): string | Buffer {
  const copied = received && copiedFrame(message, from, received);
  if (copied) return copied;
  const head = `{"type":"${message.type}","room":"${message.room}","from":"${from}"`;
  switch (message.type) {
    case 'offer':
    case 'answer':
      return `${head},"sdp":${JSON.stringify(message.sdp)}}`;
    case 'candidate':
      return `${head},"candidate":${JSON.stringify(message.candidate)}}`;
    case 'bye':
      return message.reason === undefined ? `${head}}` : `${head},"reason":${JSON.stringify(message.reason)}}`;
    case 'app':
      // JSON.stringify leaves out a key whose value is undefined; so does this (JSON input never has one).
      return message.data === undefined ? `${head}}` : `${head},"data":${JSON.stringify(message.data)}}`;
  }
}

/** An SDP's or an ICE candidate's relayed frame, copying the payload from `received` (`null`, end of candidates, is shorter to write than to find). */
function copiedFrame(message: DirectedMessage, from: string, received: ReceivedFrame): Buffer | undefined {
  switch (message.type) {
    case 'offer':
    case 'answer':
      return spliced(message, from, received, '"sdp":', null);
    case 'candidate':
      return message.candidate ? spliced(message, from, received, '"candidate":', message.candidate) : undefined;
    default:
      return undefined;
  }
}

/** The relayed frame with the payload's `"key":value` copied from the received bytes; undefined when that is not provably exact. */
function spliced(message: DirectedMessage, from: string, received: ReceivedFrame, key: string, candidate: IceCandidate): Buffer | undefined {
  const { text, bytes } = received;
  // Pure ASCII (one byte per character), so that text offsets are byte offsets.
  if (text.length !== bytes.length) return undefined;
  const start = text.indexOf(key);
  const end = start < 0 ? -1 : payloadEnd(text, start + key.length, candidate);
  // A second occurrence of the key after the value: a duplicate key, whose last value is the one parsed.
  if (end < 0 || text.indexOf(key, end) >= 0) return undefined;
  const { type, room } = message;
  const headLength = HEAD_FIXED_LENGTH + type.length + room.length + from.length;
  const frame = Buffer.allocUnsafe(headLength + (end - start) + 1);
  // The head byte by byte: every character is ASCII, and this costs less than encoding a string.
  let at = writeAscii(frame, 0, '{"type":"');
  at = writeAscii(frame, at, type);
  at = writeAscii(frame, at, '","room":"');
  at = writeAscii(frame, at, room);
  at = writeAscii(frame, at, '","from":"');
  at = writeAscii(frame, at, from);
  at = writeAscii(frame, at, '",');
  bytes.copy(frame, at, start, end);
  frame[frame.length - 1] = CLOSE_BRACE;
  return frame;
}

/** Characters of the head besides type, room and from: `{"type":"` `","room":"` `","from":"` `",`. */
const HEAD_FIXED_LENGTH = 9 + 10 + 10 + 2;

function writeAscii(target: Buffer, at: number, ascii: string): number {
  for (let i = 0; i < ascii.length; i += 1) target[at + i] = ascii.charCodeAt(i);
  return at + ascii.length;
}

/**
 * Where the payload value that starts at `start` ends (exclusive), or -1 when that cannot be shown
 * cheaply. `text` is a frame `JSON.parse` accepted and the strict schema validated. The text
 * `"sdp":` / `"candidate":` always ends a key (a quote then `:` closes a key), and the schema allows
 * no other key of that name before the payload (the candidate object's own `candidate` key comes
 * after): so its first occurrence is the message's own key, or a key inside a value the parse threw
 * away (an earlier duplicate of a key) — and then the message's own key comes later, which the
 * caller's look for a later occurrence rules out.
 *
 * - An SDP (`candidate` null): a string token; it ends at the first quote, unless that quote
 *   follows a backslash (then the caller serializes instead).
 * - An ICE candidate: an object without nested objects or backslashes, where every quote delimits
 *   a string: it ends at its first `}` when an even number of quotes precede it (so that `}` is not
 *   inside a string), and the number of strings equals the parsed candidate's keys plus its string
 *   values (any duplicate key would add at least one more).
 */
function payloadEnd(text: string, start: number, candidate: IceCandidate): number {
  if (candidate === null) {
    if (text.charCodeAt(start) !== QUOTE) return -1;
    const close = text.indexOf('"', start + 1);
    return close > 0 && text.charCodeAt(close - 1) !== BACKSLASH ? close + 1 : -1;
  }
  if (text.charCodeAt(start) !== OPEN_BRACE) return -1;
  const close = text.indexOf('}', start);
  if (close < 0 || within(text, '{', start + 1, close) || within(text, '\\', start, close)) return -1;
  let quotes = 0;
  for (let at = text.indexOf('"', start); at >= 0 && at < close; at = text.indexOf('"', at + 1)) quotes += 1;
  return quotes === 2 * stringsIn(candidate) ? close + 1 : -1;
}

const within = (text: string, char: string, from: number, to: number): boolean => {
  const at = text.indexOf(char, from);
  return at >= 0 && at < to;
};

/** JSON strings in the candidate's serialization: one per key, one per string value. */
function stringsIn(candidate: NonNullable<IceCandidate>): number {
  let strings = 1 + 1; // `candidate` is required and a string
  for (const key of OPTIONAL_CANDIDATE_KEYS) {
    if (key in candidate) strings += typeof candidate[key] === 'string' ? 2 : 1;
  }
  return strings;
}

const OPTIONAL_CANDIDATE_KEYS = ['sdpMid', 'sdpMLineIndex', 'usernameFragment'] as const;
