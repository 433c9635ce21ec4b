/**
 * A stand-in for the room in peer tests: a tiny parent machine that invokes one peer machine (so
 * its `sendParent` has somewhere to go) and hands every parent message to a callback. `linkPeers`
 * wires two of them through an in-process relay that turns PEER.SIGNAL into SIGNAL.* events on the
 * other side, asynchronously, the way a signaling server would.
 */
import { createActor, setup, sendTo, type ActorOptions, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { peerMachine, type PeerCommandEvent, type PeerInput, type PeerParentMessage, type SignalMessage } from '../machines/peer.machine.js';

interface HarnessInput {
  peer: PeerInput;
  onMessage: (message: PeerParentMessage) => void;
}

const harnessMachine = setup({
  types: {
    context: {} as HarnessInput,
    input: {} as HarnessInput,
    events: {} as PeerParentMessage | { type: 'TO_PEER'; event: PeerCommandEvent },
  },
  actors: { peer: peerMachine },
}).createMachine({
  context: ({ input }) => input,
  invoke: { id: 'peer', src: 'peer', input: ({ context }) => context.peer },
  on: {
    'PEER.SIGNAL': { actions: ({ context, event }) => context.onMessage(event) },
    'PEER.CHAT': { actions: ({ context, event }) => context.onMessage(event) },
    'PEER.CLOSED': { actions: ({ context, event }) => context.onMessage(event) },
    TO_PEER: { actions: sendTo('peer', ({ event }) => event.event) },
  },
});

export type PeerSnapshot = SnapshotFrom<typeof peerMachine>;

export interface HarnessedPeer {
  /** Send an event to the peer machine. */
  send(event: PeerCommandEvent): void;
  /** The peer actor (for snapshots and waitFor); stays readable after it closed. */
  peer: ActorRefFrom<typeof peerMachine>;
  /** Every message the peer sent its parent, in order. */
  messages: PeerParentMessage[];
  stop(): void;
}

export interface HarnessOptions {
  /** Another implementation of the peer machine (e.g. with a scripted pc actor). */
  logic?: typeof peerMachine;
  clock?: ActorOptions<typeof harnessMachine>['clock'];
}

export function startHarnessedPeer(
  peer: PeerInput,
  onMessage: (message: PeerParentMessage) => void = () => {},
  options: HarnessOptions = {},
): HarnessedPeer {
  const messages: PeerParentMessage[] = [];
  const logic = options.logic ? harnessMachine.provide({ actors: { peer: options.logic } }) : harnessMachine;
  const actor = createActor(logic, {
    ...(options.clock ? { clock: options.clock } : {}),
    input: {
      peer,
      onMessage: (message) => {
        messages.push(message);
        onMessage(message);
      },
    },
  });
  actor.start();
  const ref = actor.getSnapshot().children.peer;
  if (!ref) throw new Error('harness did not start its peer');
  return {
    send: (event) => actor.send({ type: 'TO_PEER', event }),
    peer: ref as ActorRefFrom<typeof peerMachine>,
    messages,
    stop: () => actor.stop(),
  };
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
  chats: { a: PeerParentMessage[]; b: PeerParentMessage[] };
  stop(): void;
}

/** Two harnessed peers whose signaling goes to each other (one macrotask later, like a network hop). */
export function linkPeers(inputA: PeerInput, inputB: PeerInput): LinkedPair {
  const relayed: LinkedPair['relayed'] = [];
  const chats: LinkedPair['chats'] = { a: [], b: [] };
  let stopped = false;
  const sides: { a?: HarnessedPeer; b?: HarnessedPeer } = {};
  const route = (from: 'a' | 'b') => (message: PeerParentMessage) => {
    if (message.type === 'PEER.CHAT') chats[from].push(message);
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
    chats,
    stop() {
      stopped = true;
      a.stop();
      b.stop();
    },
  };
}
