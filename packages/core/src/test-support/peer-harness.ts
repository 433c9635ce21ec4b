/**
 * A stand-in for the room in peer tests: runs one peer machine and hands every event it emits
 * (`actor.on`, as the room's child bridge hears them) and the application data its pc actor reports
 * (`onAppData`, which the room takes straight from there) to a callback. `linkPeers` wires two of them
 * through an in-process relay that turns PEER.SIGNAL into SIGNAL.* events on the other side,
 * asynchronously, the way a signaling server would.
 */
import { createActor, type ActorOptions, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import type { AppDataEvent } from '../actors/app-data.js';
import { peerMachine, type PeerCommandEvent, type PeerEmitted, type PeerInput, type SignalMessage } from '../machines/peer.machine.js';

/** A peer's input as a test gives it: the harness adds `onAppData`. */
export type HarnessPeerInput = Omit<PeerInput, 'onAppData'>;
/** What a harnessed peer reports: its emitted events and its application data. */
export type HarnessMessage = PeerEmitted | AppDataEvent;

export type PeerSnapshot = SnapshotFrom<typeof peerMachine>;

export interface HarnessedPeer {
  /** Send an event to the peer machine. */
  send(event: PeerCommandEvent): void;
  /** The peer actor (for snapshots and waitFor); stays readable after it closed. */
  peer: ActorRefFrom<typeof peerMachine>;
  /** Every event the peer emitted and every application-data event, in order. */
  messages: HarnessMessage[];
  stop(): void;
}

export interface HarnessOptions {
  /** Another implementation of the peer machine (e.g. with a scripted pc actor). */
  logic?: typeof peerMachine;
  clock?: ActorOptions<typeof peerMachine>['clock'];
}

export function startHarnessedPeer(
  peer: HarnessPeerInput,
  onMessage: (message: HarnessMessage) => void = () => {},
  options: HarnessOptions = {},
): HarnessedPeer {
  const messages: HarnessMessage[] = [];
  const report = (message: HarnessMessage) => {
    messages.push(message);
    onMessage(message);
  };
  const actor = createActor(options.logic ?? peerMachine, { ...(options.clock ? { clock: options.clock } : {}), input: { ...peer, onAppData: report } });
  actor.on('*', report);
  actor.start();
  return { send: (event) => actor.send(event), peer: actor, messages, stop: () => actor.stop() };
}

export function signalToEvent(message: SignalMessage): PeerCommandEvent {
  switch (message.type) {
    case 'offer':
      return { type: 'SIGNAL.OFFER', sdp: message.sdp };
    case 'answer':
      return { type: 'SIGNAL.ANSWER', sdp: message.sdp };
    case 'candidate':
      return { type: 'SIGNAL.CANDIDATE', candidate: message.candidate };
    case 'bye':
      return message.reason === undefined ? { type: 'SIGNAL.BYE' } : { type: 'SIGNAL.BYE', reason: message.reason };
  }
}

export interface LinkedPair {
  a: HarnessedPeer;
  b: HarnessedPeer;
  /** Signaling messages relayed so far, as `from→to type`. */
  relayed: Array<{ from: 'a' | 'b'; message: SignalMessage }>;
  /** Application data each side received (its `data` events). */
  received: { a: HarnessMessage[]; b: HarnessMessage[] };
  stop(): void;
}

/** Two harnessed peers whose signaling goes to each other (one macrotask later, like a network hop). */
export function linkPeers(inputA: HarnessPeerInput, inputB: HarnessPeerInput): LinkedPair {
  const relayed: LinkedPair['relayed'] = [];
  const received: LinkedPair['received'] = { a: [], b: [] };
  let stopped = false;
  const sides: { a?: HarnessedPeer; b?: HarnessedPeer } = {};
  const route = (from: 'a' | 'b') => (message: HarnessMessage) => {
    if (message.type === 'data') received[from].push(message);
    if (message.type !== 'PEER.SIGNAL') return;
    relayed.push({ from, message: message.message });
    const to = from === 'a' ? 'b' : 'a';
    setImmediate(() => {
      if (!stopped) sides[to]?.send(signalToEvent(message.message));
    });
  };
  sides.a = startHarnessedPeer(inputA, route('a'));
  sides.b = startHarnessedPeer(inputB, route('b'));
  const { a, b } = sides as Required<typeof sides>;
  return {
    a,
    b,
    relayed,
    received,
    stop() {
      stopped = true;
      a.stop();
      b.stop();
    },
  };
}
