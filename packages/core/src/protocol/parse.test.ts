import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage, PROTOCOL_VERSION } from './index.js';

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
