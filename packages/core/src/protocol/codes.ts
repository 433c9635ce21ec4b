/**
 * Typed error codes carried by the server's `error` frame, and the WebSocket close codes it uses.
 * One list, shared by server and clients, so neither side ever matches on free text.
 */
export const ERROR_CODES = [
  /** The frame is not valid JSON (or not text). */
  'invalid-json',
  /** The JSON has a known `type` but the wrong shape; `message` names the first offending field. */
  'invalid-message',
  /** The JSON has no `type`, or one this protocol does not know. */
  'unknown-type',
  /** `hello.v` is not a version this server speaks. */
  'unsupported-version',
  /** A message other than `hello` arrived before the `welcome`. */
  'hello-required',
  /** A second `hello` on the same socket. */
  'already-greeted',
  /** The sender is not a member of the room the message names. */
  'not-in-room',
  /** The target is not a member of that room (a member of another room counts as unknown). */
  'unknown-peer',
  /** The room already has its maximum number of members. */
  'room-full',
  /** The socket is already in its maximum number of rooms. */
  'too-many-rooms',
  /** The socket sent faster than its rate limit; the message was dropped. */
  'rate-limited',
  /** The room requires a join ticket and the one given is missing, invalid, expired or for another room. */
  'unauthorized',
  /** The target is away (reconnecting) and its mailbox is full, or its resume window lapsed. */
  'undeliverable',
  /** The server cannot reach the state it shares with other instances (Redis) right now; retry later. */
  'unavailable',
  /** A server-side fault; the socket stays usable. */
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The close code for a socket whose identity resumed on a newer one. A constant of its own because it
 * is the one a client acts on (it must not reconnect): the client bundle takes it without the table.
 */
export const CLOSE_REPLACED = 4004;

/** WebSocket close codes the server sends, and what each means. */
export const CLOSE_CODES = {
  /** Server shutting down (graceful): reconnect elsewhere or later. */
  goingAway: 1001,
  /** Frame larger than the server's max payload. */
  messageTooBig: 1009,
  /** Internal error while handling the socket. */
  internalError: 1011,
  /** The socket kept sending past its rate limit after being warned. */
  rateLimitAbuse: 4001,
  /** The socket's outgoing buffer grew past the slow-consumer limit. */
  slowConsumer: 4002,
  /** The socket kept sending invalid frames after being warned. */
  protocolAbuse: 4003,
  /** The same identity resumed on a newer socket; this one is replaced. */
  replaced: CLOSE_REPLACED,
} as const;
export type CloseCodeName = keyof typeof CLOSE_CODES;
