import type { Implementations } from '../implementations.js';

/** The loudness of one audio track, read when asked; `stop` releases what measuring it holds. */
export interface AudioMeter {
  /** The level now: 0 (silence) .. 1 (full scale). */
  read(): number;
  stop(): void;
}

/** ~8 samples a second: smooth enough for a meter, few enough events. */
export const SAMPLE_MS = 125;
/** Levels are reported in steps of 0.05, so an event means a change a person can see. */
const LEVEL_STEPS = 20;
/** A level at or above this is speech (about -45 dBFS with `meterAudio`; below: silence, room noise). */
export const SPEECH_LEVEL = 0.25;
/** The active speaker keeps the role until silent this long: a pause between words does not hand it over. */
export const SPEAKER_HOLD_MS = 1000;

export interface SpeakerState {
  id: string | null;
  /** When `id` last spoke. */
  heardAt: number;
}

/**
 * Who speaks, with hysteresis: the current speaker holds the role while it spoke in the last
 * SPEAKER_HOLD_MS; then (or when nobody holds it) the loudest participant at SPEECH_LEVEL or above
 * takes it, or nobody. A speaker with no level any more (it left) goes at once. Pure.
 */
export function nextSpeaker(state: SpeakerState, levels: Record<string, number>, now: number): SpeakerState {
  if (state.id !== null && state.id in levels) {
    if (levels[state.id]! >= SPEECH_LEVEL) return { id: state.id, heardAt: now };
    if (now - state.heardAt < SPEAKER_HOLD_MS) return state;
  }
  let loudest: string | null = null;
  for (const id in levels) if (levels[id]! >= SPEECH_LEVEL && (loudest === null || levels[id]! > levels[loudest]!)) loudest = id;
  return { id: loudest, heardAt: now };
}

/**
 * A `watchAudioLevels` implementation on any meter: every SAMPLE_MS it meters each track `tracks()`
 * names (a meter per track, stopped when the track goes), rounds the levels to steps of 0.05, picks the
 * speaker (`nextSpeaker`), and calls `onLevels` only when something changed. `meterAudio` in browsers;
 * a fake meter in tests.
 */
export const sampleAudioLevels =
  (meter: (track: MediaStreamTrack) => AudioMeter, now: () => number = Date.now): NonNullable<Implementations['watchAudioLevels']> =>
  (tracks, onLevels) => {
    const meters = new Map<string, { track: MediaStreamTrack; meter: AudioMeter }>();
    let speaker: SpeakerState = { id: null, heardAt: 0 };
    let last = '';
    const timer = setInterval(() => {
      const current = tracks();
      for (const [id, held] of meters) {
        if (current[id] === held.track) continue;
        held.meter.stop();
        meters.delete(id);
      }
      const levels: Record<string, number> = {};
      for (const [id, track] of Object.entries(current)) {
        if (track && !meters.has(id)) meters.set(id, { track, meter: meter(track) });
        levels[id] = Math.round(Math.min(Math.max(meters.get(id)?.meter.read() ?? 0, 0), 1) * LEVEL_STEPS) / LEVEL_STEPS;
      }
      speaker = nextSpeaker(speaker, levels, now());
      const key = JSON.stringify([levels, speaker.id]);
      if (key !== last) onLevels({ levels, speaker: speaker.id });
      last = key;
    }, SAMPLE_MS);
    return () => {
      clearInterval(timer);
      for (const { meter } of meters.values()) meter.stop();
    };
  };
