/**
 * Model coverage of the peer machine: test paths generated with xstate/graph must reach every
 * state node and take every transition (each guarded alternative counted on its own). Prints the
 * coverage and fails below 100 %.
 */
import { describe, expect, it } from 'vitest';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { PcEvent } from '../actors/peer-connection.js';
import { formatCoverage, measureModelCoverage, type CoverageRun } from '../test-support/model-coverage.js';
import { peerMachine, type PeerContext, type PeerEvent, type PeerInput } from './peer.machine.js';

const machine = peerMachine.provide({ actions: { signal: () => {}, notifyParent: () => {} } });

const track = (kind: 'audio' | 'video', id: string) => ({ kind, id }) as unknown as MediaStreamTrack;
const stream = (id: string, tracks: MediaStreamTrack[]) => ({ id, getTracks: () => tracks }) as unknown as MediaStream;
const remote = stream('remote-cam', [track('audio', 'r-mic'), track('video', 'r-cam')]);

const after = (state: string, delay: string) => ({ type: `xstate.after.${delay}.peer.active.session.connection.${state}` });
const failed = (op: Extract<PcEvent, { type: 'PC.OP_FAILED' }>['op']): PcEvent => ({ type: 'PC.OP_FAILED', op, message: 'boom' });

/** The whole alphabet: what the room, the remote, the connection and the timers can send. */
const EVENTS: AnyEventObject[] = [
  { type: 'SIGNAL.OFFER', sdp: 'remote-offer' },
  { type: 'SIGNAL.ANSWER', sdp: 'remote-answer' },
  { type: 'SIGNAL.CANDIDATE', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0' } },
  { type: 'SIGNAL.BYE', reason: 'leave' },
  { type: 'LOCAL.SET_TRACK', kind: 'video', track: track('video', 'cam'), stream: stream('cam', []) },
  { type: 'LOCAL.SET_TRACK', kind: 'audio', track: null, stream: null },
  { type: 'LOCAL.ADD_SCREEN', track: track('video', 'screen'), stream: stream('screen', []) },
  { type: 'LOCAL.REMOVE_SCREEN' },
  { type: 'LOCAL.MEDIA_STATE', audioMuted: true, videoOff: false, screen: false },
  { type: 'CHAT.SEND', id: 'c1', text: 'hi', at: 1 },
  { type: 'HANGUP' },
  { type: 'RESTART_ICE' },
  { type: 'RENEGOTIATE' },
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
    { type: 'PC.ICE_CANDIDATE', candidate: { candidate: 'candidate:2 1 udp 1 10.0.0.2 9 typ host', sdpMid: '0' } },
    { type: 'PC.NEGOTIATION_NEEDED' },
    ...(['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed'] as const).map(
      (state): PcEvent => ({ type: 'PC.CONNECTION_STATE', state }),
    ),
    { type: 'PC.ICE_CONNECTION_STATE', state: 'connected' },
    { type: 'PC.ICE_CONNECTION_STATE', state: 'checking' },
    { type: 'PC.SIGNALING_STATE', state: 'have-local-offer' },
    { type: 'PC.DATA_OPEN' },
    { type: 'PC.DATA_CLOSED' },
    { type: 'PC.DATA_MESSAGE', message: { type: 'chat', id: 'r1', text: 'yo', at: 2 } },
    { type: 'PC.DATA_MESSAGE', message: { type: 'media-state', audioMuted: true, videoOff: true, screen: true } },
    { type: 'PC.DATA_INVALID', reason: 'not json' },
    { type: 'PC.REMOTE_STREAM', streamId: 'remote-cam', stream: remote },
    { type: 'PC.REMOTE_TRACK_REMOVED', streamId: 'remote-cam', trackId: 'r-mic', streamEmpty: false },
    { type: 'PC.REMOTE_TRACK_REMOVED', streamId: 'remote-cam', trackId: 'r-cam', streamEmpty: true },
    { type: 'PC.STATS', sample: { at: 1, rttMs: 5, inboundKbps: 1, outboundKbps: 1, packetLossPct: 0 } },
  ] satisfies PeerEvent[]),
  after('disconnected', 'disconnectedGrace'),
  after('restarting', 'iceRestartBackoff'),
];

function input(polite: boolean, initiator: boolean): PeerInput {
  return {
    peerId: 'remote',
    name: 'Remote',
    polite,
    initiator,
    iceServers: [],
    localStream: null,
    createPeerConnection: () => {
      throw new Error('model test: no connection is ever built');
    },
    timing: { iceRestartMaxAttempts: 2 },
  };
}

/** Where the machine is, without the other regions (they are explored by their own projection). */
function region(snapshot: AnyMachineSnapshot, name: 'negotiation' | 'connection' | 'channel'): string {
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
      c.hasNegotiated,
      c.negotiationPending,
      c.ignoreOffer,
      c.hasRemoteDescription,
      c.sentDescription,
      c.earlyOffer !== null,
      region(snapshot, 'channel'),
    ]);
  },
  connection: (snapshot) =>
    JSON.stringify([region(snapshot, 'connection'), (snapshot.context as PeerContext).iceRestartAttempts, region(snapshot, 'negotiation') === 'stable']),
  channel: (snapshot) => JSON.stringify([region(snapshot, 'channel'), region(snapshot, 'negotiation') === 'stable']),
};

const RUNS: CoverageRun[] = [true, false].flatMap((polite) =>
  [true, false].flatMap((initiator) =>
    Object.entries(PROJECTIONS).map(([name, serializeState]) => ({
      label: `${polite ? 'polite' : 'impolite'} ${initiator ? 'initiator' : 'callee'} / ${name}`,
      input: input(polite, initiator),
      events: EVENTS,
      serializeState,
    })),
  ),
);

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
  });
});
