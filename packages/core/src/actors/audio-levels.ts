import { fromCallback } from 'xstate';
import type { AudioLevels, Implementations } from '../implementations.js';

export type AudioLevelsEvent = { type: 'AUDIO.LEVELS' } & AudioLevels;

/**
 * The participants' audio levels as events: `watchAudioLevels` (injected; the sampling, the meters and
 * the speaker's hysteresis live there) reports only changes. Without it (Node) nothing happens: levels stay 0.
 */
export const audioLevels = fromCallback<
  AudioLevelsEvent,
  { watch: Implementations['watchAudioLevels']; tracks: () => Record<string, MediaStreamTrack | null> }
>(({ input: { watch, tracks }, sendBack }) => watch?.(tracks, (report) => sendBack({ type: 'AUDIO.LEVELS', ...report })));
