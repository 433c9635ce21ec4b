/**
 * Model coverage of the peer machine: test paths generated with xstate/graph must reach every
 * state node and take every transition (each guarded alternative counted on its own). Prints the
 * coverage and fails below 100 %.
 */
import { describe, expect, it } from 'vitest';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { PcEvent } from '../actors/peer-connection.js';
import { formatCoverage, measureModelCoverage, type CoverageRun } from '../test-support/model-coverage.js';
import { COMMAND_EVENTS, CONNECTION_EVENTS, purePeerInput, purePeerMachine as machine, TIMER_EVENTS } from '../test-support/peer-events.js';
import type { PeerContext } from './peer.machine.js';

const failed = (op: Extract<PcEvent, { type: 'PC.OP_FAILED' }>['op']): PcEvent => ({ type: 'PC.OP_FAILED', op, message: 'boom' });

/** The whole alphabet: the shared one plus the results of every command, success or failure. */
const EVENTS: AnyEventObject[] = [
  ...COMMAND_EVENTS,
  ...CONNECTION_EVENTS,
  ...TIMER_EVENTS,
  ...([
    { type: 'PC.CREATED' },
    { type: 'PC.CREATE_FAILED', message: 'no' },
    { type: 'PC.OFFER_CREATED', sdp: 'local-offer' },
    { type: 'PC.ANSWER_CREATED', sdp: 'local-answer' },
    { type: 'PC.LOCAL_SET', description: { type: 'offer', sdp: 'local-offer' } },
    { type: 'PC.LOCAL_SET', description: { type: 'answer', sdp: 'local-answer' } },
    { type: 'PC.REMOTE_SET', descriptionType: 'offer' },
    { type: 'PC.REMOTE_SET', descriptionType: 'answer' },
    failed('createOffer'),
    failed('createAnswer'),
    failed('setLocalOffer'),
    failed('setLocalAnswer'),
    failed('setRemoteOffer'),
    failed('setRemoteAnswer'),
    failed('addCandidate'),
    failed('media'),
  ] satisfies PcEvent[]),
];

/** Where the machine is, without the other regions (they are explored by their own projection). */
function region(snapshot: AnyMachineSnapshot, name: 'negotiation' | 'nextOffer' | 'trickle' | 'remoteOffer' | 'connection' | 'channel'): string {
  const value = snapshot.value as string | { active: string | { session: Record<string, string> } };
  if (typeof value === 'string') return value;
  if (typeof value.active === 'string') return value.active;
  return value.active.session[name] ?? '?';
}

/**
 * Projections of the snapshot that keep exactly what guards read: the graph stays small (one
 * region at a time) and no guarded alternative is lost.
 */
const PROJECTIONS: Record<string, (snapshot: AnyMachineSnapshot) => string> = {
  negotiation: (snapshot) => {
    const c = snapshot.context as PeerContext;
    return JSON.stringify([
      region(snapshot, 'negotiation'),
      region(snapshot, 'nextOffer'),
      region(snapshot, 'trickle'),
      region(snapshot, 'remoteOffer'),
      c.earlyOffer !== null,
      c.exchangeRestartsIce,
      c.redialAttempts,
      region(snapshot, 'channel'),
    ]);
  },
  connection: (snapshot) =>
    JSON.stringify([
      region(snapshot, 'connection'),
      (snapshot.context as PeerContext).iceRestartAttempts,
      (snapshot.context as PeerContext).redialAttempts,
      region(snapshot, 'trickle'),
      region(snapshot, 'negotiation') === 'stable',
    ]),
  channel: (snapshot) =>
    JSON.stringify([region(snapshot, 'channel'), region(snapshot, 'negotiation') === 'stable', (snapshot.context as PeerContext).redialAttempts]),
};

const run = (polite: boolean, initiator: boolean, name: string, redialMaxAttempts: number): CoverageRun => {
  const input = purePeerInput({ polite, initiator });
  return {
    label: `${polite ? 'polite' : 'impolite'} ${initiator ? 'initiator' : 'callee'}, ${redialMaxAttempts} redial / ${name}`,
    input: { ...input, timing: { ...input.timing, redialMaxAttempts } },
    events: EVENTS,
    serializeState: PROJECTIONS[name]!,
  };
};
const ROLES = [true, false].flatMap((polite) => [true, false].map((initiator) => [polite, initiator] as const));
const RUNS: CoverageRun[] = [
  // One redial allowed: failures redial, and fail in the redialled connection.
  ...ROLES.flatMap(([polite, initiator]) => Object.keys(PROJECTIONS).map((name) => run(polite, initiator, name, 1))),
  // None allowed: a connected connection that is lost fails at once (connecting again resets the count).
  ...ROLES.map(([polite, initiator]) => run(polite, initiator, 'connection', 0)),
];

describe('peer machine model coverage (xstate/graph)', () => {
  it('generated paths reach every state and take every transition (100 %)', () => {
    const coverage = measureModelCoverage(machine, RUNS);
    console.log(formatCoverage('peer machine', coverage));
    if (coverage.states.missing.length) console.log('states never reached:\n  ' + coverage.states.missing.join('\n  '));
    if (coverage.transitions.missing.length) console.log('transitions never taken:\n  ' + coverage.transitions.missing.join('\n  '));
    expect(coverage.states.total).toBeGreaterThan(15);
    expect(coverage.transitions.total).toBeGreaterThan(60);
    expect(coverage.states.missing).toEqual([]);
    expect(coverage.transitions.missing).toEqual([]);
    expect(coverage.states.percent).toBe(100);
    expect(coverage.transitions.percent).toBe(100);
    // Pure computation (~85k paths): seconds alone, much longer on a loaded 2-core machine.
  }, 180_000);
});
