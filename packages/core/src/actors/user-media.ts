import { fromCallback, fromPromise } from 'xstate';
import type { Implementations } from '../implementations.js';

export const stopTracks = (stream: MediaStream | null) => stream?.getTracks().forEach((track) => track.stop());

/** A stream that arrives after its actor was stopped (the call was left meanwhile) is released at once. */
const releaseIfAborted = (signal: AbortSignal) => (stream: MediaStream) => {
  if (signal.aborted) stopTracks(stream);
  return stream;
};

/** getUserMedia as an actor; rejects with the browser's DOMException (its `name` says why). */
export const userMedia = fromPromise<
  MediaStream,
  { getUserMedia: Implementations['getUserMedia']; constraints: MediaStreamConstraints }
>(({ input, signal }) => input.getUserMedia(input.constraints).then(releaseIfAborted(signal)));

/** getDisplayMedia as an actor (screen share). */
export const displayMedia = fromPromise<MediaStream, { getDisplayMedia: Implementations['getDisplayMedia'] }>(({ input, signal }) =>
  input.getDisplayMedia({ video: true, audio: false }).then(releaseIfAborted(signal)),
);

/**
 * Holds a stream while its state is active: reports `MEDIA.TRACK_ENDED` when a track ends on its own
 * (the browser's "Stop sharing" button, a camera unplugged), and stops every track on exit — including
 * when the whole actor is stopped, so no camera light outlives the call.
 */
export const holdStream = fromCallback<{ type: 'noop' }, { stream: MediaStream | null }, { type: 'MEDIA.TRACK_ENDED'; stream: MediaStream }>(
  ({ input: { stream }, sendBack }) => {
    const ended = () => stream && sendBack({ type: 'MEDIA.TRACK_ENDED', stream });
    const tracks = stream?.getTracks() ?? [];
    tracks.forEach((track) => track.addEventListener('ended', ended));
    return () => {
      tracks.forEach((track) => track.removeEventListener('ended', ended));
      stopTracks(stream);
    };
  },
);
