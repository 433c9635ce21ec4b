/**
 * Properties of the signaling machine over random event sequences, stepped purely (no actor runs,
 * nothing is executed; see test-support/pure-step.ts). The test plays the socket and the timers:
 * any of them may fire at any time, in any state, including ones the machine must ignore.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { CLOSE_CODES, PROTOCOL_VERSION, type ClientMessage } from '../protocol/index.js';
import { pureStepper, type PureStep } from '../test-support/pure-step.js';
import { signalingMachine, type SignalingEvent, type SignalingTiming } from './signaling.machine.js';

type Snapshot = PureStep<typeof signalingMachine>[0];
type Action = PureStep<typeof signalingMachine>[1][number];


const TIMING: SignalingTiming = { backoffBaseMs: 100, backoffMaxMs: 250, connectTimeoutMs: 5_000, queueLimit: 3 };

/** What arrives from outside; `send` carries a fresh sequence number (as `ref`) per message. */
type Step =
  | { kind: 'open' }
  | { kind: 'welcome'; resumed: boolean }
  | { kind: 'message' }
  | { kind: 'closed'; replaced: boolean }
  | { kind: 'send'; directed: boolean }
  | { kind: 'retryNow' }
  | { kind: 'timer'; which: 'connecting' | 'greeting' | 'retry' };

const timer = (which: 'connecting' | 'greeting' | 'retry') => fc.constant({ kind: 'timer' as const, which });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'open' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('welcome' as const), resumed: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'message' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('closed' as const), replaced: fc.nat({ max: 29 }).map((n) => n === 0) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('send' as const), directed: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'retryNow' as const }) },
  { weight: 3, arbitrary: timer('retry') },
  { weight: 1, arbitrary: timer('connecting') },
  { weight: 1, arbitrary: timer('greeting') },
);

const TIMER_EVENT = {
  connecting: 'xstate.after.connectTimeout.signaling.connection.connecting',
  greeting: 'xstate.after.connectTimeout.signaling.connection.greeting',
  retry: 'xstate.after.retryDelay.signaling.reconnecting',
} as const;

interface Run {
  snapshots: Snapshot[];
  /** Sequence numbers of every message the app sent, in order. */
  sent: number[];
  /** …and of those handed to the socket, in the order they were handed over. */
  delivered: number[];
  dropped: number[];
  /** Each backoff scheduled: the failed attempt's number, its delay, and whether a welcome came before it. */
  retries: { attempt: number; delayMs: number; firstAfterWelcome: boolean }[];
}

const seq = (message: ClientMessage) => Number(message.ref);

function simulate(steps: Step[], jitter: number[]): Run {
  let draw = 0;
  const random = () => jitter[draw++ % jitter.length]!;
  const stepper = pureStepper(signalingMachine, { url: 'ws://model/ws', createWebSocket: () => ({}) as never, timing: TIMING, random });
  const run: Run = { snapshots: [], sent: [], delivered: [], dropped: [], retries: [] };
  let welcomedSinceRetry = false;
  const observe = (actions: Action[]) => {
    for (const action of actions) {
      // sendTo and emit (its runtime type; XState's action type union omits it) carry the event in params.
      const type: string = action.type;
      const event = (action.params as { event?: { type: string; message?: ClientMessage } } | undefined)?.event;
      if (!event?.message) continue;
      if (type === 'xstate.sendTo' && event.type === 'SOCKET.SEND' && event.message.type !== 'hello') run.delivered.push(seq(event.message));
      if (type === 'xstate.emit' && event.type === 'SIGNALING.DROPPED') run.dropped.push(seq(event.message));
    }
  };
  let [snapshot, actions] = stepper.initial();
  observe(actions);
  let next = 0;
  for (const step of steps) {
    let event: AnyEventObject;
    switch (step.kind) {
      case 'open':
        event = { type: 'SOCKET.OPEN' };
        break;
      case 'welcome':
        event = {
          type: 'SOCKET.MESSAGE',
          message: { type: 'welcome', v: PROTOCOL_VERSION, peerId: 'me', resumeToken: 'token', resumed: step.resumed, resumeWindowMs: 1_000 },
        };
        break;
      case 'message':
        event = { type: 'SOCKET.MESSAGE', message: { type: 'left', room: 'r' } };
        break;
      case 'closed':
        event = { type: 'SOCKET.CLOSED', code: step.replaced ? CLOSE_CODES.replaced : 1006, reason: '' };
        break;
      case 'send': {
        const ref = next++;
        run.sent.push(ref);
        const message: ClientMessage = step.directed ? { type: 'bye', room: 'r', to: 'peer', ref } : { type: 'join', room: 'r', ref };
        event = { type: 'SIGNALING.SEND', message };
        break;
      }
      case 'retryNow':
        event = { type: 'SIGNALING.RETRY_NOW' };
        break;
      case 'timer':
        event = { type: TIMER_EVENT[step.which] };
        break;
    }
    const before = snapshot;
    [snapshot, actions] = stepper.step(snapshot, event as SignalingEvent);
    observe(actions);
    run.snapshots.push(snapshot);
    if (before.context.peerId !== snapshot.context.peerId || before.context.resumeToken !== snapshot.context.resumeToken || (before.context.attempt > 0 && snapshot.context.attempt === 0)) {
      welcomedSinceRetry = true;
    }
    if (snapshot.matches('reconnecting') && !before.matches('reconnecting')) {
      run.retries.push({ attempt: snapshot.context.attempt, delayMs: snapshot.context.retryDelayMs, firstAfterWelcome: welcomedSinceRetry });
      welcomedSinceRetry = false;
    }
  }
  return run;
}

const sequences = fc.tuple(fc.array(stepArb, { minLength: 1, maxLength: 60 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }));
const RUNS = 1_000;

describe(`signaling machine properties (${RUNS} random sequences, pure transition())`, () => {
  it('the backoff never exceeds its cap, stays within its jitter range, and starts over after a welcome', () => {
    let resets = 0;
    let capped = 0;
    fc.assert(
      fc.property(...([sequences] as const), ([steps, jitter]) => {
        for (const { attempt, delayMs, firstAfterWelcome } of simulate(steps, jitter).retries) {
          const ceiling = Math.min(TIMING.backoffMaxMs, TIMING.backoffBaseMs * 2 ** (attempt - 1));
          expect(delayMs).toBeLessThanOrEqual(TIMING.backoffMaxMs);
          expect(delayMs).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delayMs).toBeLessThanOrEqual(ceiling);
          if (firstAfterWelcome) {
            // Success resets: the first failure after a welcome waits at most the base delay again.
            expect(attempt).toBe(1);
            expect(delayMs).toBeLessThanOrEqual(TIMING.backoffBaseMs);
            resets += 1;
          }
          if (ceiling === TIMING.backoffMaxMs) capped += 1;
        }
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: the sequences both reach the cap and reset after a welcome.
    expect(capped).toBeGreaterThan(10);
    expect(resets).toBeGreaterThan(10);
  });

  it('the outgoing queue never exceeds its bound, and messages reach the socket in the order they were sent', () => {
    let overflowed = 0;
    fc.assert(
      fc.property(sequences, ([steps, jitter]) => {
        const run = simulate(steps, jitter);
        for (const snapshot of run.snapshots) expect(snapshot.context.queue.length).toBeLessThanOrEqual(TIMING.queueLimit);
        // Order: what the socket got is increasing, and so is what is still queued.
        const queued = run.snapshots.at(-1)!.context.queue.map(seq);
        expect(run.delivered).toEqual([...run.delivered].sort((a, b) => a - b));
        expect(queued).toEqual([...queued].sort((a, b) => a - b));
        // Nothing lost silently, nothing twice: each message is delivered, reported dropped, or still queued.
        expect([...run.delivered, ...run.dropped, ...queued].sort((a, b) => a - b)).toEqual(run.sent);
        if (run.dropped.length > 0) overflowed += 1;
      }),
      { numRuns: RUNS },
    );
    expect(overflowed).toBeGreaterThan(50);
  });
});
