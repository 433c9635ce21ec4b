/**
 * Properties of the peer machine over thousands of random event sequences, stepped with the PURE
 * `initialTransition` / `transition` from xstate (no actor runs, nothing is executed). The test
 * plays the RTCPeerConnection itself: a model that executes the `PC.*` commands the machine emits,
 * strictly in order like the real pc actor, and answers with success, failure or nothing yet;
 * between those, anything the outside world or the connection may send arrives at random.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyEventObject } from 'xstate';
import type { PcCommand, PcEvent } from '../actors/peer-connection.js';
import { peerMachine, type PeerEvent, type PeerInput, type PeerParentMessage, type SignalMessage } from './peer.machine.js';

// Parent messages become observable actions instead of going to a (non-existent) parent.
const machine = peerMachine.provide({ actions: { signal: () => {}, notifyParent: () => {} } });
type Snapshot = ReturnType<typeof initialTransition<typeof machine>>[0];
type Action = ReturnType<typeof transition<typeof machine>>[1][number];

const fakeTrack = (kind: 'audio' | 'video', id: string) => ({ kind, id }) as unknown as MediaStreamTrack;
const fakeStream = (id: string, tracks: MediaStreamTrack[]) => ({ id, getTracks: () => tracks }) as unknown as MediaStream;
const camera = fakeStream('cam', [fakeTrack('audio', 'mic'), fakeTrack('video', 'cam-video')]);
const screen = fakeStream('screen', [fakeTrack('video', 'screen-video')]);
const remote = fakeStream('remote-cam', [fakeTrack('audio', 'r-mic')]);

const after = (state: string, delay: string) => ({ type: `xstate.after.${delay}.peer.active.session.connection.${state}` });

/** Everything that may arrive unasked: from the room, from the remote, from the connection, from timers. */
const UNSOLICITED: ReadonlyArray<PeerEvent | AnyEventObject> = [
  { type: 'SIGNAL.OFFER', sdp: 'remote-offer' },
  { type: 'SIGNAL.ANSWER', sdp: 'remote-answer' },
  { type: 'SIGNAL.CANDIDATE', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0' } },
  { type: 'SIGNAL.CANDIDATE', candidate: null },
  { type: 'SIGNAL.BYE' },
  { type: 'LOCAL.SET_TRACK', kind: 'video', track: fakeTrack('video', 'cam2'), stream: camera },
  { type: 'LOCAL.SET_TRACK', kind: 'audio', track: null, stream: null },
  { type: 'LOCAL.ADD_SCREEN', track: fakeTrack('video', 'screen-video'), stream: screen },
  { type: 'LOCAL.REMOVE_SCREEN' },
  { type: 'LOCAL.MEDIA_STATE', audioMuted: true, videoOff: false, screen: false },
  { type: 'CHAT.SEND', id: 'c1', text: 'hi', at: 1 },
  { type: 'HANGUP' },
  { type: 'RESTART_ICE' },
  { type: 'RENEGOTIATE' },
  { type: 'PC.ICE_CANDIDATE', candidate: { candidate: 'candidate:2 1 udp 1 10.0.0.2 9 typ host', sdpMid: '0' } },
  { type: 'PC.ICE_CANDIDATE', candidate: null },
  { type: 'PC.NEGOTIATION_NEEDED' },
  ...(['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed'] as const).map(
    (state): PcEvent => ({ type: 'PC.CONNECTION_STATE', state }),
  ),
  { type: 'PC.ICE_CONNECTION_STATE', state: 'connected' },
  { type: 'PC.ICE_CONNECTION_STATE', state: 'checking' },
  { type: 'PC.SIGNALING_STATE', state: 'stable' },
  { type: 'PC.DATA_OPEN' },
  { type: 'PC.DATA_CLOSED' },
  { type: 'PC.DATA_MESSAGE', message: { type: 'chat', id: 'r1', text: 'yo', at: 2 } },
  { type: 'PC.DATA_MESSAGE', message: { type: 'media-state', audioMuted: true, videoOff: true, screen: false } },
  { type: 'PC.DATA_INVALID', reason: 'not json' },
  { type: 'PC.REMOTE_STREAM', streamId: 'remote-cam', stream: remote },
  { type: 'PC.REMOTE_TRACK_REMOVED', streamId: 'remote-cam', trackId: 'r-mic', streamEmpty: true },
  { type: 'PC.STATS', sample: { at: 1, rttMs: 5, inboundKbps: 1, outboundKbps: 1, packetLossPct: 0 } },
  after('disconnected', 'disconnectedGrace'),
  after('restarting', 'iceRestartBackoff'),
];

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
  parent: PeerParentMessage[];
  pc: PcModel;
  /** Actions emitted by events that arrived after the machine was done (must be none). */
  postDoneActions: number;
  /** `status:value` after each of those events. */
  valueAfterDone: string[];
}

type InputFlags = { polite: boolean; initiator: boolean; withCamera: boolean; earlyOffer: boolean };

const HANGUP_INDEX = UNSOLICITED.findIndex((event) => event.type === 'HANGUP');

/**
 * Feed one random sequence, then an epilogue: HANGUP, then the first events of the sequence again
 * (which must all bounce off `closed`).
 */
function simulate(inputFlags: InputFlags, steps: Step[]): Run {
  const input: PeerInput = {
    peerId: 'remote',
    name: 'Remote',
    polite: inputFlags.polite,
    initiator: inputFlags.initiator,
    iceServers: [],
    localStream: inputFlags.withCamera ? camera : null,
    createPeerConnection: () => {
      throw new Error('pure test: no connection is ever built');
    },
    timing: { iceRestartMaxAttempts: 2 },
  };
  const pc = new PcModel();
  const run: Run = { snapshots: [], signals: [], parent: [], pc, postDoneActions: 0, valueAfterDone: [] };
  const observe = (actions: Action[]) => {
    pc.take(actions);
    for (const action of actions) {
      if (action.type === 'signal') run.signals.push(...(action.params as SignalMessage[]));
      if (action.type === 'notifyParent') run.parent.push(action.params as PeerParentMessage);
    }
  };
  let [snapshot, actions] = initialTransition(machine, input);
  observe(actions);
  const feed = (event: AnyEventObject) => {
    if (snapshot.status === 'done') {
      [snapshot, actions] = transition(machine, snapshot, event as PeerEvent);
      run.postDoneActions += actions.length;
      run.valueAfterDone.push(`${snapshot.status}:${JSON.stringify(snapshot.value)}`);
      return;
    }
    [snapshot, actions] = transition(machine, snapshot, event as PeerEvent);
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
/** Same seed for every property: each sees the same sequences, simulated once (memoized). */
const ASSERT_OPTIONS = { numRuns: RUNS, seed: 20_261_122 };
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
        expect(run.parent.filter((message) => message.type === 'PEER.CLOSED')).toHaveLength(1);
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
        for (const snapshot of simulateOnce(input, steps).snapshots) {
          if (snapshot.status !== 'active') continue;
          const configuration = JSON.stringify(snapshot.value);
          if (checked.has(configuration)) continue;
          checked.add(configuration);
          const [next, actions] = transition(machine, snapshot, { type: 'HANGUP' });
          expect(next.status).toBe('done');
          expect(next.value).toBe('closed');
          expect(next.output).toEqual({ peerId: 'remote', reason: 'hangup' });
          const signals = actions.filter((a) => a.type === 'signal').flatMap((a) => a.params as SignalMessage[]);
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
