import { sampleAudioLevels, type AudioMeter } from './audio-levels.js';

/** One AudioContext for every meter (browsers limit how many a page may hold). */
let shared: AudioContext | undefined;

function audioContext(): AudioContext {
  if (!shared) {
    const context = (shared = new AudioContext());
    // Before a user gesture, browsers start it suspended (autoplay policy), and a suspended graph measures
    // nothing: it resumes at the first click or key.
    const resume = () => void context.resume().catch(() => undefined);
    for (const type of ['pointerdown', 'keydown']) addEventListener(type, resume, { once: true, capture: true });
    resume();
  }
  return shared;
}

/**
 * A browser's meter of one audio track: a WebAudio AnalyserNode on `track`, read as the RMS of its last ~40 ms on a decibel scale:
 * 0 at -60 dBFS or quieter (silence, room noise), 1 at full scale; speech is around 0.4–0.8.
 * A remote track must also play in a media element (muted is fine) for Chromium to feed WebAudio.
 */
export function meterAudio(track: MediaStreamTrack): AudioMeter {
  try {
    const context = audioContext();
    const source = context.createMediaStreamSource(new MediaStream([track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    return {
      read() {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const sample of samples) sum += sample * sample;
        const rms = Math.sqrt(sum / samples.length);
        return Math.max(0, Math.min(1, 1 + Math.log10(rms || 1e-9) / 3));
      },
      stop: () => source.disconnect(),
    };
  } catch {
    // No WebAudio here (Node, a test DOM), or a track it cannot take (ended): level 0, nothing held.
    return { read: () => 0, stop: () => undefined };
  }
}

/**
 * The browser's `watchAudioLevels` for createRoom's `implementations` (the React and Vue bindings pass
 * it): `meterAudio` on every participant's audio track, ~8 samples a second, the speaker with hysteresis.
 */
export const watchAudioLevels = sampleAudioLevels(meterAudio);
