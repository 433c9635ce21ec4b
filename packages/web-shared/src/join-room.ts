import { createRoom, type RoomHandle } from '@peerchart/core';
import type { InspectionEvent, Observer } from 'xstate';
import type { CallOptions } from './call-options.js';

type RoomOptions = Parameters<typeof createRoom>[0];
/** What a shell may add to the URL's options: an inspector, and (in Node tests) other side effects. */
export type JoinExtras = Partial<Pick<RoomOptions, 'inspect' | 'implementations'>>;
export type InspectCallback = NonNullable<RoomOptions['inspect']>;

/** Start the room a shell's URL asks for. The call itself lives in core; this only maps options. */
export function joinRoom(options: CallOptions & { room: string }, extras: JoinExtras = {}): RoomHandle {
  return createRoom({
    signalingUrl: options.signalingUrl,
    room: options.room,
    name: options.name,
    media: options.receiveOnly ? false : { audio: true, video: true },
    ...extras,
  });
}

/** The room's `inspect` callback feeding a Stately inspector (browser window, WebSocket or any adapter). */
export function reportTo(inspector: { inspect: Observer<InspectionEvent> }): InspectCallback {
  return (event) => inspector.inspect.next?.(event);
}

/**
 * `?inspect`: open the Stately inspector window and return the callback the room reports to.
 * Imported on demand so @statelyai/inspect stays out of the normal bundle.
 */
export async function loadBrowserInspector(): Promise<InspectCallback> {
  const { createBrowserInspector } = await import('@statelyai/inspect');
  return reportTo(createBrowserInspector());
}
