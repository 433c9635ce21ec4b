/**
 * Model coverage of the signaling machine: paths generated with xstate/graph (stepped purely, no
 * socket opens) must reach every state node and take every transition. The alphabet is what the
 * socket actor reports, what the room asks, and the machine's own timers firing. Prints the
 * coverage and fails below 100 %.
 */
import { describe, expect, it } from 'vitest';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import { CLOSE_CODES, PROTOCOL_VERSION } from '../protocol/index.js';
import { formatCoverage, measureModelCoverage } from '../test-support/model-coverage.js';
import { signalingMachine, type SignalingContext, type SignalingEvent, type SignalingInput } from './signaling.machine.js';

const EVENTS: SignalingEvent[] = [
  { type: 'SOCKET.OPEN' },
  {
    type: 'SOCKET.MESSAGE',
    message: { type: 'welcome', v: PROTOCOL_VERSION, peerId: 'me', resumeToken: 't1', resumed: false, resumeWindowMs: 30_000, rooms: [] },
  },
  {
    type: 'SOCKET.MESSAGE',
    message: { type: 'welcome', v: PROTOCOL_VERSION, peerId: 'me', resumeToken: 't2', resumed: true, resumeWindowMs: 30_000, rooms: [] },
  },
  { type: 'SOCKET.MESSAGE', message: { type: 'peer-left', room: 'r', peerId: 'p', reason: 'leave' } },
  { type: 'SOCKET.INVALID', error: { code: 'invalid-json', message: 'frame is not valid JSON' } },
  { type: 'SOCKET.CLOSED', code: 1006, reason: '' },
  { type: 'SOCKET.CLOSED', code: CLOSE_CODES.replaced, reason: 'replaced' },
  { type: 'SIGNALING.SEND', message: { type: 'join', room: 'r' } },
  { type: 'SIGNALING.SEND', message: { type: 'candidate', room: 'r', to: 'p', candidate: null } },
  { type: 'SIGNALING.RETRY_NOW' },
  { type: 'SIGNALING.CLOSE' },
];

/** The machine's timers firing (`after`), named as XState names them: delay + state node id. */
const TIMERS: AnyEventObject[] = [
  { type: 'xstate.after.connectTimeout.signaling.connection.connecting' },
  { type: 'xstate.after.connectTimeout.signaling.connection.greeting' },
  { type: 'xstate.after.retryDelay.signaling.reconnecting' },
];

/** What guards and actions depend on: identity known, resume token known, queue empty or not. */
function serializeState(snapshot: AnyMachineSnapshot): string {
  const c = snapshot.context as SignalingContext;
  return JSON.stringify([snapshot.value, c.peerId, c.resumeToken !== null, Math.min(c.queue.length, 2), Math.min(c.attempt, 2)]);
}

const input: SignalingInput = {
  url: 'ws://model/ws',
  createWebSocket: () => {
    throw new Error('model test: nothing runs');
  },
  timing: { queueLimit: 1 },
  random: () => 0.5,
};

describe('signaling machine model coverage (xstate/graph)', () => {
  it('generated paths reach every state and take every transition (100 %)', () => {
    const coverage = measureModelCoverage(signalingMachine, [{ label: 'signaling', input, events: [...EVENTS, ...TIMERS], serializeState }]);
    console.log(formatCoverage('signaling', coverage));
    expect(coverage.states.missing).toEqual([]);
    expect(coverage.transitions.missing).toEqual([]);
  });
});
