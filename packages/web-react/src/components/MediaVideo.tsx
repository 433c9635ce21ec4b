import { useEffect, useRef, useState } from 'react';

interface Props {
  stream: MediaStream | null;
  testid: string;
  peerId?: string;
  muted?: boolean;
  className?: string;
}

export function MediaVideo({ stream, testid, peerId, muted = false, className }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  /** The browser refused to autoplay with sound (no user gesture yet): playing muted until a click. */
  const [soundBlocked, setSoundBlocked] = useState(false);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    // `defaultMuted` is the `muted` attribute, which React never renders: the DOM says what the property does.
    el.defaultMuted = muted;
    if (el.srcObject === stream) return;
    el.srcObject = stream;
    if (!stream) return;
    el.play().catch((error: unknown) => {
      if (muted || !(error instanceof DOMException) || error.name !== 'NotAllowedError') return;
      setSoundBlocked(true);
      el.muted = true;
      void el.play().catch(() => undefined);
    });
  }, [stream, muted]);

  const enableSound = () => {
    if (!video.current) return;
    video.current.muted = false;
    setSoundBlocked(false);
    void video.current.play().catch(() => undefined);
  };

  return (
    <>
      <video ref={video} className={className} data-testid={testid} data-peer-id={peerId} autoPlay playsInline muted={muted} />
      {soundBlocked && (
        <button type="button" onClick={enableSound}>
          Turn on sound
        </button>
      )}
    </>
  );
}
