import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DirectedMessage } from '@peerchart/core/protocol';
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
        const parsed = JSON.parse(frame) as Record<string, unknown>;
        expect(parsed.from).toBe(from);
        expect('to' in parsed || 'ref' in parsed).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });
});
