import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { AnswerSchema, CandidateSchema, OfferSchema } from './client-messages.js';
import { fastPathMessage } from './fast-path.js';
import { LIMITS } from './primitives.js';
import { SDP_MID_MAX_LENGTH, SDP_MLINE_INDEX_MAX, USERNAME_FRAGMENT_MAX_LENGTH } from './rules.js';

const SCHEMAS = { offer: OfferSchema, answer: AnswerSchema, candidate: CandidateSchema } as const;

/** Keys of a value and of every object inside it, in order: valibot's output order is part of "the same output". */
function keyOrder(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return null;
  return Object.entries(value).map(([key, inner]) => [key, keyOrder(inner)]);
}

/** JSON text to splice in verbatim (a nested object that may hold any key, duplicates too). */
class Raw {
  constructor(readonly json: string) {}
}

/**
 * JSON text of an object, built entry by entry so that it can hold any key (`__proto__` too) and
 * duplicate keys, as a hostile client could send.
 */
const objectText = (entries: [string, unknown][]): string =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value instanceof Raw ? value.json : JSON.stringify(value)}`).join(',')}}`;

const text = (length: number, unit = 'x') => unit.repeat(length);

/** Strings at and around each bound, ids with bad characters, and free text of any unit. */
const id = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  fc.constantFrom('', text(64, 'a'), text(65, 'a'), 'has space', 'ünïcode', 'a.b', 'a\nb', '-', '_'),
  fc.string({ maxLength: 8, unit: 'binary' }),
);
const boundedString = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 12, unit: 'binary' }),
    fc.constantFrom('', text(max), text(max + 1), text(max - 1, 'é'), `${text(max - 1)}\u{1F600}`),
  );
const sdp = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.constantFrom('', 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n', text(LIMITS.sdp), text(LIMITS.sdp + 1), '"\\\u2028'),
);
const ref = fc.oneof(
  boundedString(LIMITS.ref),
  fc.integer(),
  fc.constantFrom(0, -0, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -Number.MAX_SAFE_INTEGER, 1e21, null, true),
  fc.constant([1]),
  fc.constant({ a: 1 }),
);
const lineIndex = fc.oneof(
  fc.integer({ min: -2, max: SDP_MLINE_INDEX_MAX + 2 }),
  fc.constantFrom(-1, 0, SDP_MLINE_INDEX_MAX, SDP_MLINE_INDEX_MAX + 1, 0.5, -0, 1e300, null, '0', true),
);
/** An ICE candidate object: a valid one, then up to two edits (a field dropped, set to a near miss, or a key added). */
const candidateInit = fc
  .tuple(
    fc.string({ maxLength: 30 }),
    fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    fc.array(
      fc.oneof(
        fc.tuple(fc.constant('drop'), fc.constantFrom('candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'), fc.constant(null)),
        fc.tuple(fc.constant('set'), fc.constant('candidate'), fc.oneof(boundedString(LIMITS.candidate), fc.constantFrom(null, 1))),
        fc.tuple(fc.constant('set'), fc.constant('sdpMid'), fc.oneof(boundedString(SDP_MID_MAX_LENGTH), fc.constantFrom(null, 0))),
        fc.tuple(fc.constant('set'), fc.constant('sdpMLineIndex'), lineIndex),
        fc.tuple(
          fc.constant('set'),
          fc.constant('usernameFragment'),
          fc.oneof(boundedString(USERNAME_FRAGMENT_MAX_LENGTH), fc.constantFrom(null, [])),
        ),
        fc.tuple(fc.constant('add'), fc.constantFrom('sdpMLineindex', '__proto__', 'toString', 'candidate'), fc.jsonValue({ maxDepth: 0 })),
      ),
      { maxLength: 2 },
    ),
    fc.boolean(),
  )
  .map(([candidateLine, sdpMid, sdpMLineIndex, usernameFragment, edits, shuffle]) => {
    const fields = new Map<string, unknown>([['candidate', candidateLine]]);
    if (sdpMid !== undefined) fields.set('sdpMid', sdpMid);
    if (sdpMLineIndex !== undefined) fields.set('sdpMLineIndex', sdpMLineIndex);
    if (usernameFragment !== undefined) fields.set('usernameFragment', usernameFragment);
    const added: [string, unknown][] = [];
    for (const [edit, key, value] of edits) {
      if (edit === 'drop') fields.delete(key);
      if (edit === 'set') fields.set(key, value);
      if (edit === 'add') added.push([key, value]);
    }
    const entries = [...fields, ...added];
    return new Raw(objectText(shuffle ? entries.reverse() : entries));
  });
const candidate = fc.oneof(candidateInit, fc.constantFrom(null, [], 'candidate:1', 0, {}));
const junk = fc.jsonValue({ maxDepth: 1 });
/** Any key a hot message might carry, its near misses, and keys that are special to JavaScript. */
const extraKey = fc.constantFrom('from', 'data', 'reason', 'Room', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'sdp', 'candidate');

const validId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.constantFrom(text(64, 'Z'), '-', '_'));

/** Entries of a valid offer, answer or candidate, bounds included (a valid frame by construction). */
const validEntries = fc
  .tuple(
    fc.constantFrom('offer', 'answer', 'candidate'),
    validId,
    validId,
    fc.oneof(fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }), fc.constantFrom(text(LIMITS.sdp), 'x', '"\\\u2028')),
    fc.oneof(
      fc.constant(null),
      fc.record(
        {
          candidate: fc.oneof(fc.string({ maxLength: 100 }), fc.constant(text(LIMITS.candidate))),
          sdpMid: fc.option(fc.string({ maxLength: SDP_MID_MAX_LENGTH }), { nil: null }),
          sdpMLineIndex: fc.option(fc.oneof(fc.integer({ min: 0, max: 1024 }), fc.constantFrom(0, -0, 1024)), { nil: null }),
          usernameFragment: fc.option(fc.string({ maxLength: USERNAME_FRAGMENT_MAX_LENGTH }), { nil: null }),
        },
        { requiredKeys: ['candidate'] },
      ),
    ),
    fc.option(fc.oneof(fc.string({ maxLength: LIMITS.ref }), fc.maxSafeInteger(), fc.constantFrom(text(LIMITS.ref), -Number.MAX_SAFE_INTEGER)), {
      nil: undefined,
    }),
    fc.boolean(),
  )
  .map(([type, room, to, sdpValue, candidateValue, refValue, shuffle]) => {
    const payload: [string, unknown] = type === 'candidate' ? ['candidate', candidateValue] : ['sdp', sdpValue];
    const entries: [string, unknown][] = [['type', type], ['room', room], ['to', to], payload];
    if (refValue !== undefined) entries.push(['ref', refValue]);
    return shuffle ? entries.reverse() : entries;
  });

/** A value of any kind a hot frame's field might be given, valid or not. */
const anyValue = fc.oneof(id, sdp, ref, candidate, junk, fc.constantFrom('offer', 'answer', 'candidate', 'bye'));

/** One edit of a frame's entries; `set` gives a field a near miss of its own kind (or adds it). */
const edit = fc.oneof(
  fc.tuple(fc.constant('drop'), fc.nat(), fc.constant(''), fc.constant(null)),
  fc.tuple(fc.constant('set'), fc.nat(), fc.constantFrom('room', 'to'), id),
  fc.tuple(fc.constant('set'), fc.nat(), fc.constant('sdp'), sdp),
  fc.tuple(fc.constant('set'), fc.nat(), fc.constant('candidate'), candidate),
  fc.tuple(fc.constant('set'), fc.nat(), fc.constant('ref'), ref),
  fc.tuple(fc.constant('set'), fc.nat(), fc.constant('type'), fc.constantFrom('offer', 'answer', 'candidate', 'bye', 'Offer', 7)),
  fc.tuple(fc.constant('add'), fc.nat(), extraKey, anyValue),
  fc.tuple(fc.constant('duplicate'), fc.nat(), fc.constant(''), anyValue),
);

const frame = fc.oneof(
  { weight: 3, arbitrary: validEntries.map(objectText) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(validEntries, fc.array(edit, { minLength: 1, maxLength: 2 }))
      .map(([valid, edits]) => {
        const entries = [...valid]; // a copy: fast-check may hand the same value out again while shrinking
        for (const [kind, at, key, value] of edits) {
          const index = at % Math.max(entries.length, 1);
          if (kind === 'drop') entries.splice(index, 1);
          if (kind === 'add') entries.push([key, value]);
          if (kind === 'duplicate' && entries[index]) entries.push([entries[index][0], value]);
          if (kind === 'set') {
            const existing = entries.findIndex(([name]) => name === key);
            if (existing >= 0) entries[existing] = [key, value];
            else entries.push([key, value]);
          }
        }
        return objectText(entries);
      }),
  },
);

describe('fastPathMessage', () => {
  it('takes exactly the hot frames their schema accepts, with the schema output (values and key order)', () => {
    let taken = 0;
    fc.assert(
      fc.property(frame, (json) => {
        const record = JSON.parse(json) as Record<string, unknown>;
        const fast = fastPathMessage(record);
        const type = record.type;
        const schema = typeof type === 'string' && Object.hasOwn(SCHEMAS, type) ? SCHEMAS[type as keyof typeof SCHEMAS] : undefined;
        if (!schema) {
          expect(fast).toBeUndefined();
          return;
        }
        const expected = v.safeParse(schema, JSON.parse(json));
        expect(fast !== undefined).toBe(expected.success);
        if (fast !== undefined && expected.success) {
          taken += 1;
          expect(fast).toStrictEqual(expected.output);
          expect(keyOrder(fast)).toEqual(keyOrder(expected.output));
        }
      }),
      { numRuns: 10_000 },
    );
    // The generator must reach the accepting side too, or the property above proves little.
    expect(taken).toBeGreaterThan(200);
  });

  it('takes every valid offer, answer and candidate', () => {
    fc.assert(
      fc.property(validEntries.map(objectText), (json) => {
        const expected = v.safeParse(SCHEMAS[(JSON.parse(json) as { type: keyof typeof SCHEMAS }).type], JSON.parse(json));
        expect(expected.success).toBe(true);
        expect(fastPathMessage(JSON.parse(json) as Record<string, unknown>)).toStrictEqual(expected.output);
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with the schema at every bound, on both sides of it', () => {
    const base = { type: 'candidate', room: 'r', to: 'p', candidate: { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } };
    const withCandidate = (field: string, value: unknown) => ({ ...base, candidate: { ...base.candidate, [field]: value } });
    const cases: unknown[] = [
      { ...base, room: text(LIMITS.roomName) },
      { ...base, room: text(LIMITS.roomName + 1) },
      { ...base, to: text(LIMITS.peerId) },
      { ...base, to: text(LIMITS.peerId + 1) },
      { ...base, ref: text(LIMITS.ref) },
      { ...base, ref: text(LIMITS.ref + 1) },
      { ...base, ref: Number.MAX_SAFE_INTEGER },
      { ...base, ref: Number.MAX_SAFE_INTEGER + 1 },
      { type: 'offer', room: 'r', to: 'p', sdp: text(LIMITS.sdp) },
      { type: 'offer', room: 'r', to: 'p', sdp: text(LIMITS.sdp + 1) },
      withCandidate('candidate', text(LIMITS.candidate)),
      withCandidate('candidate', text(LIMITS.candidate + 1)),
      withCandidate('sdpMid', text(SDP_MID_MAX_LENGTH)),
      withCandidate('sdpMid', text(SDP_MID_MAX_LENGTH + 1)),
      withCandidate('usernameFragment', text(USERNAME_FRAGMENT_MAX_LENGTH)),
      withCandidate('usernameFragment', text(USERNAME_FRAGMENT_MAX_LENGTH + 1)),
      withCandidate('sdpMLineIndex', SDP_MLINE_INDEX_MAX),
      withCandidate('sdpMLineIndex', SDP_MLINE_INDEX_MAX + 1),
      withCandidate('sdpMLineIndex', -1),
    ];
    const accepted = cases.map((message) => {
      const json = JSON.stringify(message);
      const fast = fastPathMessage(JSON.parse(json) as Record<string, unknown>);
      const expected = v.safeParse(SCHEMAS[(message as { type: keyof typeof SCHEMAS }).type], JSON.parse(json));
      expect(fast !== undefined).toBe(expected.success);
      return expected.success;
    });
    // At each bound: accepted, then refused one step past it (the last case is one below sdpMLineIndex's minimum).
    expect(accepted).toEqual([true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, false]);
  });

  it('leaves a forged from, a __proto__ key and duplicate keys that end invalid to the schema', () => {
    const to = 'Qx2b9_fKc1-aZ0pL';
    expect(fastPathMessage(JSON.parse(`{"type":"offer","room":"r","to":"${to}","sdp":"v=0","from":"x"}`))).toBeUndefined();
    expect(fastPathMessage(JSON.parse(`{"type":"offer","room":"r","to":"${to}","sdp":"v=0","__proto__":{}}`))).toBeUndefined();
    expect(fastPathMessage(JSON.parse(`{"type":"offer","room":"r","to":"${to}","sdp":"v=0","room":"a b"}`))).toBeUndefined();
    expect(fastPathMessage(JSON.parse(`{"type":"candidate","room":"r","to":"${to}","candidate":{"candidate":"c","x":1}}`))).toBeUndefined();
  });
});
