import { useCallback, useEffect, useRef, useState, type RefObject, type VideoHTMLAttributes } from 'react';
import { applySinkId, playWithSoundFallback, unmute } from '@peerchart/core/dom';

export interface MediaStreamPlayback {
  /** Give it to the `<video>`. */
  ref: RefObject<HTMLVideoElement | null>;
  /** The browser refused to autoplay with sound: the video plays muted until `enableSound` runs from a click. */
  soundBlocked: boolean;
  /** Turns the sound on; call it from a user gesture. */
  enableSound: () => void;
}

/**
 * Attaches `stream` to a `<video>` and plays it: `srcObject` is set only when the stream changes (never
 * reset by a re-render, which would restart the picture), and a refused autoplay with sound falls back
 * to muted playback (`soundBlocked`). For your own video component; `PeerVideo` and `LocalVideo` use it.
 */
export function useMediaStream(stream: MediaStream | null, muted = false): MediaStreamPlayback {
  const ref = useRef<HTMLVideoElement | null>(null);
  const [soundBlocked, setSoundBlocked] = useState(false);

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    // `defaultMuted` is the `muted` attribute, which React never renders: the DOM then says what the property does.
    video.defaultMuted = muted;
    if (video.srcObject === stream) return;
    video.srcObject = stream;
    if (stream) playWithSoundFallback(video, () => setSoundBlocked(true));
  }, [stream, muted]);

  const enableSound = useCallback(() => {
    if (ref.current) unmute(ref.current);
    setSoundBlocked(false);
  }, []);

  return { ref, soundBlocked, enableSound };
}

/** Any `<video>` attribute (`className`, `data-*`, `style`…) except the ones the component owns. */
type VideoAttributes = Omit<VideoHTMLAttributes<HTMLVideoElement>, 'src' | 'muted' | 'autoPlay' | 'playsInline' | 'children'>;

export interface PeerVideoProps extends VideoAttributes {
  stream: MediaStream | null;
  /** Play without sound (e.g. a screen share, whose audio is not wanted). Default false: the peer is heard. */
  muted?: boolean;
  /** The button shown while the browser blocks sound. Default "Turn on sound". */
  unmuteLabel?: string;
  /** The speaker to play on (an `audiooutput` deviceId, `''` = default), via `setSinkId` where the browser has it. */
  sinkId?: string;
}

/**
 * A remote peer's stream in a `<video autoplay playsinline>`, with sound. When the browser refuses to
 * play with sound before a user gesture, the video plays muted and a button (`unmuteLabel`) follows it;
 * a click turns the sound on and the button goes.
 */
export function PeerVideo({ stream, muted = false, unmuteLabel = 'Turn on sound', sinkId, ...attributes }: PeerVideoProps) {
  const { ref, soundBlocked, enableSound } = useMediaStream(stream, muted);
  useEffect(() => {
    if (ref.current) applySinkId(ref.current, sinkId);
  }, [ref, sinkId]);
  return (
    <>
      <video {...attributes} ref={ref} autoPlay playsInline muted={muted} />
      {soundBlocked && (
        <button type="button" onClick={enableSound}>
          {unmuteLabel}
        </button>
      )}
    </>
  );
}

export interface LocalVideoProps extends VideoAttributes {
  stream: MediaStream | null;
}

/** One's own camera preview (or screen): a muted `<video autoplay playsinline>`, so nobody hears themselves. */
export function LocalVideo({ stream, ...attributes }: LocalVideoProps) {
  const { ref } = useMediaStream(stream, true);
  return <video {...attributes} ref={ref} autoPlay playsInline muted />;
}
