/**
 * Two peer machines negotiating with each other through a simulated network, stepped purely (see
 * test-support/pure-step.ts): the perfect-negotiation property that otherwise only the werift test
 * covers, here over thousands of interleavings.
 *
 * Each side has a model RTCPeerConnection that runs the machine's commands in order and enforces the
 * signaling-state rules a browser enforces (an answer only in have-local-offer, createAnswer only in
 * have-remote-offer, a remote offer in have-local-offer is an implicit rollback, no remote candidate
 * before a remote description), and gathers local candidates after a local description is set.
 *
 * What the network may do, and why (what perfect negotiation tolerates):
 * - delay anything, arbitrarily, so both sides' offers may cross (glare) at any point;
 * - reorder and duplicate ICE candidates: their order carries no meaning, re-adding one is harmless,
 *   and one may even overtake the description it followed (the receiver must buffer it);
 * - descriptions (offer, answer) are delivered exactly once and in the order sent, as the WebSocket
 *   relay guarantees per pair of peers. Perfect negotiation assumes this: a replayed or reordered
 *   offer is indistinguishable from a new negotiation and would be answered again, which no
 *   signaling design tolerates without sequence numbers.
 * Both sides may ask for renegotiation (a new track, RENEGOTIATE) or an ICE restart at any moment.
 * Once the random part is over, the network and both connections run until nothing is left to do:
 * both must then be in `stable` with each side's local description the other's remote one, and every
 * renegotiation or ICE restart asked of a side must have been offered by it, and answered.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import type { PcCommand, PcEvent } from '../actors/peer-connection.js';
import { signalToEvent } from '../test-support/peer-harness.js';
import { purePeerInput, purePeerMachine as machine } from '../test-support/peer-events.js';
import { pureStepper, type PureStep, type PureStepper } from '../test-support/pure-step.js';
import type { PeerEmitted, PeerEvent, SignalMessage } from './peer.machine.js';

type Snapshot = PureStep<typeof machine>[0];
type Action = PureStep<typeof machine>[1][number];
type Side = 'a' | 'b';
type Description = { type: 'offer' | 'answer'; sdp: string };

const other = (side: Side): Side => (side === 'a' ? 'b' : 'a');

/** An RTCPeerConnection's signaling rules, as browsers enforce them (webrtc-pc §4.4.1.5–6). */
class ModelPc {
  queue: PcCommand[] = [];
  state: 'stable' | 'have-local-offer' | 'have-remote-offer' = 'stable';
  currentLocal: Description | null = null;
  currentRemote: Description | null = null;
  pendingLocal: Description | null = null;
  pendingRemote: Description | null = null;
  violations: string[] = [];
  /** Our offers whose answer was applied, with when each was created (the clock counts events fed to the machines). */
  completedOffers: { sdp: string; createdAt: number; completedAt: number }[] = [];
  private offerCreatedAt = new Map<string, number>();
  /** An ICE restart is owed: offers restart ICE until one that does is answered (as after restartIce() in a browser). */
  private restartIce = false;
  private made = 0;
  private gathered = 0;

  constructor(
    readonly side: Side,
    private readonly now: () => number,
  ) {}

  take(actions: Action[]) {
    for (const action of actions) {
      const event = (action.params as { event?: AnyEventObject } | undefined)?.event;
      if (action.type === 'xstate.sendTo' && event?.type.startsWith('PC.')) this.queue.push(event as PcCommand);
    }
  }

  get hasRemoteDescription() {
    return this.currentRemote !== null || this.pendingRemote !== null;
  }

  private fail(op: Extract<PcEvent, { type: 'PC.OP_FAILED' }>['op'], why: string): PcEvent[] {
    this.violations.push(`${this.side}: ${op} ${why}`);
    return [{ type: 'PC.OP_FAILED', op, message: why }];
  }

  private become(state: ModelPc['state']): PcEvent[] {
    this.state = state;
    return [{ type: 'PC.SIGNALING_STATE', state }];
  }

  /** Runs the oldest command; the events it causes, in the order a browser fires them. */
  runNext(): PcEvent[] {
    const command = this.queue.shift();
    if (!command) return [];
    switch (command.type) {
      case 'PC.CREATE_OFFER': {
        if (this.state === 'have-remote-offer') return this.fail('createOffer', 'in have-remote-offer');
        const sdp = `${this.side}-offer-${++this.made}${command.iceRestart || this.restartIce ? '-restart' : ''}`;
        this.offerCreatedAt.set(sdp, this.now());
        return [{ type: 'PC.OFFER_CREATED', sdp }];
      }
      case 'PC.CREATE_ANSWER':
        if (this.state !== 'have-remote-offer') return this.fail('createAnswer', `in ${this.state}`);
        return [{ type: 'PC.ANSWER_CREATED', sdp: `${this.side}-answer-to-${this.pendingRemote?.sdp}` }];
      case 'PC.SET_LOCAL': {
        const description = command.description as Description;
        if (description.type === 'offer') {
          if (this.state === 'have-remote-offer') return this.fail('setLocalOffer', 'in have-remote-offer');
          this.pendingLocal = description;
          return [...this.become('have-local-offer'), { type: 'PC.LOCAL_SET', description }];
        }
        if (this.state !== 'have-remote-offer') return this.fail('setLocalAnswer', `in ${this.state}`);
        if (!description.sdp.endsWith(`-to-${this.pendingRemote?.sdp}`)) this.violations.push(`${this.side}: answer ${description.sdp} set for ${this.pendingRemote?.sdp}`);
        [this.currentLocal, this.currentRemote, this.pendingRemote] = [description, this.pendingRemote, null];
        return [...this.become('stable'), { type: 'PC.LOCAL_SET', description }];
      }
      case 'PC.SET_REMOTE': {
        const description = command.description as Description;
        if (description.type === 'offer') {
          if (this.state === 'have-remote-offer') return this.fail('setRemoteOffer', 'in have-remote-offer');
          // In have-local-offer this is the implicit rollback of our offer (the polite side's move).
          this.pendingLocal = null;
          this.pendingRemote = description;
          return [...this.become('have-remote-offer'), { type: 'PC.REMOTE_SET', descriptionType: 'offer' }];
        }
        if (this.state !== 'have-local-offer') return this.fail('setRemoteAnswer', `in ${this.state}`);
        if (!description.sdp.endsWith(`-to-${this.pendingLocal?.sdp}`)) this.violations.push(`${this.side}: answer ${description.sdp} applied to ${this.pendingLocal?.sdp}`);
        [this.currentRemote, this.currentLocal, this.pendingLocal] = [description, this.pendingLocal, null];
        if (this.currentLocal) {
          this.completedOffers.push({ sdp: this.currentLocal.sdp, createdAt: this.offerCreatedAt.get(this.currentLocal.sdp) ?? -1, completedAt: this.now() });
        }
        if (this.currentLocal?.sdp.endsWith('-restart')) this.restartIce = false;
        return [...this.become('stable'), { type: 'PC.REMOTE_SET', descriptionType: 'answer' }];
      }
      case 'PC.ADD_CANDIDATE':
        if (!this.hasRemoteDescription) return this.fail('addCandidate', 'before any remote description');
        return [];
      default:
        return []; // tracks, data, stats: nothing the signaling state depends on
    }
  }

  /** A local candidate, once a local description exists (ICE gathering). */
  gather(): PcEvent[] {
    if (!this.currentLocal && !this.pendingLocal) return [];
    return [{ type: 'PC.ICE_CANDIDATE', candidate: { candidate: `candidate:${this.side}${++this.gathered} 1 udp 1 10.0.0.1 9 typ host`, sdpMid: '0' } }];
  }
}

/** One direction of the network: descriptions in order, candidates as a bag. */
class Link {
  descriptions: SignalMessage[] = [];
  candidates: SignalMessage[] = [];
  push(message: SignalMessage) {
    (message.type === 'candidate' ? this.candidates : this.descriptions).push(message);
  }
  get empty() {
    return this.descriptions.length === 0 && this.candidates.length === 0;
  }
}

type Step =
  | { kind: 'created'; side: Side }
  | { kind: 'pc'; side: Side }
  | { kind: 'gather'; side: Side }
  | { kind: 'description'; to: Side }
  | { kind: 'candidate'; to: Side; pick: number; duplicate: boolean }
  | { kind: 'renegotiate'; side: Side; how: 'RENEGOTIATE' | 'PC.NEGOTIATION_NEEDED' | 'RESTART_ICE' };

const side = fc.constantFrom<Side>('a', 'b');
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('created' as const), side }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('pc' as const), side }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('gather' as const), side }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('description' as const), to: side }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('candidate' as const), to: side, pick: fc.nat(), duplicate: fc.nat({ max: 3 }).map((n) => n === 0) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('renegotiate' as const), side, how: fc.constantFrom('RENEGOTIATE' as const, 'PC.NEGOTIATION_NEEDED' as const, 'RESTART_ICE' as const) }),
  },
);

interface Peer {
  stepper: PureStepper<typeof machine>;
  snapshot: Snapshot;
  pc: ModelPc;
  created: boolean;
  /** The link that carries what this side receives. */
  inbox: Link;
  exchanges: number;
  /** RENEGOTIATE / RESTART_ICE asked of this side (once its connection existed), and when. */
  requests: { at: number; restart: boolean }[];
}

function simulate(initiatorPolite: boolean, steps: Step[]) {
  // The room's roles: the newcomer is the initiator; politeness is the other way round in the room,
  // but the machine must not depend on it, so both assignments are tried.
  const peers = {} as Record<Side, Peer>;
  let clock = 0;
  const now = () => clock;
  for (const s of ['a', 'b'] as const) {
    const initiator = s === 'a';
    const stepper = pureStepper(machine, purePeerInput({ initiator, polite: initiator === initiatorPolite }));
    peers[s] = { stepper, snapshot: undefined as never, pc: new ModelPc(s, now), created: false, inbox: new Link(), exchanges: 0, requests: [] };
  }
  const feed = (s: Side, event: AnyEventObject) => {
    const peer = peers[s];
    clock += 1;
    const [snapshot, actions] = peer.stepper.step(peer.snapshot, event as PeerEvent);
    peer.snapshot = snapshot;
    after(s, actions);
  };
  const after = (s: Side, actions: Action[]) => {
    peers[s].pc.take(actions);
    for (const action of actions) {
      // Executed `emit` actions (typed as the named actions only).
      const emitted = (action.type as string) === 'xstate.emit' ? (action.params as { event: PeerEmitted }).event : null;
      if (emitted?.type !== 'PEER.SIGNAL') continue;
      const { message } = emitted;
      if (message.type === 'answer') peers[s].exchanges += 1;
      peers[other(s)].inbox.push(message);
    }
  };
  let collisions = 0;
  for (const s of ['a', 'b'] as const) {
    const [snapshot, actions] = peers[s].stepper.initial();
    peers[s].snapshot = snapshot;
    after(s, actions);
  }
  /** Plays one step; false when it had nothing to act on. */
  const play = (step: Step): boolean => {
    switch (step.kind) {
      case 'created': {
        const peer = peers[step.side];
        if (peer.created) return false;
        peer.created = true;
        feed(step.side, { type: 'PC.CREATED' });
        return true;
      }
      case 'pc': {
        const events = peers[step.side].pc.runNext();
        for (const event of events) feed(step.side, event);
        return events.length > 0 || peers[step.side].pc.queue.length > 0;
      }
      case 'gather': {
        const events = peers[step.side].pc.gather();
        for (const event of events) feed(step.side, event);
        return events.length > 0;
      }
      case 'description': {
        const message = peers[step.to].inbox.descriptions.shift();
        if (!message) return false;
        if (message.type === 'offer' && ['creatingOffer', 'settingLocalOffer', 'awaitingAnswer'].includes(negotiation(peers[step.to].snapshot))) collisions += 1;
        feed(step.to, signalToEvent(message));
        return true;
      }
      case 'candidate': {
        const bag = peers[step.to].inbox.candidates;
        if (bag.length === 0) return false;
        const index = step.pick % bag.length;
        const message = bag[index]!;
        if (!step.duplicate) bag.splice(index, 1);
        feed(step.to, signalToEvent(message));
        return true;
      }
      case 'renegotiate':
        feed(step.side, { type: step.how });
        if (step.how !== 'PC.NEGOTIATION_NEEDED' && peers[step.side].created) peers[step.side].requests.push({ at: clock, restart: step.how === 'RESTART_ICE' });
        return true;
    }
  };
  for (const step of steps) play(step);
  // Quiescence: everything created, every command run, every message delivered (candidates in a
  // random-ish but fixed order), until a full round changes nothing.
  for (let round = 0; round < 200; round++) {
    let busy = false;
    for (const s of ['a', 'b'] as const) {
      busy = play({ kind: 'created', side: s }) || busy;
      while (peers[s].pc.queue.length > 0) busy = play({ kind: 'pc', side: s }) || busy;
      busy = play({ kind: 'description', to: s }) || busy;
      while (peers[s].inbox.candidates.length > 0) busy = play({ kind: 'candidate', to: s, pick: round, duplicate: false }) || busy;
    }
    if (!busy) break;
  }
  return { ...peers, collisions };
}

const negotiation = (snapshot: Snapshot) =>
  (snapshot.value as { active?: { session?: { negotiation?: string } } }).active?.session?.negotiation ?? JSON.stringify(snapshot.value);

const RUNS = 200;
const sequences = fc.tuple(fc.boolean(), fc.array(stepArb, { minLength: 30, maxLength: 60 }));

describe(`two peers through a reordering, duplicating, delaying network (${RUNS} runs, pure transition())`, () => {
  it('both reach stable with matching descriptions, and no connection is ever used out of order', () => {
    let glare = 0;
    let renegotiated = 0;
    fc.assert(
      fc.property(sequences, ([initiatorPolite, steps]) => {
        const { a, b, collisions } = simulate(initiatorPolite, steps);
        expect([...a.pc.violations, ...b.pc.violations]).toEqual([]);
        expect([a.snapshot.status, b.snapshot.status]).toEqual(['active', 'active']);
        expect([negotiation(a.snapshot), negotiation(b.snapshot)]).toEqual(['stable', 'stable']);
        expect([a.pc.state, b.pc.state]).toEqual(['stable', 'stable']);
        expect(a.pc.currentLocal).not.toBeNull();
        expect(a.pc.currentLocal).toEqual(b.pc.currentRemote);
        expect(b.pc.currentLocal).toEqual(a.pc.currentRemote);
        expect(a.inbox.empty && b.inbox.empty).toBe(true);
        // Every change asked for is offered by the side that asked, after it asked (a polite side
        // whose offer was rolled back in a collision offers again). An ICE restart asked for is
        // honoured by a restart exchange that completes after the request: a new restart offer, or
        // the restart offer already under way when it was asked for (one more would only add an ICE
        // generation).
        for (const peer of [a, b]) {
          for (const request of peer.requests) {
            const honoured = request.restart
              ? peer.pc.completedOffers.some((offer) => offer.completedAt >= request.at && offer.sdp.endsWith('-restart'))
              : peer.pc.completedOffers.some((offer) => offer.createdAt >= request.at);
            expect(honoured, `${peer.pc.side}: request at ${request.at} (restart: ${request.restart}) never offered`).toBe(true);
          }
        }
        if (collisions > 0) glare += 1; // an offer arrived while the receiver was making or awaiting its own
        if (a.exchanges + b.exchanges > 1) renegotiated += 1;
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: many runs renegotiated, and many had offers crossing (glare).
    expect(renegotiated).toBeGreaterThan(RUNS / 4);
    expect(glare).toBeGreaterThan(RUNS / 10);
  });
});
