/**
 * Properties of the peer machine over thousands of random event sequences, stepped PURELY, as with
 * xstate's `initialTransition` / `transition` (no actor runs, nothing is executed; see
 * test-support/pure-step.ts for why not those two themselves). The test
 * plays the RTCPeerConnection itself: a model that executes the `PC.*` commands the machine emits,
 * strictly in order like the real pc actor, and answers with success, failure or nothing yet;
 * between those, anything the outside world or the connection may send arrives at random.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyEventObject } from 'xstate';
import type { PcCommand, PcEvent } from '../actors/peer-connection.js';
import { pureStepper, type PureStep, type PureStepper } from '../test-support/pure-step.js';
import {
  COMMAND_EVENTS,
  CONNECTION_EVENTS,
  purePeerInput,
  purePeerMachine as machine,
  STUB_CAMERA,
  TIMER_EVENTS,
} from '../test-support/peer-events.js';
import type { PeerEmitted, PeerEvent, SignalMessage } from './peer.machine.js';

type Snapshot = PureStep<typeof machine>[0];
type Action = PureStep<typeof machine>[1][number];

/** What a step emitted (`emit` actions; the pure step executes none of them). */
const emittedBy = (actions: Action[]): PeerEmitted[] =>
  actions.flatMap((action) => ((action.type as string) === 'xstate.emit' ? [(action.params as { event: PeerEmitted }).event] : []));

/** Everything that may arrive unasked: from the room, from the remote, from the connection, from timers. */
const UNSOLICITED: ReadonlyArray<PeerEvent | AnyEventObject> = [...COMMAND_EVENTS, ...CONNECTION_EVENTS, ...TIMER_EVENTS];

/** The RTCPeerConnection as the machine expects it: commands run one after another, in order. */
class PcModel {
  queue: PcCommand[] = [];
  /** The last results given, replayed now and then as stale duplicates. */
  answered: PcEvent[] = [];
  hasRemoteDescription = false;
  signalingState: RTCSignalingState = 'stable';
  violations: string[] = [];

  take(actions: Action[]) {
    for (const action of actions) {
      const event = (action.params as { event?: AnyEventObject } | undefined)?.event;
      if (action.type === 'xstate.sendTo' && event?.type.startsWith('PC.')) {
        const command = event as PcCommand;
        if (['PC.CREATE_OFFER', 'PC.CREATE_ANSWER', 'PC.SET_LOCAL', 'PC.SET_REMOTE', 'PC.ADD_CANDIDATE'].includes(command.type)) {
          this.queue.push(command);
        }
      }
    }
  }

  /** Run the oldest command: its result event (success unless `fail`), checking what it may assume. */
  runNext(fail: boolean): PcEvent | null {
    const command = this.queue.shift();
    if (!command) return null;
    const failed = (op: Extract<PcEvent, { type: 'PC.OP_FAILED' }>['op']): PcEvent => ({ type: 'PC.OP_FAILED', op, message: 'boom' });
    let result: PcEvent;
    switch (command.type) {
      case 'PC.CREATE_OFFER':
        result = fail ? failed('createOffer') : { type: 'PC.OFFER_CREATED', sdp: 'local-offer' };
        break;
      case 'PC.CREATE_ANSWER':
        result = fail ? failed('createAnswer') : { type: 'PC.ANSWER_CREATED', sdp: 'local-answer' };
        break;
      case 'PC.SET_LOCAL': {
        const { type } = command.description;
        if (fail) result = failed(type === 'offer' ? 'setLocalOffer' : 'setLocalAnswer');
        else {
          this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
          result = { type: 'PC.LOCAL_SET', description: command.description };
        }
        break;
      }
      case 'PC.SET_REMOTE': {
        const { type } = command.description;
        if (type === 'answer' && this.signalingState !== 'have-local-offer') {
          this.violations.push(`answer applied in signaling state ${this.signalingState}`);
        }
        if (fail) result = failed(type === 'offer' ? 'setRemoteOffer' : 'setRemoteAnswer');
        else {
          this.signalingState = type === 'offer' ? 'have-remote-offer' : 'stable';
          this.hasRemoteDescription = true;
          result = { type: 'PC.REMOTE_SET', descriptionType: type };
        }
        break;
      }
      default: {
        if (command.type === 'PC.ADD_CANDIDATE' && !this.hasRemoteDescription) {
          this.violations.push('remote candidate applied before any remote description');
        }
        if (!fail) return null; // addIceCandidate succeeds silently
        result = failed('addCandidate');
      }
    }
    this.answered = [...this.answered.slice(-3), result];
    return result;
  }
}

type Step = { kind: 'pc'; fail: boolean } | { kind: 'stale'; pick: number } | { kind: 'event'; pick: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('pc' as const), fail: fc.nat({ max: 19 }).map((n) => n === 0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stale' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('event' as const), pick: fc.nat({ max: UNSOLICITED.length - 1 }) }) },
);

const inputArb = fc.record({
  polite: fc.boolean(),
  initiator: fc.boolean(),
  withCamera: fc.boolean(),
  earlyOffer: fc.boolean(),
});

interface Run {
  /** Snapshots after each event, up to the closing HANGUP of the epilogue. */
  snapshots: Snapshot[];
  signals: SignalMessage[];
  emitted: PeerEmitted[];
  pc: PcModel;
  stepper: PureStepper<typeof machine>;
  /** Actions emitted by events that arrived after the machine was done (must be none). */
  postDoneActions: number;
  /** `status:value` after each of those events. */
  valueAfterDone: string[];
}

type InputFlags = { polite: boolean; initiator: boolean; withCamera: boolean; earlyOffer: boolean };

const HANGUP_INDEX = UNSOLICITED.findIndex((event) => event.type === 'HANGUP');

/**
 * Feed one random sequence, then an epilogue: HANGUP, then the first events of the sequence again
 * (which must all bounce off `closed`). Returns the stepper too, for probing the snapshots reached.
 */
function simulate(inputFlags: InputFlags, steps: Step[]): Run {
  const input = purePeerInput({ ...inputFlags, localStream: inputFlags.withCamera ? STUB_CAMERA : null });
  const stepper = pureStepper(machine, input);
  const pc = new PcModel();
  const run: Run = { snapshots: [], signals: [], emitted: [], pc, stepper, postDoneActions: 0, valueAfterDone: [] };
  const observe = (actions: Action[]) => {
    pc.take(actions);
    for (const event of emittedBy(actions)) {
      run.emitted.push(event);
      if (event.type === 'PEER.SIGNAL') run.signals.push(event.message);
    }
  };
  let [snapshot, actions] = stepper.initial();
  observe(actions);
  const feed = (event: AnyEventObject) => {
    if (snapshot.status === 'done') {
      [snapshot, actions] = stepper.step(snapshot, event as PeerEvent);
      run.postDoneActions += actions.length;
      run.valueAfterDone.push(`${snapshot.status}:${JSON.stringify(snapshot.value)}`);
      return;
    }
    [snapshot, actions] = stepper.step(snapshot, event as PeerEvent);
    observe(actions);
    run.snapshots.push(snapshot);
    if (snapshot.status === 'done') pc.queue = []; // the pc actor is stopped with the machine
  };
  const play = (step: Step) => {
    if (step.kind === 'pc') {
      const result = pc.runNext(step.fail);
      if (result) feed(result);
    } else if (step.kind === 'stale') {
      const stale = pc.answered[step.pick % Math.max(1, pc.answered.length)];
      if (stale) feed(stale);
    } else {
      feed(UNSOLICITED[step.pick]!);
    }
  };
  if (inputFlags.earlyOffer) feed({ type: 'SIGNAL.OFFER', sdp: 'early-offer' });
  feed({ type: 'PC.CREATED' });
  for (const step of steps) play(step);
  feed(UNSOLICITED[HANGUP_INDEX]!);
  for (const step of steps.slice(0, 8)) play(step);
  return run;
}

const RUNS = 2_500;
/** Every property runs from the same seed (test-support/fast-check-seed.ts; FC_SEED replays another), so each sees the same sequences, simulated once (memoized). */
const ASSERT_OPTIONS = { numRuns: RUNS };
const sequences = fc.tuple(inputArb, fc.array(stepArb, { minLength: 1, maxLength: 40 }));
const simulated = new Map<string, Run>();
function simulateOnce(input: InputFlags, steps: Step[]): Run {
  const key = JSON.stringify([input, steps]);
  let run = simulated.get(key);
  if (!run) {
    run = simulate(input, steps);
    simulated.set(key, run);
  }
  return run;
}

describe(`peer machine properties (${RUNS} random event sequences, pure transition())`, () => {
  it('no event sequence throws', () => {
    fc.assert(
      fc.property(sequences, ([input, steps]) => {
        simulateOnce(input, steps);
      }),
      ASSERT_OPTIONS,
    );
  });

  it('closed is absorbing: once done, every later event leaves it done, in closed, with no action at all', () => {
    fc.assert(
      fc.property(sequences, ([input, steps]) => {
        const run = simulateOnce(input, steps);
        expect(run.snapshots.at(-1)?.status).toBe('done');
        expect(run.postDoneActions).toBe(0);
        for (const value of run.valueAfterDone) expect(value).toBe('done:"closed"');
        // PEER.CLOSED is told exactly once.
        expect(run.emitted.filter((message) => message.type === 'PEER.CLOSED')).toHaveLength(1);
      }),
      ASSERT_OPTIONS,
    );
  });

  it('a remote candidate is never applied before a remote description exists (pc model runs commands in order)', () => {
    fc.assert(
      fc.property(sequences, ([input, steps]) => {
        expect(simulateOnce(input, steps).pc.violations.filter((v) => v.startsWith('remote candidate'))).toEqual([]);
      }),
      ASSERT_OPTIONS,
    );
  });

  it('an answer is never applied in stable (only in have-local-offer)', () => {
    fc.assert(
      fc.property(sequences, ([input, steps]) => {
        expect(simulateOnce(input, steps).pc.violations.filter((v) => v.startsWith('answer'))).toEqual([]);
      }),
      ASSERT_OPTIONS,
    );
  });

  it('a local candidate is never signalled before a local description was', () => {
    fc.assert(
      fc.property(sequences, ([input, steps]) => {
        const { signals } = simulateOnce(input, steps);
        const firstDescription = signals.findIndex((s) => s.type === 'offer' || s.type === 'answer');
        const firstCandidate = signals.findIndex((s) => s.type === 'candidate');
        if (firstCandidate !== -1) {
          expect(firstDescription).toBeGreaterThan(-1);
          expect(firstCandidate).toBeGreaterThan(firstDescription);
        }
      }),
      ASSERT_OPTIONS,
    );
  });

  it('HANGUP is possible from every non-final state reached, and leads to closed, sending bye', () => {
    // HANGUP is handled by the `active` state whatever the context, so one check per configuration.
    const checked = new Set<string>();
    fc.assert(
      fc.property(sequences, ([input, steps]) => {
        const { snapshots, stepper } = simulateOnce(input, steps);
        for (const snapshot of snapshots) {
          if (snapshot.status !== 'active') continue;
          const configuration = JSON.stringify(snapshot.value);
          if (checked.has(configuration)) continue;
          checked.add(configuration);
          const [next, actions] = stepper.step(snapshot, { type: 'HANGUP' });
          expect(next.status).toBe('done');
          expect(next.value).toBe('closed');
          expect(next.output).toEqual({ peerId: 'remote', reason: 'hangup' });
          const signals = emittedBy(actions).flatMap((event) => (event.type === 'PEER.SIGNAL' ? [event.message] : []));
          expect(signals).toContainEqual({ type: 'bye' });
        }
      }),
      ASSERT_OPTIONS,
    );
    expect(checked.size).toBeGreaterThan(20);
  });

  it('the random sequences do reach deep states (the generator is not vacuous)', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(sequences, ([input, steps]) => {
        for (const snapshot of simulateOnce(input, steps).snapshots) {
          const session = (snapshot.value as { active?: { session?: Record<string, string> } }).active?.session;
          if (session) for (const [region, state] of Object.entries(session)) reached.add(`${region}.${state}`);
        }
      }),
      ASSERT_OPTIONS,
    );
    for (const state of [
      'negotiation.awaitingAnswer',
      'negotiation.settingRemoteAnswer',
      'negotiation.settingLocalAnswer',
      'connection.restarting',
      'channel.open',
    ]) {
      expect(reached).toContain(state);
    }
  });
});
