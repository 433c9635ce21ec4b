import type { CreateRoomOptions } from '@peerchart/core';
import type { ActorRefLike, InspectionEvent, Observer } from 'xstate';
import type { CallOptions } from './call-options.js';

/** What a shell may add to the URL's options: an inspector, and (in Node tests) other side effects. */
export type JoinExtras = Partial<Pick<CreateRoomOptions, 'inspect' | 'implementations'>>;
export type InspectCallback = NonNullable<CreateRoomOptions['inspect']>;

/**
 * The room a shell's URL asks for, as `createRoom` options (the shells hand them to `useRoom` of
 * @peerchart/react or @peerchart/vue). The call itself lives in core; this only maps options.
 * Without `?join` (or `?receiveOnly`, which has nothing to preview) the room waits for JOIN: the pre-join screen.
 */
export function roomOptions(options: CallOptions & { room: string }, extras: JoinExtras = {}): CreateRoomOptions {
  return {
    signalingUrl: options.signalingUrl,
    room: options.room,
    name: options.name,
    autoJoin: options.join || options.receiveOnly,
    media: options.receiveOnly ? false : { audio: true, video: true },
    ...(options.relay ? { iceTransportPolicy: 'relay' as const } : {}),
    ...extras,
  };
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

/** The actors alive now, learnt from the inspection stream, so they can be announced again. */
export interface LiveActors {
  /** Feed every inspection event. */
  observe(event: InspectionEvent): void;
  /** Registers every live actor with `inspector` again (parents first), with its current snapshot. */
  announce(inspector: ActorAnnouncer): void;
}

/** The part of a @statelyai/inspect inspector that registers an actor. */
interface ActorAnnouncer {
  actor(actor: ActorRefLike, snapshot: { status: 'active' }): void;
}

export function trackLiveActors(): LiveActors {
  // Insertion order is creation order: a parent is registered before the children it spawns.
  const live = new Map<string, ActorRefLike>();
  return {
    observe(event) {
      if (event.type === '@xstate.actor') live.set(event.actorRef.sessionId, event.actorRef);
      else if (event.type === '@xstate.snapshot' && event.snapshot.status !== 'active') live.delete(event.actorRef.sessionId);
    },
    announce(inspector) {
      for (const [sessionId, actor] of live) {
        const snapshot = actor.getSnapshot() as { status: string };
        if (snapshot.status === 'active') inspector.actor(actor, snapshot as { status: 'active' });
        else live.delete(sessionId); // stopped without a final snapshot event
      }
    },
  };
}

/** The message the Stately inspector window posts once it listens (@statelyai/inspect's CONNECTION_EVENT). */
const INSPECTOR_CONNECTED = '@statelyai.connected';

/**
 * `?inspect`: a Stately inspector for the room, imported on demand so @statelyai/inspect stays out
 * of the normal bundle. Its window opens on `open()`, not here, because this runs without a click.
 *
 * The inspector keeps at most `maxDeferredEvents` events until its window connects and drops the
 * oldest first, so minutes into a call the actors' registrations (their machine definitions) are
 * gone: when the window connects, every live actor is announced again with its current snapshot.
 */
export async function loadBrowserInspector(browserWindow: Window = window): Promise<BrowserInspector> {
  const { createBrowserInspector } = await import('@statelyai/inspect');
  const inspector = createBrowserInspector({ autoStart: false, maxDeferredEvents: 5_000, window: browserWindow });
  const live = trackLiveActors();
  let listening = false;
  return {
    inspect: (event) => {
      live.observe(event);
      inspector.inspect.next?.(event);
    },
    open: () => {
      const opened = inspector.adapter.targetWindow;
      if (opened && !opened.closed) return opened.focus();
      inspector.start(); // opens the window; the buffered events go out once it connects
      if (listening) return;
      listening = true;
      // Registered after the adapter's own listener, so this runs after the buffer went out.
      browserWindow.addEventListener('message', (event: MessageEvent) => {
        if ((event.data as { type?: unknown } | null)?.type === INSPECTOR_CONNECTED) live.announce(inspector);
      });
    },
  };
}
