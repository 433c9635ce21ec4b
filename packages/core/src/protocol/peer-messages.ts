import * as v from 'valibot';

/**
 * Messages peers exchange directly over their data channel (never through the server).
 * Validated on receipt like any other untrusted input: `parsePeerMessage` never throws.
 */

export const PEER_MESSAGE_LIMITS = { chatId: 64, chatText: 4_000, streamId: 128 } as const;

export const ChatPeerMessageSchema = v.strictObject({
  type: v.literal('chat'),
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(PEER_MESSAGE_LIMITS.chatId)),
  text: v.pipe(v.string(), v.minLength(1), v.maxLength(PEER_MESSAGE_LIMITS.chatText)),
  /** Sender's clock, epoch ms. */
  at: v.pipe(v.number(), v.finite()),
});

const StreamIdSchema = v.nullable(v.pipe(v.string(), v.maxLength(PEER_MESSAGE_LIMITS.streamId)));

/**
 * What a peer says of its own media. `cameraStreamId` / `screenStreamId` (stamped by the sending
 * peer machine, optional) let the receiver tell its camera stream from its screen stream.
 */
export const MediaStatePeerMessageSchema = v.strictObject({
  type: v.literal('media-state'),
  audioMuted: v.boolean(),
  videoOff: v.boolean(),
  screen: v.boolean(),
  cameraStreamId: v.optional(StreamIdSchema),
  screenStreamId: v.optional(StreamIdSchema),
});

export const PeerMessageSchema = /* @__PURE__ */ v.variant('type', [ChatPeerMessageSchema, MediaStatePeerMessageSchema]);

export type ChatPeerMessage = v.InferOutput<typeof ChatPeerMessageSchema>;
export type MediaStatePeerMessage = v.InferOutput<typeof MediaStatePeerMessageSchema>;
export type PeerMessage = v.InferOutput<typeof PeerMessageSchema>;

export type PeerMessageParseResult = { ok: true; message: PeerMessage } | { ok: false; reason: string };

/** Parse a data-channel payload (JSON text or an already-parsed value). Never throws. */
export function parsePeerMessage(raw: unknown): PeerMessageParseResult {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, reason: 'not valid JSON' };
    }
  }
  // Looked up by `type` rather than through the variant: keeps valibot's `variant` out of the bundle.
  const type = (value as { type?: unknown } | null)?.type;
  const schema = type === 'chat' ? ChatPeerMessageSchema : type === 'media-state' ? MediaStatePeerMessageSchema : null;
  if (!schema) return { ok: false, reason: 'unknown message type' };
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue?.path?.map((item) => String(item.key)).join('.');
    return { ok: false, reason: issue ? (path ? `${path}: ${issue.message}` : issue.message) : 'wrong shape' };
  }
  return { ok: true, message: result.output };
}
