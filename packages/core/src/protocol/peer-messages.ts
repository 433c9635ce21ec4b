import * as v from 'valibot';
import { describeIssue } from './describe-issue.js';

/**
 * Messages peers exchange directly over their control data channel (id 0; never through the server):
 * what each sends of its media. Application data has its own channel (peer-data.ts).
 * Validated on receipt like any other untrusted input: `parsePeerMessage` never throws.
 */

export const PEER_MESSAGE_LIMITS = { streamId: 128 } as const;

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

export type MediaStatePeerMessage = v.InferOutput<typeof MediaStatePeerMessageSchema>;
/** The control channel's messages: one kind today (`type` leaves room for more). */
export type PeerMessage = MediaStatePeerMessage;

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
  if ((value as { type?: unknown } | null)?.type !== 'media-state') return { ok: false, reason: 'unknown message type' };
  const result = v.safeParse(MediaStatePeerMessageSchema, value, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    return { ok: false, reason: issue ? describeIssue(issue) : 'wrong shape' };
  }
  return { ok: true, message: result.output };
}
