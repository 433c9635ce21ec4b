import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import type { RoomCommand } from './commands.js';
import { watchBrowserDevices } from './actors/devices.js';
import { watchBrowserNetwork } from './actors/network-watcher.js';
import type { Implementations } from './implementations.js';
import type { ReceivedPeerData } from './protocol/peer-data.js';
import { roomMachine, type RoomTiming } from './machines/room.machine.js';
import { selectRoomView } from './selectors/room.js';
import type { RoomView } from './view.js';

export interface CreateRoomOptions {
  /** The signaling server's WebSocket URL, e.g. `wss://example.com/ws`. */
  signalingUrl: string;
  room: string;
  /** Display name shown to the others. */
  name?: string;
  /** A signed join ticket, when the server requires one. */
  ticket?: string;
  /** What to send; default `{ audio: true, video: true }`; `false` = receive-only. */
  media?: { audio: boolean; video: boolean } | false;
  /**
   * `false`: get media and the signaling connection ready, then wait (status `ready`) for
   * `send({ type: 'JOIN' })`, e.g. behind a pre-join screen. The call then starts without the socket and
   * greeting round trips. Default `true`: join as soon as both are ready.
   */
  autoJoin?: boolean;
  /** Side effects to use instead of the browser's (e.g. werift and `ws` in Node). */
  implementations?: Partial<Implementations>;
  /** Receives every actor, event and snapshot, e.g. `createBrowserInspector().inspect` (@statelyai/inspect). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Overrides the ICE servers the signaling server hands out (their renewal is then the app's business). */
  iceServers?: RTCIceServer[];
  /**
   * `'relay'`: relay-only mode. Only TURN relay candidates are gathered and signalled, so the other
   * side never learns this device's local or public addresses; needs a TURN server. Default `'all'`.
   */
  iceTransportPolicy?: RTCIceTransportPolicy;
  timing?: RoomTiming;
}

export interface RoomHandle {
  readonly actor: Actor<typeof roomMachine>;
  /** Sends a command; ignored once the room has been left. */
  send(command: RoomCommand): void;
  getView(): RoomView;
  /** Calls `listener` with each new view; returns the unsubscribe function. */
  subscribe(listener: (view: RoomView) => void): () => void;
  /** Calls `listener` with each application message a peer sends (`DATA.SEND`); returns the unsubscribe function. */
  onData(listener: (message: { from: string; data: ReceivedPeerData }) => void): () => void;
  /** Leaves the call (bye to every peer, socket closed, media released); resolves when done. */
  leave(): Promise<void>;
}

/** The browser's implementations, looked up only when called, so importing core has no side effects. */
const browserImplementations: Implementations = {
  createPeerConnection: (config) => new RTCPeerConnection(config),
  getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
  getDisplayMedia: (options) => navigator.mediaDevices.getDisplayMedia(options),
  createWebSocket: (url) => new WebSocket(url),
  watchNetwork: watchBrowserNetwork,
  watchDevices: watchBrowserDevices,
};

/** Creates and starts a room actor: media and signaling in parallel, then the join, then a peer per member. */
export function createRoom(options: CreateRoomOptions): RoomHandle {
  const actor = createActor(roomMachine, {
    input: {
      ...options,
      name: options.name ?? '',
      media: options.media ?? { audio: true, video: true },
      autoJoin: options.autoJoin ?? true,
      implementations: { ...browserImplementations, ...options.implementations },
    },
    inspect: options.inspect,
  });
  actor.start();
  const done = new Promise<void>((resolve) => actor.subscribe({ complete: resolve, error: () => resolve() }));
  const send = (command: RoomCommand) => {
    if (actor.getSnapshot().status === 'active') actor.send(command);
  };
  return {
    actor,
    send,
    getView: () => selectRoomView(actor.getSnapshot()),
    subscribe: (listener) => {
      const subscription = actor.subscribe({ next: (snapshot) => listener(selectRoomView(snapshot)), error: () => {} });
      return () => subscription.unsubscribe();
    },
    onData: (listener) => {
      const subscription = actor.on('data', listener);
      return () => subscription.unsubscribe();
    },
    leave: () => {
      send({ type: 'LEAVE' });
      return done;
    },
  };
}
