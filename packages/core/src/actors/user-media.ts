import { fromCallback, type EventObject } from 'xstate';
import type { Implementations } from '../implementations.js';

export const stopTracks = (stream: MediaStream | null) => stream?.getTracks().forEach((track) => track.stop());
export const audioTrack = (stream: MediaStream | null) => stream?.getAudioTracks()[0] ?? null;
export const videoTrack = (stream: MediaStream | null) => stream?.getVideoTracks()[0] ?? null;
/** The device a track comes from (`getSettings` is optional: werift's tracks in Node have none). */
export const deviceIdOf = (track: MediaStreamTrack | null | undefined) => track?.getSettings?.().deviceId ?? null;

/** What a getUserMedia/getDisplayMedia request reports: the stream, or the rejection (a DOMException whose `name` says why). */
export type MediaRequestEvent =
  | { type: 'USER_MEDIA.DONE'; stream: MediaStream }
  | { type: 'USER_MEDIA.FAILED'; error: unknown }
  | { type: 'DISPLAY_MEDIA.DONE'; stream: MediaStream }
  | { type: 'DISPLAY_MEDIA.FAILED'; error: unknown };

/**
 * A media request as an actor. A stream that arrives after the actor was stopped (its state was
 * left, e.g. the call was left meanwhile) is released at once. Callback actors rather than promise
 * actors: the machine needs no second kind of actor logic (a smaller bundle), and never rejects.
 */
const mediaRequest = <TInput>(api: 'USER_MEDIA' | 'DISPLAY_MEDIA', open: (input: TInput) => Promise<MediaStream>) =>
  fromCallback<EventObject, TInput, MediaRequestEvent>(({ input, sendBack }) => {
    let stopped = false;
    new Promise<MediaStream>((resolve) => resolve(open(input))).then(
      (stream) => (stopped ? stopTracks(stream) : sendBack({ type: `${api}.DONE`, stream } as MediaRequestEvent)),
      (error: unknown) => sendBack({ type: `${api}.FAILED`, error } as MediaRequestEvent),
    );
    return () => {
      stopped = true;
    };
  });

/** getUserMedia as an actor. */
export const userMedia = mediaRequest(
  'USER_MEDIA',
  (input: { getUserMedia: Implementations['getUserMedia']; constraints: MediaStreamConstraints }) => input.getUserMedia(input.constraints),
);

/** getDisplayMedia as an actor (screen share). */
export const displayMedia = mediaRequest('DISPLAY_MEDIA', (input: { getDisplayMedia: Implementations['getDisplayMedia'] }) =>
  input.getDisplayMedia({ video: true, audio: false }),
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
