/**
 * Serializing the relayed form of a directed message: a per-message step of the relay's hot path.
 * (Decoding is `parseClientMessage` from `@peerchart/core`, which already takes the fast path.)
 */
import type { DirectedMessage } from '@peerchart/core/protocol';

/**
 * The relayed form of a directed message, serialized: as sent minus `to` and `ref`, plus the
 * server-stamped `from`, field by field (nothing else from the client's object leaks through). Built
 * as a string — the same bytes as `JSON.stringify` of `{type, room, from, ...payload}` — because
 * `type` is a known literal and `room`/`from` are validated ids (`A-Z a-z 0-9 _ -`) that need no
 * escaping; only the payload goes through `JSON.stringify`.
 */
export function relayedFrame(message: DirectedMessage, from: string): string {
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
