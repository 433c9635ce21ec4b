/**
 * `@peerchart/core/dom`: what every UI needs to play a call's streams in `<video>`/`<audio>` elements
 * and to meter its audio, framework-free (the React and Vue bindings use it; so can a plain app). Not part
 * of the main entry: an app that does not import it does not ship it.
 */
export { applySinkId, playWithSoundFallback, unmute } from './media-element.js';
export { meterAudio, watchAudioLevels } from './audio-meter.js';
export { nextSpeaker, sampleAudioLevels, SAMPLE_MS, SPEAKER_HOLD_MS, SPEECH_LEVEL, type AudioMeter, type SpeakerState } from './audio-levels.js';
