/**
 * protocol.schema.json (the wire protocol as JSON Schema, shipped in the package) is generated from the
 * valibot schemas and agrees with them: an independent validator (Ajv, JSON Schema 2020-12) reading the
 * committed file accepts the frames core's parsers accept and refuses the frames they refuse, blaming
 * the same field.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { protocolJsonSchemaText } from '../test-support/protocol-json-schema.js';
import { parseClientMessage, parseServerMessage } from './parse.js';
import { parsePeerMessage } from './peer-messages.js';

const committed = readFileSync(new URL('../../protocol.schema.json', import.meta.url), 'utf8');
const document = JSON.parse(committed) as { $id: string };
const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addSchema(document);
const validator = (definition: string) => {
  const validate = ajv.getSchema(`${document.$id}#/$defs/${definition}`);
  if (!validate) throw new Error(`no definition ${definition}`);
  return validate;
};

type Direction = 'ClientMessage' | 'ServerMessage' | 'PeerMessage';

/** Core's own verdict: the parsers the server and the room use, and the field they blame. */
function coreVerdict(direction: Direction, frame: unknown): { ok: true } | { ok: false; field: string } {
  if (direction === 'PeerMessage') {
    const result = parsePeerMessage(frame);
    return result.ok ? { ok: true } : { ok: false, field: fieldOf(result.reason) };
  }
  const result = (direction === 'ClientMessage' ? parseClientMessage : parseServerMessage)(JSON.stringify(frame));
  return result.ok ? { ok: true } : { ok: false, field: fieldOf(result.error.message.replace(/^invalid [\w-]+: /, '')) };
}

/** "candidate.sdpMLineIndex: …" → "candidate.sdpMLineIndex"; a message without a path blames the frame itself. */
const fieldOf = (message: string) => /^([\w.]+): /.exec(message)?.[1] ?? '';

/** The fields Ajv blames, as dotted paths like valibot's (a missing or unknown key names the key). */
function ajvFields(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const key = (error.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (error.params as { additionalProperty?: string }).additionalProperty;
    return [...error.instancePath.split('/').slice(1), ...(key ? [key] : [])].join('.');
  });
}

const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' };

const VALID: Array<[Direction, Record<string, unknown>]> = [
  ['ClientMessage', { type: 'hello', v: 1 }],
  ['ClientMessage', { type: 'hello', v: 1, resume: 'token', ref: 7 }],
  ['ClientMessage', { type: 'join', room: 'team-standup', name: 'Ada', ref: 'j1' }],
  ['ClientMessage', { type: 'offer', room: 'r', to: 'p2', sdp }],
  ['ClientMessage', { type: 'answer', room: 'r', to: 'p2', sdp }],
  ['ClientMessage', { type: 'candidate', room: 'r', to: 'p2', candidate }],
  ['ClientMessage', { type: 'candidate', room: 'r', to: 'p2', candidate: null }],
  ['ClientMessage', { type: 'bye', room: 'r', to: 'p2', reason: 'leave' }],
  ['ClientMessage', { type: 'app', room: 'r', to: 'p2', data: { any: ['json', 1, null] } }],
  ['ClientMessage', { type: 'leave', room: 'r' }],
  ['ClientMessage', { type: 'refresh-ice-servers' }],
  ['ServerMessage', { type: 'welcome', v: 1, peerId: 'p1', resumeToken: 't', resumed: false, resumeWindowMs: 30_000, rooms: [] }],
  [
    'ServerMessage',
    {
      type: 'joined',
      room: 'r',
      self: 'p1',
      peers: [{ id: 'p2', name: 'Bob', polite: true }],
      iceServers: [{ urls: ['turn:turn.example:3478'], username: '1:p1', credential: 'c' }, { urls: 'stun:stun.example' }],
      iceServersTtlMs: 3_600_000,
    },
  ],
  ['ServerMessage', { type: 'peer-joined', room: 'r', peer: { id: 'p2', name: '', polite: false } }],
  ['ServerMessage', { type: 'peer-left', room: 'r', peerId: 'p2', reason: 'timeout' }],
  ['ServerMessage', { type: 'offer', room: 'r', from: 'p2', sdp }],
  ['ServerMessage', { type: 'candidate', room: 'r', from: 'p2', candidate }],
  ['ServerMessage', { type: 'error', code: 'room-full', message: 'room is full', ref: 3 }],
  ['PeerMessage', { type: 'media-state', audioMuted: true, videoOff: false, screen: false, cameraStreamId: 's1', screenStreamId: null }],
];

/** Frames with one thing wrong, and the field both sides must blame. */
const INVALID: Array<[Direction, Record<string, unknown>, string]> = [
  ['ClientMessage', { type: 'hello', v: 1.5 }, 'v'],
  ['ClientMessage', { type: 'hello', v: 1, extra: true }, 'extra'],
  ['ClientMessage', { type: 'join', room: 'team standup' }, 'room'],
  ['ClientMessage', { type: 'join', room: 'r'.repeat(65) }, 'room'],
  ['ClientMessage', { type: 'join', room: 'r', ref: 'x'.repeat(65) }, 'ref'],
  ['ClientMessage', { type: 'offer', room: 'r', sdp }, 'to'],
  ['ClientMessage', { type: 'offer', room: 'r', to: 'p2', sdp: '' }, 'sdp'],
  ['ClientMessage', { type: 'candidate', room: 'r', to: 'p2', candidate: { ...candidate, sdpMLineIndex: -1 } }, 'candidate.sdpMLineIndex'],
  ['ClientMessage', { type: 'bye', room: 'r', to: 'p2', from: 'p1' }, 'from'],
  ['ServerMessage', { type: 'peer-left', room: 'r', peerId: 'p2', reason: 'gone' }, 'reason'],
  ['ServerMessage', { type: 'error', code: 'teapot', message: 'no' }, 'code'],
  ['ServerMessage', { type: 'joined', room: 'r', self: 'p1', peers: [{ id: 'p 2', name: 'Bob', polite: true }], iceServers: [] }, 'peers.0.id'],
  ['PeerMessage', { type: 'media-state', audioMuted: false, videoOff: false, screen: false, screenStreamId: 's'.repeat(129) }, 'screenStreamId'],
  ['PeerMessage', { type: 'media-state', audioMuted: 'yes', videoOff: false, screen: false }, 'audioMuted'],
];

/** The `$defs` entry of a frame's own type, e.g. `offer` sent by a client → `Offer`, by the server → `RelayedOffer`. */
function definitionOf(direction: Direction, type: string): string {
  const pascal = type.replace(/(^|-)(\w)/g, (_match, _dash, letter: string) => letter.toUpperCase());
  if (direction === 'PeerMessage') return `${pascal}PeerMessage`;
  if (direction === 'ServerMessage' && ['offer', 'answer', 'candidate', 'bye', 'app'].includes(type)) return `Relayed${pascal}`;
  return pascal;
}

describe('protocol.schema.json', () => {
  it('is generated from the valibot schemas (npm run docs:schema -w packages/core)', () => {
    expect(committed).toBe(protocolJsonSchemaText());
  });

  it.each(VALID)('a valid %s is accepted by core and by Ajv: %j', (direction, frame) => {
    expect(coreVerdict(direction, frame)).toEqual({ ok: true });
    const validate = validator(direction);
    expect(validate(frame), JSON.stringify(validate.errors)).toBe(true);
    expect(ajv.validate(document.$id, frame)).toBe(direction !== 'PeerMessage');
  });

  it.each(INVALID)('an invalid %s is refused by core and by Ajv, both blaming the same field: %j → %s', (direction, frame, field) => {
    expect(coreVerdict(direction, frame)).toEqual({ ok: false, field });
    expect(validator(direction)(frame)).toBe(false);
    const own = validator(definitionOf(direction, String(frame.type)));
    expect(own(frame)).toBe(false);
    expect(ajvFields(own.errors)).toContain(field);
  });

  it('counts lengths in code points where core counts UTF-16 code units (the one documented difference)', () => {
    const name = '😀'.repeat(33); // 33 code points, 66 UTF-16 code units; the limit is 64
    const frame = { type: 'join', room: 'r', name };
    expect(coreVerdict('ClientMessage', frame)).toEqual({ ok: false, field: 'name' });
    expect(validator('ClientMessage')(frame)).toBe(true);
  });

  it('refuses an unknown type like core does', () => {
    const frame = { type: 'shout', room: 'r' };
    expect(parseClientMessage(JSON.stringify(frame))).toMatchObject({ ok: false, error: { code: 'unknown-type' } });
    expect(validator('ClientMessage')(frame)).toBe(false);
    expect(validator('ServerMessage')(frame)).toBe(false);
  });
});
