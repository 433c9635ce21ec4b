import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientMessage, type DirectedMessage } from '@peerchart/core/protocol';
import { relayedFrame } from './frames.js';

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const ref = fc.option(fc.oneof(fc.string({ maxLength: 70 }), fc.integer()), { nil: undefined });
/** Text with what JSON must escape: quotes, backslashes, control characters, line breaks. */
const text = fc.string({ unit: 'binary', maxLength: 300 });
const candidate = fc.oneof(
  fc.constant(null),
  fc.record(
    {
      candidate: fc.string({ maxLength: 120 }),
      sdpMid: fc.option(fc.string({ maxLength: 8 })),
      sdpMLineIndex: fc.option(fc.integer({ min: 0, max: 1024 })),
      usernameFragment: fc.option(fc.string({ maxLength: 16 })),
    },
    { requiredKeys: ['candidate'] },
  ),
);

const directed: fc.Arbitrary<DirectedMessage> = fc.oneof(
  fc.record({ type: fc.constantFrom('offer' as const, 'answer' as const), room: id, to: id, sdp: text.filter((s) => s.length > 0), ref }),
  fc.record({ type: fc.constant('candidate' as const), room: id, to: id, candidate, ref }),
  fc.record({ type: fc.constant('bye' as const), room: id, to: id, reason: fc.option(fc.string({ maxLength: 128 }), { nil: undefined }), ref }),
  fc.record({ type: fc.constant('app' as const), room: id, to: id, data: fc.jsonValue({ maxDepth: 3 }), ref }),
);

/** The relayed form the protocol defines, built as an object: what `relayedFrame` must serialize to, byte for byte. */
function reference(message: DirectedMessage, from: string): unknown {
  const { type, room } = message;
  switch (message.type) {
    case 'offer':
    case 'answer':
      return { type, room, from, sdp: message.sdp };
    case 'candidate':
      return { type, room, from, candidate: message.candidate };
    case 'bye':
      return message.reason === undefined ? { type, room, from } : { type, room, from, reason: message.reason };
    case 'app':
      return { type, room, from, data: message.data };
  }
}

describe('relayedFrame', () => {
  it('is byte for byte JSON.stringify of the relayed object, and never carries to or ref', () => {
    fc.assert(
      fc.property(directed, id, (message, from) => {
        const frame = relayedFrame(message, from);
        expect(frame).toBe(JSON.stringify(reference(message, from)));
        const parsed = JSON.parse(String(frame)) as Record<string, unknown>;
        expect(parsed.from).toBe(from);
        expect('to' in parsed || 'ref' in parsed).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });
});

/**
 * Keys of every object in a JSON text, checked for duplicates (which JSON.parse would silently
 * resolve, last one wins): the relayed frame must not carry any.
 */
function hasDuplicateKeys(json: string): boolean {
  const stack: (Set<string> | null)[] = [];
  const tokens = json.match(/"(?:[^"\\]|\\.)*"|[{}[\],:]/g) ?? [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as string;
    if (token === '{') stack.push(new Set());
    else if (token === '[') stack.push(null);
    else if (token === '}' || token === ']') stack.pop();
    else if (token.startsWith('"') && tokens[i + 1] === ':') {
      const keys = stack.at(-1);
      const key = JSON.parse(token) as string;
      if (keys?.has(key)) return true;
      keys?.add(key);
    }
  }
  return false;
}

/** A hot message's fields as JSON texts, valid by construction; `plain` when no string needs escaping. */
const hot = fc
  .tuple(
    fc.constantFrom('offer', 'answer', 'candidate'),
    id,
    id,
    fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), text.filter((s) => s.length > 0), fc.constant('v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n')),
    fc.oneof(
      fc.constant(null),
      fc.record(
        {
          // Quotes and braces inside the text, where they would fool a careless scan for the object's end.
          candidate: fc.oneof(fc.string({ maxLength: 60 }), text, fc.constantFrom('a"}', '"}"}', 'x\\"}', '}', '{"a":1}')),
          sdpMid: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
          sdpMLineIndex: fc.option(fc.integer({ min: 0, max: 1024 }), { nil: null }),
          usernameFragment: fc.option(fc.string({ maxLength: 16 }), { nil: null }),
        },
        { requiredKeys: ['candidate'] },
      ),
    ),
    ref,
  )
  .map(([type, room, to, sdp, candidate, refValue]) => {
    const payload: [string, unknown] = type === 'candidate' ? ['candidate', candidate] : ['sdp', sdp];
    const fields: [string, unknown][] = [['type', type], ['room', room], ['to', to], payload];
    if (refValue !== undefined) fields.push(['ref', typeof refValue === 'string' ? refValue.slice(0, 64) : refValue]);
    return fields;
  });

/** JSON of an object from entries whose values are JSON texts already. */
const objectJson = (entries: [string, string][], space: string) => `{${entries.map(([key, json]) => `${JSON.stringify(key)}:${space}${json}`).join(`,${space}`)}}`;

/**
 * The frame a client could send for those fields: keys in any order, and hostile variants — spaces
 * between tokens, earlier duplicates of a key (JSON.parse keeps the last; a decoy may hold an object
 * with its own `"sdp":` or `"candidate":`), a candidate object with its keys reordered or duplicated.
 */
const sent = fc
  .tuple(
    hot,
    fc.boolean(),
    fc.boolean(),
    fc.array(fc.tuple(fc.constantFrom('type', 'room', 'to', 'sdp', 'candidate', 'ref'), fc.jsonValue({ maxDepth: 2 }), fc.nat()), { maxLength: 2 }),
    fc.option(
      fc.tuple(
        fc.constantFrom('candidate', 'sdpMid', 'usernameFragment'),
        fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom({ a: 1 }, { a: 'b' }, { '}': 0 }, '}', ['"'])),
        fc.nat(),
      ),
      { nil: undefined },
    ),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([fields, reorder, hostile, decoysIfHostile, candidateDecoyIfHostile, candidateReorderIfHostile, spaced]) => {
    // Half of the frames are written plainly (as JSON.stringify would), half with hostile variants.
    const space = hostile && spaced ? ' ' : '';
    const decoys = hostile ? decoysIfHostile : [];
    const candidateDecoy = hostile ? candidateDecoyIfHostile : undefined;
    const candidateReorder = hostile && candidateReorderIfHostile;
    const toJson = ([key, value]: [string, unknown]): [string, string] => {
      if (key !== 'candidate' || value === null || typeof value !== 'object') return [key, JSON.stringify(value)];
      const inner: [string, string][] = Object.entries(value).map(([k, v]) => [k, JSON.stringify(v)]);
      if (candidateReorder) inner.reverse();
      if (candidateDecoy) {
        const [decoyKey, junk, at] = candidateDecoy;
        const real = inner.findIndex(([name]) => name === decoyKey);
        inner.splice(Math.min(at % (inner.length + 1), real >= 0 ? real : inner.length), 0, [decoyKey, JSON.stringify(junk)]);
      }
      return [key, objectJson(inner, space)];
    };
    const entries = (reorder ? [...fields].reverse() : fields).map(toJson);
    for (const [key, junk, at] of decoys) {
      // A decoy goes before every real occurrence of its key, so the real value is the one parsed.
      const real = entries.findIndex(([name]) => name === key);
      const index = real >= 0 ? Math.min(at % (entries.length + 1), real) : at % (entries.length + 1);
      if (real >= 0 || key === 'ref') entries.splice(index, 0, [key, JSON.stringify(junk)]);
    }
    const canonical = !space && decoys.length === 0 && !candidateDecoy && !candidateReorder;
    return { text: objectJson(entries, space), canonical };
  });

describe('relayedFrame from the frame as received', () => {
  it('carries the same message, never a duplicate key, and is byte for byte JSON.stringify for a plainly written frame', () => {
    const spliced = { plain: 0, hostile: 0 };
    fc.assert(
      fc.property(sent, id, ({ text: json, canonical }, from) => {
        const parsed = parseClientMessage(json);
        if (!parsed.ok) return; // a decoy `ref` can make the frame invalid: nothing is relayed then
        const message = parsed.message as DirectedMessage;
        const frame = relayedFrame(message, from, { text: json, bytes: Buffer.from(json) });
        const out = typeof frame === 'string' ? frame : frame.toString();
        const expected = reference(message, from) as Record<string, unknown>;
        expect(JSON.parse(out)).toStrictEqual(expected);
        expect(Object.keys(JSON.parse(out) as object)).toEqual(Object.keys(expected));
        expect(hasDuplicateKeys(out)).toBe(false);
        if (canonical) expect(out).toBe(JSON.stringify(expected));
        if (typeof frame !== 'string') spliced[canonical ? 'plain' : 'hostile'] += 1;
      }),
      { numRuns: 3_000 },
    );
    // Both kinds of frame must reach the copying path, or the properties above would say little about it.
    expect(spliced.plain).toBeGreaterThan(100);
    expect(spliced.hostile).toBeGreaterThan(100);
  });

  it('copies a plain SDP from the received bytes, and passes the sender escaping of it through', () => {
    const json = '{"type":"offer","room":"r","to":"p","sdp":"v=0\\r\\n\\u0041\\/"}';
    const parsed = parseClientMessage(json) as { ok: true; message: DirectedMessage };
    const frame = relayedFrame(parsed.message, 'me', { text: json, bytes: Buffer.from(json) });
    expect(Buffer.isBuffer(frame)).toBe(true);
    expect(frame.toString()).toBe('{"type":"offer","room":"r","from":"me","sdp":"v=0\\r\\n\\u0041\\/"}');
    expect(JSON.parse(frame.toString())).toEqual({ type: 'offer', room: 'r', from: 'me', sdp: 'v=0\r\nA/' });
  });

  it('serializes a frame with non-ASCII text instead of copying it (text offsets would not be byte offsets)', () => {
    const json = JSON.stringify({ type: 'offer', room: 'r', to: 'p', sdp: 'v=0 ünïcode' });
    const parsed = parseClientMessage(json) as { ok: true; message: DirectedMessage };
    const frame = relayedFrame(parsed.message, 'me', { text: json, bytes: Buffer.from(json) });
    expect(frame).toBe('{"type":"offer","room":"r","from":"me","sdp":"v=0 ünïcode"}');
  });
});
