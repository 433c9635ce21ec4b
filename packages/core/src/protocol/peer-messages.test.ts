import { describe, expect, it } from 'vitest';
import { parsePeerMessage } from './peer-messages.js';

describe('parsePeerMessage', () => {
  it('accepts a chat message given as JSON text', () => {
    expect(parsePeerMessage(JSON.stringify({ type: 'chat', id: 'm1', text: 'hi', at: 1 }))).toEqual({
      ok: true,
      message: { type: 'chat', id: 'm1', text: 'hi', at: 1 },
    });
  });

  it('accepts media-state with and without stream ids', () => {
    expect(parsePeerMessage({ type: 'media-state', audioMuted: true, videoOff: false, screen: false }).ok).toBe(true);
    const withIds = { type: 'media-state', audioMuted: false, videoOff: false, screen: true, cameraStreamId: 'c', screenStreamId: 's' };
    expect(parsePeerMessage(withIds)).toEqual({ ok: true, message: withIds });
  });

  it('rejects, never throws: bad JSON, unknown type, extra fields, empty text, oversized text', () => {
    expect(parsePeerMessage('{nope')).toEqual({ ok: false, reason: 'not valid JSON' });
    expect(parsePeerMessage({ type: 'teleport' }).ok).toBe(false);
    expect(parsePeerMessage({ type: 'chat', id: 'm', text: 'x', at: 1, from: 'forged' }).ok).toBe(false);
    expect(parsePeerMessage({ type: 'chat', id: 'm', text: '', at: 1 }).ok).toBe(false);
    expect(parsePeerMessage({ type: 'chat', id: 'm', text: 'x'.repeat(4_001), at: 1 }).ok).toBe(false);
    for (const raw of [null, undefined, 42, [], 'null']) expect(parsePeerMessage(raw).ok).toBe(false);
  });

  it('names the offending field', () => {
    const result = parsePeerMessage({ type: 'media-state', audioMuted: 'yes', videoOff: false, screen: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('audioMuted');
  });
});
