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
    ...(options.relay ? { iceTransportPolicy: 'relay' as const } : {}),
    ...extras,
  });
}

/** The room's `inspect` callback feeding a Stately inspector (browser window, WebSocket or any adapter). */
export function reportTo(inspector: { inspect: Observer<InspectionEvent> }): InspectCallback {
  return (event) => inspector.inspect.next?.(event);
}

/** The Stately inspector of a `?inspect` page. */
export interface BrowserInspector {
  /** What the room reports to; events wait in a bounded buffer until the window is open. */
  inspect: InspectCallback;
  /** Opens the inspector window (or brings it forward). Call it from a click: browsers block pop-ups opened otherwise. */
  open(): void;
}

/**
 * `?inspect`: a Stately inspector for the room, imported on demand so @statelyai/inspect stays out
 * of the normal bundle. Its window opens on `open()`, not here, because this runs without a click.
 */
export async function loadBrowserInspector(): Promise<BrowserInspector> {
  const { createBrowserInspector } = await import('@statelyai/inspect');
  // Enough buffered events to keep the machine definitions until someone opens the window.
  const inspector = createBrowserInspector({ autoStart: false, maxDeferredEvents: 5_000 });
  return {
    inspect: reportTo(inspector),
    open: () => {
      const opened = inspector.adapter.targetWindow;
      if (opened && !opened.closed) opened.focus();
      else inspector.start();
    },
  };
}
