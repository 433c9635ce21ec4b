import * as v from 'valibot';
import {
  DisplayNameSchema,
  IceCandidateSchema,
  PeerIdSchema,
  ReasonSchema,
  RefSchema,
  RoomNameSchema,
  SdpSchema,
  TokenSchema,
} from './primitives.js';

/** Every client frame may carry `ref`; the server echoes it in the reply or error it causes. */
const ref = v.optional(RefSchema);

/** First frame on a socket. `resume` is the token from an earlier `welcome`, to keep that identity. */
export const HelloSchema = v.strictObject({
  type: v.literal('hello'),
  v: v.pipe(v.number(), v.integer()),
  resume: v.optional(TokenSchema),
  ref,
});

/** Join a room. `ticket` is a signed join ticket, required when the server enforces them. */
export const JoinSchema = v.strictObject({
  type: v.literal('join'),
  room: RoomNameSchema,
  name: v.optional(DisplayNameSchema),
  ticket: v.optional(TokenSchema),
  ref,
});

export const LeaveSchema = v.strictObject({
  type: v.literal('leave'),
  room: RoomNameSchema,
  ref,
});

/** Directed messages: the server relays them to `to` in `room`, replacing `to` with a `from` it stamps. */
const directed = { room: RoomNameSchema, to: PeerIdSchema, ref };

export const OfferSchema = v.strictObject({ type: v.literal('offer'), ...directed, sdp: SdpSchema });
export const AnswerSchema = v.strictObject({ type: v.literal('answer'), ...directed, sdp: SdpSchema });
export const CandidateSchema = v.strictObject({
  type: v.literal('candidate'),
  ...directed,
  candidate: IceCandidateSchema,
});
export const ByeSchema = v.strictObject({ type: v.literal('bye'), ...directed, reason: v.optional(ReasonSchema) });
/** Application payload relayed as-is (any JSON value; bounded by the frame size). */
export const AppSchema = v.strictObject({ type: v.literal('app'), ...directed, data: v.unknown() });

/**
 * Ask for fresh ICE servers (new TURN credentials) for the rooms this socket is in; answered by
 * `ice-servers`. Clients send it before the credentials from `joined` expire (`iceServersTtlMs`).
 */
export const RefreshIceServersSchema = v.strictObject({ type: v.literal('refresh-ice-servers'), ref });

/** Each client message type's schema (what `parseClientMessage` looks a frame's `type` up in). */
export const CLIENT_MESSAGE_SCHEMAS = [
  HelloSchema,
  JoinSchema,
  LeaveSchema,
  OfferSchema,
  AnswerSchema,
  CandidateSchema,
  ByeSchema,
  AppSchema,
  RefreshIceServersSchema,
] as const;

export const ClientMessageSchema = /* @__PURE__ */ v.variant('type', CLIENT_MESSAGE_SCHEMAS);

export type HelloMessage = v.InferOutput<typeof HelloSchema>;
export type JoinMessage = v.InferOutput<typeof JoinSchema>;
export type LeaveMessage = v.InferOutput<typeof LeaveSchema>;
export type OfferMessage = v.InferOutput<typeof OfferSchema>;
export type AnswerMessage = v.InferOutput<typeof AnswerSchema>;
export type CandidateMessage = v.InferOutput<typeof CandidateSchema>;
export type ByeMessage = v.InferOutput<typeof ByeSchema>;
export type AppMessage = v.InferOutput<typeof AppSchema>;
export type RefreshIceServersMessage = v.InferOutput<typeof RefreshIceServersSchema>;
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
/** The client messages the server relays to another member. */
export type DirectedMessage = OfferMessage | AnswerMessage | CandidateMessage | ByeMessage | AppMessage;
export const DIRECTED_TYPES = ['offer', 'answer', 'candidate', 'bye', 'app'] as const;
export type DirectedType = (typeof DIRECTED_TYPES)[number];
