import * as v from 'valibot';
import { ID_PATTERN, SDP_MID_MAX_LENGTH, SDP_MLINE_INDEX_MAX, USERNAME_FRAGMENT_MAX_LENGTH } from './rules.js';

/**
 * Bounds that keep a frame small enough for the server's default 64 KiB max payload. A refusal names
 * the field and valibot's own message (`room: Invalid format: Expected /^[A-Za-z0-9_-]+$/ but received "a b"`),
 * so the schemas carry no message texts of their own (they would be in every client's bundle).
 */
export const LIMITS = {
  roomName: 64,
  peerId: 64,
  displayName: 64,
  ref: 64,
  sdp: 60_000,
  candidate: 2_048,
  token: 4_096,
  reason: 128,
} as const;

/** A room's name: 1–64 characters of `A–Z a–z 0–9 _ -`. */
export const RoomNameSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(LIMITS.roomName),
  v.regex(ID_PATTERN),
);

/** A peer id, always assigned by the server. */
export const PeerIdSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(LIMITS.peerId),
  v.regex(ID_PATTERN),
);

/** A display name chosen by the user; free text, bounded. */
export const DisplayNameSchema = v.pipe(
  v.string(),
  v.maxLength(LIMITS.displayName),
);

/** A ref: a string of at most `LIMITS.ref` characters, or a safe integer. */
export const isRef = (value: unknown): value is string | number =>
  typeof value === 'string' ? value.length <= LIMITS.ref : Number.isSafeInteger(value);

/**
 * A client-chosen correlation id, echoed in the server's reply or error. This schema and
 * `IceServerUrlsSchema` are one check each rather than a union (which would put valibot's `union`
 * in every client's bundle); protocol.schema.json spells both out (test-support/protocol-json-schema.ts).
 */
export const RefSchema = v.custom<string | number>(isRef, `Invalid type: Expected (string <=${LIMITS.ref} | safe integer)`);

/** `RTCIceServer.urls`: one URL, or a list of them. */
export const IceServerUrlsSchema = v.custom<string | string[]>(
  (value) => typeof value === 'string' || (Array.isArray(value) && value.every((url) => typeof url === 'string')),
  'Invalid type: Expected (string | Array)',
);

export const SdpSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(LIMITS.sdp),
);

/** `RTCIceCandidateInit` as it travels; `null` means end-of-candidates. */
export const IceCandidateSchema = v.nullable(
  v.strictObject({
    candidate: v.pipe(v.string(), v.maxLength(LIMITS.candidate)),
    sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(SDP_MID_MAX_LENGTH)))),
    sdpMLineIndex: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(SDP_MLINE_INDEX_MAX)))),
    usernameFragment: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(USERNAME_FRAGMENT_MAX_LENGTH)))),
  }),
);

/** `RTCIceServer` as handed to clients on join. */
export const IceServerSchema = v.strictObject({
  urls: IceServerUrlsSchema,
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

export const TokenSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.token));
export const ReasonSchema = v.pipe(v.string(), v.maxLength(LIMITS.reason));

export type RoomName = v.InferOutput<typeof RoomNameSchema>;
export type PeerId = v.InferOutput<typeof PeerIdSchema>;
export type Ref = v.InferOutput<typeof RefSchema>;
export type IceCandidate = v.InferOutput<typeof IceCandidateSchema>;
export type IceServer = v.InferOutput<typeof IceServerSchema>;
