import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ClientMessageSchema, parseClientMessage, parseServerMessage, PROTOCOL_VERSION } from './index.js';

describe('parseClientMessage', () => {
  it('accepts a valid hello', () => {
    const result = parseClientMessage(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION }));
    expect(result).toEqual({ ok: true, message: { type: 'hello', v: PROTOCOL_VERSION } });
  });

  it('rejects text that is not JSON with invalid-json', () => {
    const result = parseClientMessage('{not json');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-json' } });
  });

  it('rejects an unknown type with unknown-type and echoes a valid ref', () => {
    const result = parseClientMessage({ type: 'teleport', ref: 7 });
    expect(result).toEqual({
      ok: false,
      error: { code: 'unknown-type', message: 'unknown message type: "teleport"', ref: 7 },
    });
  });

  it('rejects unknown fields (a client-supplied from is not accepted)', () => {
    const result = parseClientMessage({ type: 'offer', room: 'r', to: 'p', sdp: 'v=0', from: 'forged' });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
  });

  it('names the offending field', () => {
    const result = parseClientMessage({ type: 'join', room: 'has space', ref: 'a' });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-message', ref: 'a' } });
    if (!result.ok) expect(result.error.message).toContain('room');
  });

  it('accepts an end-of-candidates candidate', () => {
    const result = parseClientMessage({ type: 'candidate', room: 'r', to: 'p', candidate: null });
    expect(result.ok).toBe(true);
  });

  it('never throws on arrays, primitives and null', () => {
    for (const raw of ['[]', '1', 'null', '"x"', 42, null, undefined]) {
      expect(parseClientMessage(raw).ok).toBe(false);
    }
  });
});

describe('parseServerMessage', () => {
  it('accepts a relayed offer with a stamped from', () => {
    const result = parseServerMessage({ type: 'offer', room: 'r', from: 'abc', sdp: 'v=0' });
    expect(result.ok).toBe(true);
  });

  it('rejects an error frame with an unknown code', () => {
    const result = parseServerMessage({ type: 'error', code: 'nope', message: 'x' });
    expect(result.ok).toBe(false);
  });
});

describe('parseClientMessage agrees with the whole ClientMessageSchema variant', () => {
  const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
  const valid = fc.oneof(
    fc.record({ type: fc.constant('hello'), v: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ type: fc.constant('join'), room: id, name: fc.string({ maxLength: 70 }) }, { requiredKeys: ['type', 'room'] }),
    fc.record({ type: fc.constantFrom('offer', 'answer'), room: id, to: id, sdp: fc.string({ maxLength: 50 }) }),
    fc.record({ type: fc.constant('candidate'), room: id, to: id, candidate: fc.constant(null) }),
    fc.record({ type: fc.constant('app'), room: id, to: id, data: fc.jsonValue({ maxDepth: 2 }) }),
  );
  /** Valid messages and near misses: a key dropped, added or retyped, a forged `from`, a ref of any kind. */
  const frame = fc.oneof(
    valid,
    fc
      .tuple(valid, fc.constantFrom('drop', 'add', 'retype', 'from', 'ref'), fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }))
      .map(([message, how, key, junk]) => {
        const record: Record<string, unknown> = { ...message };
        const keys = Object.keys(record);
        if (how === 'drop') delete record[keys[key.length % keys.length] as string];
        if (how === 'add') record[key || 'extra'] = junk;
        if (how === 'retype') record.type = key;
        if (how === 'from') record.from = 'forged';
        if (how === 'ref') record.ref = junk;
        return record;
      }),
    fc.jsonValue({ maxDepth: 3 }),
  );

  it('accepts exactly the frames the variant accepts, with the same output', () => {
    fc.assert(
      fc.property(frame, (value) => {
        // Compare on what the wire carries: JSON text (which, e.g., turns -0 into 0).
        const text = JSON.stringify(value);
        const expected = v.safeParse(ClientMessageSchema, JSON.parse(text));
        const actual = parseClientMessage(text);
        expect(actual.ok).toBe(expected.success);
        if (actual.ok && expected.success) expect(actual.message).toEqual(expected.output);
      }),
      { numRuns: 3_000 },
    );
  });
});
