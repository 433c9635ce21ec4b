import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextSpeaker, sampleAudioLevels, SAMPLE_MS, SPEAKER_HOLD_MS, SPEECH_LEVEL, type AudioMeter, type SpeakerState } from './audio-levels.js';

const nobody: SpeakerState = { id: null, heardAt: 0 };

describe('nextSpeaker: the loudest at speech level, held through short pauses', () => {
  it('nobody while everyone is below speech level', () => {
    expect(nextSpeaker(nobody, { '': SPEECH_LEVEL - 0.05, a: 0 }, 1000).id).toBeNull();
  });

  it('the loudest participant at speech level or above takes the role', () => {
    expect(nextSpeaker(nobody, { '': 0.3, a: 0.7, b: 0.5 }, 1000).id).toBe('a');
  });

  it('the speaker keeps it while a louder one talks too (no flapping between two voices)', () => {
    const a = nextSpeaker(nobody, { a: 0.4, b: 0 }, 1000);
    expect(nextSpeaker(a, { a: 0.3, b: 0.9 }, 1100).id).toBe('a');
  });

  it('a pause shorter than the hold keeps the speaker; a longer one hands the role on (or to nobody)', () => {
    const a = nextSpeaker(nobody, { a: 0.6, b: 0 }, 1000);
    const paused = nextSpeaker(a, { a: 0, b: 0.8 }, 1000 + SPEAKER_HOLD_MS - 1);
    expect(paused.id).toBe('a');
    expect(nextSpeaker(paused, { a: 0, b: 0.8 }, 1000 + SPEAKER_HOLD_MS).id).toBe('b');
    expect(nextSpeaker(paused, { a: 0, b: 0 }, 1000 + SPEAKER_HOLD_MS).id).toBeNull();
  });

  it('a speaker who is gone (no level any more) loses the role at once', () => {
    const a = nextSpeaker(nobody, { a: 0.6, b: 0 }, 1000);
    expect(nextSpeaker(a, { b: 0.5 }, 1010).id).toBe('b');
  });
});

/** A track stand-in and a meter whose level the test sets. */
const track = (name: string) => ({ name }) as unknown as MediaStreamTrack;

describe('sampleAudioLevels: meters per track, reports changes only', () => {
  let clock = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
  });
  afterEach(() => vi.useRealTimers());

  function rig() {
    const loudness = new Map<MediaStreamTrack, number>();
    const meters: { track: MediaStreamTrack; stopped: boolean }[] = [];
    const meter = (t: MediaStreamTrack): AudioMeter => {
      const entry = { track: t, stopped: false };
      meters.push(entry);
      return { read: () => loudness.get(t) ?? 0, stop: () => (entry.stopped = true) };
    };
    const reports: { levels: Record<string, number>; speaker: string | null }[] = [];
    let tracks: Record<string, MediaStreamTrack | null> = {};
    const stop = sampleAudioLevels(meter, () => clock)(
      () => tracks,
      (report) => reports.push(report),
    );
    const tick = (times = 1) => {
      for (let i = 0; i < times; i += 1) {
        clock += SAMPLE_MS;
        vi.advanceTimersByTime(SAMPLE_MS);
      }
    };
    return { loudness, meters, reports, stop, tick, setTracks: (next: typeof tracks) => (tracks = next) };
  }

  it('reports the first levels, then nothing while they stay, then the change (rounded to 0.05, clamped to 0..1)', () => {
    const { loudness, reports, tick, setTracks } = rig();
    const mic = track('mic');
    setTracks({ '': mic, a: null });
    tick();
    expect(reports).toEqual([{ levels: { '': 0, a: 0 }, speaker: null }]);
    tick(3);
    expect(reports).toHaveLength(1);
    loudness.set(mic, 0.512);
    tick();
    expect(reports.at(-1)).toEqual({ levels: { '': 0.5, a: 0 }, speaker: '' });
    loudness.set(mic, 0.49); // the same step: no report
    tick();
    expect(reports).toHaveLength(2);
    loudness.set(mic, 7);
    tick();
    expect(reports.at(-1)?.levels['']).toBe(1);
  });

  it('the speaker is held through a short pause and dropped after SPEAKER_HOLD_MS of silence', () => {
    const { loudness, reports, tick, setTracks } = rig();
    const remote = track('remote');
    setTracks({ '': null, a: remote });
    loudness.set(remote, 0.6);
    tick();
    expect(reports.at(-1)?.speaker).toBe('a');
    loudness.set(remote, 0);
    tick(Math.floor(SPEAKER_HOLD_MS / SAMPLE_MS) - 1);
    expect(reports.at(-1)).toEqual({ levels: { '': 0, a: 0 }, speaker: 'a' });
    tick(2);
    expect(reports.at(-1)).toEqual({ levels: { '': 0, a: 0 }, speaker: null });
  });

  it('a meter per track: a replaced or gone track has its meter stopped; stop() stops the rest and the sampling', () => {
    const { meters, reports, stop, tick, setTracks } = rig();
    const first = track('first');
    const second = track('second');
    setTracks({ a: first, b: track('b') });
    tick(2);
    expect(meters.map((m) => m.stopped)).toEqual([false, false]);
    setTracks({ a: second });
    tick();
    expect(meters.map((m) => [m.track, m.stopped])).toEqual([
      [first, true],
      [expect.anything(), true],
      [second, false],
    ]);
    stop();
    expect(meters.every((m) => m.stopped)).toBe(true);
    const count = reports.length;
    setTracks({});
    tick(4);
    expect(reports).toHaveLength(count);
  });
});

describe('meterAudio without WebAudio', () => {
  it('is a silent meter that holds nothing (Node, a test DOM), so a binding passing it everywhere never throws', async () => {
    const { meterAudio } = await import('./audio-meter.js');
    const meter = meterAudio(track('mic'));
    expect(meter.read()).toBe(0);
    expect(() => meter.stop()).not.toThrow();
  });
});
