import { describe, expect, it } from 'vitest';
import { parsePeerMessage } from './peer-messages.js';

describe('parsePeerMessage', () => {
  it('accepts a media-state message given as JSON text', () => {
    const message = { type: 'media-state', audioMuted: false, videoOff: true, screen: false };
    expect(parsePeerMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it('accepts media-state with and without stream ids', () => {
    expect(parsePeerMessage({ type: 'media-state', audioMuted: true, videoOff: false, screen: false }).ok).toBe(true);
    const withIds = { type: 'media-state', audioMuted: false, videoOff: false, screen: true, cameraStreamId: 'c', screenStreamId: 's' };
    expect(parsePeerMessage(withIds)).toEqual({ ok: true, message: withIds });
  });

  it('rejects, never throws: bad JSON, unknown type (chat is the app\'s, on the data API), extra fields, oversized stream ids', () => {
    const state = { type: 'media-state', audioMuted: false, videoOff: false, screen: false };
    expect(parsePeerMessage('{nope')).toEqual({ ok: false, reason: 'not valid JSON' });
    expect(parsePeerMessage({ type: 'teleport' }).ok).toBe(false);
    expect(parsePeerMessage({ type: 'chat', id: 'm', text: 'x', at: 1 })).toEqual({ ok: false, reason: 'unknown message type' });
    expect(parsePeerMessage({ ...state, from: 'forged' }).ok).toBe(false);
    expect(parsePeerMessage({ ...state, cameraStreamId: 'x'.repeat(129) }).ok).toBe(false);
    for (const raw of [null, undefined, 42, [], 'null']) expect(parsePeerMessage(raw).ok).toBe(false);
  });

  it('names the offending field', () => {
    const result = parsePeerMessage({ type: 'media-state', audioMuted: 'yes', videoOff: false, screen: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('audioMuted');
  });
});
