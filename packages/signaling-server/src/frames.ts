/**
 * The two per-message steps of the relay's hot path: decoding a client frame and serializing the
 * relayed form. Both use the protocol of `@peerchart/core` as it is (its schemas, its parser);
 * they only skip work that does not change the outcome.
 */
import { ClientMessageSchema, parseClientMessage, type ClientMessage, type DirectedMessage, type ParseResult } from '@peerchart/core/protocol';

type Validate = (value: unknown) => ClientMessage | undefined;

/**
 * The protocol's own schema per message type (the options of its `variant`), called through the
 * Standard Schema interface. The variant would pick the same schema by `type`; looking it up directly
 * skips the variant's dispatch, and the separate `ref` probe `parseClientMessage` does for its error
 * replies, which builds and discards issue objects whenever a frame has no `ref`.
 */
const VALIDATORS: ReadonlyMap<string, Validate> = new Map(
  ClientMessageSchema.options.map((schema): [string, Validate] => {
    const standard = schema['~standard'];
    return [
      schema.entries.type.literal,
      (value) => {
        const result = standard.validate(value);
        // The protocol's schemas are synchronous; anything else takes the canonical path below.
        if (result instanceof Promise || result.issues !== undefined) return undefined;
        return result.value;
      },
    ];
  }),
);

/**
 * Parse a client frame once and validate it, with exactly `parseClientMessage`'s result: a frame that
 * passes its type's schema is accepted as is; any other frame goes through `parseClientMessage`,
 * which produces the typed error, message and `ref` the client gets (refused frames are few: they
 * count towards the invalid-frame limit).
 */
export function decodeClientFrame(text: string): ParseResult<ClientMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return parseClientMessage(text);
  }
  if (typeof value === 'object' && value !== null) {
    const message = VALIDATORS.get((value as { type?: unknown }).type as string)?.(value);
    if (message !== undefined) return { ok: true, message };
  }
  return parseClientMessage(text);
}

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
