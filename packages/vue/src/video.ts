import { defineComponent, h, onMounted, ref, watch, type PropType, type Ref } from 'vue';
import { applySinkId, playWithSoundFallback, unmute } from '@peerchart/core/dom';

export interface MediaStreamPlayback {
  /** The browser refused to autoplay with sound: the video plays muted until `enableSound` runs from a click. */
  soundBlocked: Readonly<Ref<boolean>>;
  /** Turns the sound on; call it from a user gesture. */
  enableSound: () => void;
}

/**
 * Attaches `stream()` to the `<video>` in `video` and plays it: `srcObject` is set only when the
 * stream changes (never reset by a re-render, which would restart the picture), and a refused autoplay
 * with sound falls back to muted playback (`soundBlocked`). For your own video component; `PeerVideo`
 * and `LocalVideo` use it.
 */
export function useMediaStream(video: Readonly<Ref<HTMLVideoElement | null>>, stream: () => MediaStream | null, muted: () => boolean = () => false): MediaStreamPlayback {
  const soundBlocked = ref(false);
  function attach(): void {
    const element = video.value;
    if (!element) return;
    // `defaultMuted` is the `muted` attribute, which Vue sets as a property only: the DOM then says what the property does.
    element.defaultMuted = muted();
    const next = stream();
    if (element.srcObject === next) return;
    element.srcObject = next;
    if (next) playWithSoundFallback(element, () => (soundBlocked.value = true));
  }
  onMounted(attach);
  watch([stream, muted], attach);
  return {
    soundBlocked,
    enableSound: () => {
      if (video.value) unmute(video.value);
      soundBlocked.value = false;
    },
  };
}

/** `MediaStream | null`: any value is accepted at run time (a MediaStream is not a plain `Object` to Vue's prop check). */
const streamProp = { type: null as unknown as PropType<MediaStream | null>, required: true as const };

/**
 * A remote peer's stream in a `<video autoplay playsinline>`, with sound. When the browser refuses to
 * play with sound before a user gesture, the video plays muted and a button (`unmuteLabel`) follows it;
 * a click turns the sound on and the button goes. Attributes (`class`, `data-*`…) go to the `<video>`.
 */
export const PeerVideo = defineComponent({
  name: 'PeerVideo',
  inheritAttrs: false,
  props: {
    stream: streamProp,
    /** Play without sound (e.g. a screen share). Default false: the peer is heard. */
    muted: { type: Boolean, default: false },
    /** The button shown while the browser blocks sound. */
    unmuteLabel: { type: String, default: 'Turn on sound' },
    /** The speaker to play on (an `audiooutput` deviceId, `''` = default), via `setSinkId` where the browser has it. */
    sinkId: { type: String, default: undefined },
  },
  setup(props, { attrs }) {
    const video = ref<HTMLVideoElement | null>(null);
    const { soundBlocked, enableSound } = useMediaStream(video, () => props.stream, () => props.muted);
    const sink = () => {
      if (video.value) applySinkId(video.value, props.sinkId);
    };
    onMounted(sink);
    watch(() => props.sinkId, sink);
    return () => [
      h('video', { ...attrs, ref: video, autoplay: true, playsinline: true, muted: props.muted }),
      soundBlocked.value ? h('button', { type: 'button', onClick: enableSound }, props.unmuteLabel) : null,
    ];
  },
});

/** One's own camera preview (or screen): a muted `<video autoplay playsinline>`, so nobody hears themselves. */
export const LocalVideo = defineComponent({
  name: 'LocalVideo',
  props: { stream: streamProp },
  setup(props) {
    const video = ref<HTMLVideoElement | null>(null);
    useMediaStream(video, () => props.stream, () => true);
    return () => h('video', { ref: video, autoplay: true, playsinline: true, muted: true });
  },
});
