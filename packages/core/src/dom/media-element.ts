/**
 * Starts `video`. When the browser refuses to play it with sound (autoplay policy: no user gesture
 * yet, `play()` rejects with NotAllowedError), it plays muted instead and `onSoundBlocked` is called,
 * so the UI can offer a click that turns the sound on (`unmute`).
 */
export function playWithSoundFallback(video: HTMLVideoElement, onSoundBlocked: () => void): void {
  video.play().catch((error: unknown) => {
    if (video.muted || (error as { name?: unknown } | null)?.name !== 'NotAllowedError') return;
    video.muted = true;
    onSoundBlocked();
    void video.play().catch(() => undefined);
  });
}

/** Turns the sound on, from a user gesture (a click), after `playWithSoundFallback` had to mute. */
export function unmute(video: HTMLVideoElement): void {
  video.muted = false;
  void video.play().catch(() => undefined);
}

/**
 * Plays `video`'s sound on the speaker `sinkId` (an `audiooutput` device id; `''` = the default) where
 * the browser has `setSinkId`; elsewhere, or if the device is gone, the sound stays where it is.
 */
export function applySinkId(video: HTMLVideoElement, sinkId: string | undefined): void {
  const element = video as HTMLVideoElement & { setSinkId?: (id: string) => Promise<void> };
  if (sinkId === undefined || !element.setSinkId || (element as { sinkId?: string }).sinkId === sinkId) return;
  element.setSinkId(sinkId).catch(() => undefined);
}
