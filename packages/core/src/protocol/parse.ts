import * as v from 'valibot';
import type { ErrorCode } from './codes.js';
import { CLIENT_MESSAGE_SCHEMAS, type ClientMessage } from './client-messages.js';
import { describeIssue } from './describe-issue.js';
import { fastPathMessage } from './fast-path.js';
import { isRef, type Ref } from './primitives.js';
import { SERVER_MESSAGE_SCHEMAS, type ServerMessage } from './server-messages.js';

/** Why a frame was refused: a typed code, a human message, and the frame's `ref` when it had a valid one. */
export interface ProtocolError {
  code: Extract<ErrorCode, 'invalid-json' | 'invalid-message' | 'unknown-type'>;
  message: string;
  ref?: Ref;
}

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ProtocolError };

type Options = typeof CLIENT_MESSAGE_SCHEMAS | typeof SERVER_MESSAGE_SCHEMAS;
type SchemaByType = ReadonlyMap<string, Options[number]>;

/**
 * Each message type's own schema. The variant would pick the same one by `type`; looking it up
 * directly keeps the hot path (a valid frame) to one JSON.parse and one schema run, and keeps
 * valibot's `variant` out of a client's bundle.
 */
function schemasByType(options: Options): SchemaByType {
  return new Map(options.map((option: Options[number]) => [option.entries.type.literal, option]));
}
const CLIENT_SCHEMAS = /* @__PURE__ */ schemasByType(CLIENT_MESSAGE_SCHEMAS);
const SERVER_SCHEMAS = /* @__PURE__ */ schemasByType(SERVER_MESSAGE_SCHEMAS);

/** What `decode` returns for a string that is not JSON. */
const NOT_JSON = Symbol('not JSON');

/** A string frame through `JSON.parse` (`NOT_JSON` when it is not JSON); an already-parsed value as it is. */
function decode(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return NOT_JSON;
  }
}

const invalidJson = (): ParseResult<never> => ({ ok: false, error: { code: 'invalid-json', message: 'frame is not valid JSON' } });

/** A decoded frame checked against its type's schema; a refusal carries a typed error. */
function validate<T>(schemas: SchemaByType, value: unknown): ParseResult<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: 'invalid-message', message: 'frame must be a JSON object' } };
  }
  const record = value as Record<string, unknown>;
  const schema = typeof record.type === 'string' ? schemas.get(record.type) : undefined;
  const result = schema && v.safeParse(schema, value, { abortEarly: true });
  if (result?.success) return { ok: true, message: result.output as T };

  // Refused: echo the frame's `ref` when it is a valid one, so the sender can match the error.
  const ref = isRef(record.ref) ? record.ref : undefined;
  const withRef = (error: Omit<ProtocolError, 'ref'>): ProtocolError => (ref === undefined ? error : { ...error, ref });
  if (!result) {
    const shown = typeof record.type === 'string' ? `"${record.type.slice(0, 32)}"` : 'missing';
    return { ok: false, error: withRef({ code: 'unknown-type', message: `unknown message type: ${shown}` }) };
  }
  const issue = result.issues[0];
  const detail = issue ? describeIssue(issue) : 'wrong shape';
  return { ok: false, error: withRef({ code: 'invalid-message', message: `invalid ${record.type}: ${detail}` }) };
}

/**
 * Parse and validate a frame a client sent (a JSON string or an already-parsed value). Never throws.
 * Most frames are offers, answers and candidates: plain checks (fast-path.ts) vouch for those the
 * schema would accept, and the schema — the source of truth, and of the typed errors — sees the rest.
 */
export function parseClientMessage(raw: unknown): ParseResult<ClientMessage> {
  const value = decode(raw);
  if (value === NOT_JSON) return invalidJson();
  // The fast path takes only objects fresh from JSON.parse: own data properties, nothing inherited.
  const fast = typeof raw === 'string' && typeof value === 'object' && value !== null ? fastPathMessage(value as Record<string, unknown>) : undefined;
  return fast ? { ok: true, message: fast } : validate<ClientMessage>(CLIENT_SCHEMAS, value);
}

/** Parse and validate a frame the server sent. Never throws. (No fast path: a browser bundle stays lean.) */
export function parseServerMessage(raw: unknown): ParseResult<ServerMessage> {
  const value = decode(raw);
  return value === NOT_JSON ? invalidJson() : validate<ServerMessage>(SERVER_SCHEMAS, value);
}
