import { describe, expect, it } from 'vitest';
import type { RoomView } from '@peerchart/core';
import { activeSpeakerAttribute, audioLevelAttribute } from './speaker.js';

const view = (activeSpeakerId: string | null) => ({ activeSpeakerId }) as RoomView;

describe('active speaker and audio level attributes', () => {
  it('data-audio-level has two decimals', () => {
    expect([0, 0.05, 0.35, 1].map(audioLevelAttribute)).toEqual(['0.00', '0.05', '0.35', '1.00']);
  });

  it('data-active-speaker is true on the speaker tile only, and never for a null id (local tile before joining)', () => {
    expect(activeSpeakerAttribute(view('a'), 'a')).toBe(true);
    expect(activeSpeakerAttribute(view('a'), 'b')).toBeUndefined();
    expect(activeSpeakerAttribute(view(null), null)).toBeUndefined();
    expect(activeSpeakerAttribute(view(null), 'a')).toBeUndefined();
  });
});
