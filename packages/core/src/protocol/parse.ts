import * as v from 'valibot';
import type { ErrorCode } from './codes.js';
import { ClientMessageSchema, type ClientMessage } from './client-messages.js';
import { RefSchema, type Ref } from './primitives.js';
import { ServerMessageSchema, type ServerMessage } from './server-messages.js';

/** Why a frame was refused: a typed code, a human message, and the frame's `ref` when it had a valid one. */
export interface ProtocolError {
  code: Extract<ErrorCode, 'invalid-json' | 'invalid-message' | 'unknown-type'>;
  message: string;
  ref?: Ref;
}

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ProtocolError };

type Variant = typeof ClientMessageSchema | typeof ServerMessageSchema;

function knownTypes(schema: Variant): ReadonlySet<string> {
  return new Set(schema.options.map((option) => option.entries.type.literal));
}
const CLIENT_TYPES = /* @__PURE__ */ knownTypes(ClientMessageSchema);
const SERVER_TYPES = /* @__PURE__ */ knownTypes(ServerMessageSchema);

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = issue.path?.map((item) => String(item.key)).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

function parseWith<T>(schema: Variant, types: ReadonlySet<string>, raw: unknown): ParseResult<T> {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, error: { code: 'invalid-json', message: 'frame is not valid JSON' } };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: 'invalid-message', message: 'frame must be a JSON object' } };
  }
  const record = value as Record<string, unknown>;
  const ref = v.is(RefSchema, record.ref) ? record.ref : undefined;
  const withRef = (error: Omit<ProtocolError, 'ref'>): ProtocolError => (ref === undefined ? error : { ...error, ref });
  if (typeof record.type !== 'string' || !types.has(record.type)) {
    const shown = typeof record.type === 'string' ? `"${record.type.slice(0, 32)}"` : 'missing';
    return { ok: false, error: withRef({ code: 'unknown-type', message: `unknown message type: ${shown}` }) };
  }
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    const detail = issue ? describeIssue(issue) : 'wrong shape';
    return { ok: false, error: withRef({ code: 'invalid-message', message: `invalid ${record.type}: ${detail}` }) };
  }
  return { ok: true, message: result.output as T };
}

/** Parse and validate a frame a client sent (a JSON string or an already-parsed value). Never throws. */
export function parseClientMessage(raw: unknown): ParseResult<ClientMessage> {
  return parseWith<ClientMessage>(ClientMessageSchema, CLIENT_TYPES, raw);
}

/** Parse and validate a frame the server sent. Never throws. */
export function parseServerMessage(raw: unknown): ParseResult<ServerMessage> {
  return parseWith<ServerMessage>(ServerMessageSchema, SERVER_TYPES, raw);
}
