import { describe, expect, it } from 'vitest';
import { recoveryButtons, secondsUntil } from './recovery.js';

describe('recoveryButtons', () => {
  it('offers media choices after a media error, in the given order', () => {
    const buttons = recoveryButtons({
      code: 'media/permission-denied',
      message: 'Camera and microphone are blocked.',
      actions: ['retry', 'receive-only', 'audio-only'],
    });
    expect(buttons.map((b) => [b.label, b.command.type])).toEqual([
      ['Retry', 'MEDIA.RETRY'],
      ['Join without camera and microphone', 'MEDIA.RECEIVE_ONLY'],
      ['Join with microphone only', 'MEDIA.AUDIO_ONLY'],
    ]);
  });

  it('retries the socket now after a signaling error, and offers Rejoin', () => {
    const buttons = recoveryButtons({ code: 'signaling/unreachable', message: 'm', actions: ['retry', 'rejoin'] });
    expect(buttons.map((b) => [b.label, b.command.type])).toEqual([
      ['Retry', 'SIGNALING.RETRY_NOW'],
      ['Rejoin', 'REJOIN'],
    ]);
  });
});

describe('secondsUntil', () => {
  it('rounds up and stops at zero', () => {
    expect(secondsUntil(10_500, 9_000)).toBe(2);
    expect(secondsUntil(10_000, 10_000)).toBe(0);
    expect(secondsUntil(1_000, 5_000)).toBe(0);
  });
});
