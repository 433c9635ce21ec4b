/**
 * The wire protocol as a JSON Schema document (protocol.schema.json, shipped in the package), generated
 * from the valibot schemas with @valibot/to-json-schema so that clients in other languages validate
 * frames exactly as the server and core do. Build-time only (not part of the library):
 * `npm run docs:schema -w packages/core` writes it; protocol.schema.test.ts fails while it is stale.
 */
import { toJsonSchemaDefs, type JsonSchema } from '@valibot/to-json-schema';
import * as protocol from '../protocol/index.js';

/** Named definitions, in the order a reader meets them: the three directions, then each frame, then the shared pieces. */
const DEFINITIONS = {
  ClientMessage: protocol.ClientMessageSchema,
  ServerMessage: protocol.ServerMessageSchema,
  // The control channel's one kind of message (peer-messages.ts).
  PeerMessage: protocol.MediaStatePeerMessageSchema,
  Hello: protocol.HelloSchema,
  Join: protocol.JoinSchema,
  Leave: protocol.LeaveSchema,
  Offer: protocol.OfferSchema,
  Answer: protocol.AnswerSchema,
  Candidate: protocol.CandidateSchema,
  Bye: protocol.ByeSchema,
  App: protocol.AppSchema,
  RefreshIceServers: protocol.RefreshIceServersSchema,
  Welcome: protocol.WelcomeSchema,
  Joined: protocol.JoinedSchema,
  IceServers: protocol.IceServersSchema,
  Left: protocol.LeftSchema,
  PeerJoined: protocol.PeerJoinedSchema,
  PeerLeft: protocol.PeerLeftSchema,
  RelayedOffer: protocol.RelayedOfferSchema,
  RelayedAnswer: protocol.RelayedAnswerSchema,
  RelayedCandidate: protocol.RelayedCandidateSchema,
  RelayedBye: protocol.RelayedByeSchema,
  RelayedApp: protocol.RelayedAppSchema,
  Error: protocol.ErrorSchema,
  MediaStatePeerMessage: protocol.MediaStatePeerMessageSchema,
  PeerInfo: protocol.PeerInfoSchema,
  RoomName: protocol.RoomNameSchema,
  PeerId: protocol.PeerIdSchema,
  DisplayName: protocol.DisplayNameSchema,
  Ref: protocol.RefSchema,
  Sdp: protocol.SdpSchema,
  IceCandidate: protocol.IceCandidateSchema,
  IceServer: protocol.IceServerSchema,
  Token: protocol.TokenSchema,
  Reason: protocol.ReasonSchema,
};

const CHECKS_AS_UNIONS = new Map<unknown, JsonSchema>([
  [
    protocol.RefSchema,
    {
      anyOf: [
        { type: 'string', maxLength: protocol.LIMITS.ref },
        { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
      ],
    },
  ],
  [protocol.IceServerUrlsSchema, { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }],
]);

/** The document: every definition under `$defs`; the root accepts any frame of either direction over the socket. */
export function protocolJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:peerchart:protocol:v${protocol.PROTOCOL_VERSION}`,
    title: `Peerchart wire protocol, version ${protocol.PROTOCOL_VERSION}`,
    description:
      'Frames are JSON text on the signaling WebSocket. Validate what a client sends against #/$defs/ClientMessage, ' +
      'what the server sends against #/$defs/ServerMessage, and data-channel messages between peers against ' +
      '#/$defs/PeerMessage. Lengths here count code points, while Peerchart counts UTF-16 code units (JavaScript ' +
      'string length): a string with characters beyond U+FFFF can pass a maxLength here and still be refused. ' +
      'Generated from the valibot schemas of @peerchart/core; do not edit.',
    anyOf: [{ $ref: '#/$defs/ClientMessage' }, { $ref: '#/$defs/ServerMessage' }],
    $defs: toJsonSchemaDefs(DEFINITIONS, {
      target: 'draft-2020-12',
      // A valibot check with no JSON Schema equivalent fails the generation instead of vanishing…
      errorMode: 'throw',
      // …except `finite`, which JSON itself guarantees (it has no NaN or Infinity).
      overrideAction: ({ valibotAction, jsonSchema }) => (valibotAction.type === 'finite' ? jsonSchema : undefined),
      // The two checks that stand for a union in the valibot schemas (primitives.ts), as the union they check.
      overrideSchema: ({ valibotSchema }) => CHECKS_AS_UNIONS.get(valibotSchema),
    }),
  };
}

/** The file's text: stable key order, two-space indent, final newline. */
export function protocolJsonSchemaText(): string {
  return `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`;
}
