import * as v from 'valibot';
import { ERROR_CODES } from './codes.js';
import {
  DisplayNameSchema,
  IceCandidateSchema,
  IceServerSchema,
  PeerIdSchema,
  ReasonSchema,
  RefSchema,
  RoomNameSchema,
  SdpSchema,
  TokenSchema,
} from './primitives.js';

const ref = v.optional(RefSchema);

/**
 * A member of a room as others see it. `polite` is the *receiver's* perfect-negotiation role toward
 * this member: the member who joined the room earlier is polite, the newcomer impolite, so every
 * pair has exactly one polite side.
 */
export const PeerInfoSchema = v.strictObject({
  id: PeerIdSchema,
  name: DisplayNameSchema,
  polite: v.boolean(),
});

/** Reply to `hello`: the identity of this socket, and a token to resume it after a reconnect. */
export const WelcomeSchema = v.strictObject({
  type: v.literal('welcome'),
  v: v.number(),
  peerId: PeerIdSchema,
  resumeToken: TokenSchema,
  /** True when `hello.resume` was honoured: same id, rooms restored, mailbox delivered next. */
  resumed: v.boolean(),
  /** How long the server keeps an identity after its socket drops. */
  resumeWindowMs: v.number(),
  /**
   * The rooms restored for this socket, each followed by its `joined`. `[]` for a fresh identity,
   * and for one a restarted server restored from its token alone (`resumed: true`): the client then
   * joins its rooms again itself.
   */
  rooms: v.array(RoomNameSchema),
  ref,
});

/** Reply to `join` (and sent again for each room restored by a resume). */
export const JoinedSchema = v.strictObject({
  type: v.literal('joined'),
  room: RoomNameSchema,
  self: PeerIdSchema,
  peers: v.array(PeerInfoSchema),
  iceServers: v.array(IceServerSchema),
  /** How long the credentials in `iceServers` stay valid; absent when they do not expire. */
  iceServersTtlMs: v.optional(v.number()),
  ref,
});

/** Reply to `refresh-ice-servers`: the same list as `joined` would carry now, with fresh credentials. */
export const IceServersSchema = v.strictObject({
  type: v.literal('ice-servers'),
  iceServers: v.array(IceServerSchema),
  iceServersTtlMs: v.optional(v.number()),
  ref,
});

export const LeftSchema = v.strictObject({ type: v.literal('left'), room: RoomNameSchema, ref });

export const PeerJoinedSchema = v.strictObject({
  type: v.literal('peer-joined'),
  room: RoomNameSchema,
  peer: PeerInfoSchema,
});

export const PEER_LEFT_REASONS = ['leave', 'disconnect', 'timeout'] as const;
export const PeerLeftSchema = v.strictObject({
  type: v.literal('peer-left'),
  room: RoomNameSchema,
  peerId: PeerIdSchema,
  /** `leave`: asked to; `disconnect`: socket gone and resume window lapsed; `timeout`: heartbeat lost. */
  reason: v.picklist(PEER_LEFT_REASONS),
});

/** Relayed directed messages: as the client sent them, minus `to` and `ref`, plus the server-stamped `from`. */
const relayed = { room: RoomNameSchema, from: PeerIdSchema };
export const RelayedOfferSchema = v.strictObject({ type: v.literal('offer'), ...relayed, sdp: SdpSchema });
export const RelayedAnswerSchema = v.strictObject({ type: v.literal('answer'), ...relayed, sdp: SdpSchema });
export const RelayedCandidateSchema = v.strictObject({
  type: v.literal('candidate'),
  ...relayed,
  candidate: IceCandidateSchema,
});
export const RelayedByeSchema = v.strictObject({
  type: v.literal('bye'),
  ...relayed,
  reason: v.optional(ReasonSchema),
});
export const RelayedAppSchema = v.strictObject({ type: v.literal('app'), ...relayed, data: v.unknown() });

export const ErrorSchema = v.strictObject({
  type: v.literal('error'),
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  ref,
});

/** Each server message type's schema (what `parseServerMessage` looks a frame's `type` up in). */
export const SERVER_MESSAGE_SCHEMAS = [
  WelcomeSchema,
  JoinedSchema,
  IceServersSchema,
  LeftSchema,
  PeerJoinedSchema,
  PeerLeftSchema,
  RelayedOfferSchema,
  RelayedAnswerSchema,
  RelayedCandidateSchema,
  RelayedByeSchema,
  RelayedAppSchema,
  ErrorSchema,
] as const;

export const ServerMessageSchema = /* @__PURE__ */ v.variant('type', SERVER_MESSAGE_SCHEMAS);

export type PeerInfo = v.InferOutput<typeof PeerInfoSchema>;
export type WelcomeMessage = v.InferOutput<typeof WelcomeSchema>;
export type JoinedMessage = v.InferOutput<typeof JoinedSchema>;
export type IceServersMessage = v.InferOutput<typeof IceServersSchema>;
export type LeftMessage = v.InferOutput<typeof LeftSchema>;
export type PeerJoinedMessage = v.InferOutput<typeof PeerJoinedSchema>;
export type PeerLeftMessage = v.InferOutput<typeof PeerLeftSchema>;
export type PeerLeftReason = (typeof PEER_LEFT_REASONS)[number];
export type RelayedOfferMessage = v.InferOutput<typeof RelayedOfferSchema>;
export type RelayedAnswerMessage = v.InferOutput<typeof RelayedAnswerSchema>;
export type RelayedCandidateMessage = v.InferOutput<typeof RelayedCandidateSchema>;
export type RelayedByeMessage = v.InferOutput<typeof RelayedByeSchema>;
export type RelayedAppMessage = v.InferOutput<typeof RelayedAppSchema>;
export type RelayedMessage =
  | RelayedOfferMessage
  | RelayedAnswerMessage
  | RelayedCandidateMessage
  | RelayedByeMessage
  | RelayedAppMessage;
export type ErrorMessage = v.InferOutput<typeof ErrorSchema>;
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>;
