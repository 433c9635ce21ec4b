/**
 * The peer machine as a running actor, with its parent (a harness) and a simulated clock.
 *
 * The pc actor here is SCRIPTED, on purpose and only in this file: these tests are about network
 * faults (an ICE connection that drops and never comes back, a transport closed under us) that we
 * cannot make happen for real in this sandbox — werift reports a vanished peer only after its 30 s
 * ICE consent timeout and we have no packet filter. The real connection paths are covered by
 * peer.werift.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fromCallback, SimulatedClock } from 'xstate';
import type { PcCommand, PcEvent, PeerConnectionInput } from '../actors/peer-connection.js';
import { selectPeerView } from '../selectors/peer.js';
import { startHarnessedPeer, type HarnessPeerInput } from '../test-support/peer-harness.js';
import { peerMachine, type PeerCommandEvent } from './peer.machine.js';

function scriptedPc() {
  const state = {
    commands: [] as PcCommand[],
    report: null as ((event: PcEvent) => void) | null,
    cleanedUp: false,
    /** RTCPeerConnections made: a redial makes a new one. */
    instances: 0,
    /** Each connection's input (what it sends from the start). */
    inputs: [] as PeerConnectionInput[],
  };
  const logic = fromCallback<PcCommand, PeerConnectionInput>(({ input, sendBack, receive }) => {
    state.instances++;
    state.inputs.push(input);
    state.cleanedUp = false;
    state.report = sendBack;
    receive((command) => state.commands.push(command));
    return () => {
      state.cleanedUp = true;
      state.report = null;
    };
  });
  return {
    machine: peerMachine.provide({ actors: { peerConnection: logic } }),
    state,
    emit: (...events: PcEvent[]) => events.forEach((event) => state.report?.(event)),
    commandTypes: () => state.commands.map((command) => command.type),
  };
}

const TIMING = {
  disconnectedGraceMs: 2_000,
  iceRestartBaseDelayMs: 1_000,
  iceRestartMaxAttempts: 3,
  redialBaseDelayMs: 1_000,
  redialMaxAttempts: 2,
  statsIntervalMs: 1_000,
};

function start(overrides: Partial<HarnessPeerInput> = {}) {
  const pc = scriptedPc();
  const clock = new SimulatedClock();
  const input: HarnessPeerInput = {
    peerId: 'remote',
    name: 'Remote',
    polite: false,
    initiator: true,
    iceServers: [],
    localStream: null,
    createPeerConnection: () => {
      throw new Error('scripted: not used');
    },
    timing: TIMING,
    ...overrides,
  };
  const peer = startHarnessedPeer(input, () => {}, { logic: pc.machine, clock });
  return { pc, clock, peer, snapshot: () => peer.peer.getSnapshot() };
}

/** Offer made, answered, connected, channel open. */
function connect(t: ReturnType<typeof start>) {
  t.pc.emit({ type: 'PC.CREATED' });
  t.pc.emit({ type: 'PC.OFFER_CREATED', sdp: 'offer' });
  t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'offer', sdp: 'offer' } });
  t.peer.send({ type: 'SIGNAL.ANSWER', sdp: 'answer' });
  t.pc.emit({ type: 'PC.REMOTE_SET', descriptionType: 'answer' });
  t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'connecting' }, { type: 'PC.CONNECTION_STATE', state: 'connected' });
  t.pc.emit({ type: 'PC.DATA_OPEN' });
}

/** What the next offer must carry (nothingPending, changesPending, iceRestartPending). */
const nextOffer = (t: ReturnType<typeof start>) =>
  (t.snapshot().value as { active?: { session?: { nextOffer?: string } } }).active?.session?.nextOffer;

const connection = (t: ReturnType<typeof start>) =>
  (t.snapshot().value as { active?: { session?: { connection?: string } } }).active?.session?.connection;

describe('peer machine: connection health (scripted faults)', () => {
  const offers = (t: ReturnType<typeof start>) =>
    t.pc.state.commands.filter((command): command is Extract<PcCommand, { type: 'PC.CREATE_OFFER' }> => command.type === 'PC.CREATE_OFFER');
  const byes = (t: ReturnType<typeof start>) =>
    t.peer.messages.filter((m) => m.type === 'PEER.SIGNAL' && m.message.type === 'bye').map((m) => m.type === 'PEER.SIGNAL' && m.message);
  /** The three restart backoffs (1, 2 and 4 s), one timer at a time as a real clock would fire them. */
  const runOutOfRestarts = (t: ReturnType<typeof start>) => [1_000, 2_000, 4_000].forEach((ms) => t.clock.increment(ms));
  /** Our ICE-restart offer is set and sent; the remote has not answered (yet). */
  const offerOut = (t: ReturnType<typeof start>) => {
    t.pc.emit({ type: 'PC.OFFER_CREATED', sdp: 'restart-offer' });
    t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'offer', sdp: 'restart-offer' } });
  };

  it('disconnected → grace → ICE restarts with exponential backoff → a fresh connection (redial) → failed, visible with Redial and Dismiss', () => {
    const t = start();
    connect(t);
    expect(connection(t)).toBe('connected');
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'disconnected' });
    expect(connection(t)).toBe('disconnected');
    expect(selectPeerView(t.snapshot()).status).toBe('interrupted');
    t.clock.increment(TIMING.disconnectedGraceMs - 1);
    expect(connection(t)).toBe('disconnected');
    t.clock.increment(1);
    expect(connection(t)).toBe('restarting');
    expect(t.snapshot().context.iceRestartAttempts).toBe(1);
    expect(selectPeerView(t.snapshot())).toMatchObject({ status: 'restarting', statusText: 'Reconnecting (ICE restart 1 of 3)' });
    // Stable: the ICE-restart offer is made at once (createOffer with iceRestart; no restartIce() to call off).
    expect(offers(t).at(-1)).toEqual({ type: 'PC.CREATE_OFFER', iceRestart: true });
    offerOut(t);
    t.clock.increment(1_000); // 1st backoff: base. The restart offer is unanswered: no second one is queued.
    expect(t.snapshot().context.iceRestartAttempts).toBe(2);
    expect(nextOffer(t)).not.toBe('iceRestartPending');
    t.clock.increment(1_999); // 2nd backoff: 2 × base
    expect(t.snapshot().context.iceRestartAttempts).toBe(2);
    t.clock.increment(1);
    expect(t.snapshot().context.iceRestartAttempts).toBe(3);
    expect(offers(t)).toHaveLength(2);

    t.clock.increment(4_000); // 3rd backoff: 4 × base, restarts exhausted: redial
    expect(t.snapshot().value).toBe('redialing');
    expect(selectPeerView(t.snapshot())).toMatchObject({ status: 'redialing', error: null });
    expect(selectPeerView(t.snapshot()).statusText).toBe('Redialing (attempt 1 of 2)');
    expect(t.pc.state.cleanedUp).toBe(true);
    expect(t.pc.state.instances).toBe(1);
    t.clock.increment(1_000); // redial backoff: base
    expect(t.pc.state.instances).toBe(2);
    expect(byes(t)).toEqual([{ type: 'bye', reason: 'redial' }]);
    // Initiator or not before, the impolite side makes the first offer of the fresh connection.
    t.pc.emit({ type: 'PC.CREATED' });
    expect(offers(t).at(-1)).toEqual({ type: 'PC.CREATE_OFFER', iceRestart: false });
    expect(t.snapshot().context.iceRestartAttempts).toBe(0);

    // The fresh connection never gets through either: a second redial, then failed.
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'failed' });
    runOutOfRestarts(t);
    expect(t.snapshot().value).toBe('redialing');
    t.clock.increment(2_000); // 2nd redial backoff: 2 × base
    expect(t.pc.state.instances).toBe(3);
    t.pc.emit({ type: 'PC.CREATED' }, { type: 'PC.CONNECTION_STATE', state: 'failed' });
    runOutOfRestarts(t);
    const failed = t.snapshot();
    expect(failed.value).toBe('failed');
    expect(failed.status).toBe('active');
    expect(failed.context.error?.code).toBe('peer/ice-failed');
    expect(selectPeerView(failed)).toMatchObject({
      status: 'failed',
      error: { code: 'peer/ice-failed', actions: ['redial', 'dismiss'], peerId: 'remote' },
    });
    expect(t.peer.messages.filter((m) => m.type === 'PEER.CLOSED')).toEqual([]);

    // Redial by hand: a fresh connection again, the remote asked to start over too.
    t.peer.send({ type: 'REDIAL' });
    expect(t.pc.state.instances).toBe(4);
    expect(byes(t)).toHaveLength(3);
    expect(selectPeerView(t.snapshot()).status).toBe('connecting');
  });

  it('a failed peer dismissed: a bye tells the remote, and the peer ends', () => {
    const t = start({ timing: { ...TIMING, redialMaxAttempts: 0 } });
    connect(t);
    t.pc.emit({ type: 'PC.DATA_CLOSED' });
    expect(t.snapshot().value).toBe('failed');
    expect(t.snapshot().context.error?.code).toBe('peer/transport-lost');
    t.peer.send({ type: 'DISMISS' });
    expect(t.snapshot().output).toEqual({ peerId: 'remote', reason: 'hangup' });
    expect(byes(t).at(-1)).toEqual({ type: 'bye', reason: 'dismissed' });
  });

  it('a bye asking to start over resets an established connection, but not a fresh one', () => {
    const t = start({ polite: true, initiator: true });
    connect(t);
    t.peer.send({ type: 'SIGNAL.BYE', reason: 'redial' });
    expect(t.pc.state.instances).toBe(2);
    // The polite side waits for the impolite side's fresh offer; it does not ask back.
    t.pc.emit({ type: 'PC.CREATED' });
    expect(offers(t)).toHaveLength(1);
    expect(byes(t)).toEqual([]);
    // A second request crossing ours (both sides started over at once) changes nothing.
    t.peer.send({ type: 'SIGNAL.BYE', reason: 'redial' });
    expect(t.pc.state.instances).toBe(2);
    t.peer.send({ type: 'SIGNAL.OFFER', sdp: 'fresh-offer' });
    expect(t.pc.state.commands.at(-1)).toEqual({ type: 'PC.SET_REMOTE', description: { type: 'offer', sdp: 'fresh-offer' } });
    // A plain bye still ends the call.
    t.peer.send({ type: 'SIGNAL.BYE' });
    expect(t.snapshot().output).toEqual({ peerId: 'remote', reason: 'remote-hangup' });
  });

  it('a connection that recovers within the grace period is not restarted', () => {
    const t = start();
    connect(t);
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'disconnected' });
    t.clock.increment(1_000);
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'connected' });
    t.clock.increment(10_000);
    expect(connection(t)).toBe('connected');
    expect(offers(t)).toHaveLength(1);
  });

  it('failed restarts ICE at once, and a successful restart resets the attempt count', () => {
    const t = start();
    connect(t);
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'failed' });
    expect(connection(t)).toBe('restarting');
    expect(offers(t).at(-1)).toEqual({ type: 'PC.CREATE_OFFER', iceRestart: true });
    t.pc.emit({ type: 'PC.ICE_CONNECTION_STATE', state: 'connected' });
    expect(connection(t)).toBe('connected');
    expect(t.snapshot().context.iceRestartAttempts).toBe(0);
  });

  it('a restart still waiting behind another exchange is called off when the connection comes back by itself', () => {
    const t = start({ polite: true });
    connect(t);
    // The remote renegotiates (say, a screen share); meanwhile our connection drops and the grace runs out.
    t.peer.send({ type: 'SIGNAL.OFFER', sdp: 'a=ice-ufrag:first\r\nscreen' });
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'disconnected' });
    t.clock.increment(TIMING.disconnectedGraceMs);
    expect(nextOffer(t)).toBe('iceRestartPending');
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'connected' });
    expect(nextOffer(t)).not.toBe('iceRestartPending');
    t.pc.emit({ type: 'PC.REMOTE_SET', descriptionType: 'offer' });
    t.pc.emit({ type: 'PC.ANSWER_CREATED', sdp: 'answer' });
    t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'answer', sdp: 'answer' } });
    expect(offers(t).filter((offer) => offer.iceRestart)).toEqual([]);
  });

  it("both sides restart at once: their restart offer settles ours, so one ICE generation follows, not two", () => {
    const t = start({ polite: true, initiator: false });
    t.pc.emit({ type: 'PC.CREATED' });
    t.peer.send({ type: 'SIGNAL.OFFER', sdp: 'a=ice-ufrag:gen1\r\n' });
    t.pc.emit({ type: 'PC.REMOTE_SET', descriptionType: 'offer' });
    t.pc.emit({ type: 'PC.ANSWER_CREATED', sdp: 'answer' });
    t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'answer', sdp: 'answer' } });
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'connected' }, { type: 'PC.DATA_OPEN' });
    // The path breaks for both: each side restarts ICE.
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'failed' });
    expect(offers(t)).toEqual([{ type: 'PC.CREATE_OFFER', iceRestart: true }]);
    offerOut(t);
    // Theirs collides with ours; polite, we roll ours back and answer theirs, which has new credentials.
    t.peer.send({ type: 'SIGNAL.OFFER', sdp: 'a=ice-ufrag:gen2\r\n' });
    expect(nextOffer(t)).not.toBe('iceRestartPending');
    t.pc.emit({ type: 'PC.REMOTE_SET', descriptionType: 'offer' });
    t.pc.emit({ type: 'PC.ANSWER_CREATED', sdp: 'answer-2' });
    t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'answer', sdp: 'answer-2' } });
    // Our rolled-back offer carried nothing else: no second restart offer (its negotiationneeded-style redo is plain).
    expect(offers(t).filter((offer) => offer.iceRestart)).toHaveLength(1);
  });

  it('after closed everything is inert: the pc actor is cleaned up and no timer fires', () => {
    const t = start();
    connect(t);
    t.pc.emit({ type: 'PC.CONNECTION_STATE', state: 'disconnected' });
    t.peer.send({ type: 'HANGUP' });
    expect(t.pc.state.cleanedUp).toBe(true);
    const seen = t.pc.state.commands.length;
    const messages = t.peer.messages.length;
    t.clock.increment(60_000);
    expect(t.pc.state.commands).toHaveLength(seen);
    expect(t.peer.messages).toHaveLength(messages);
    expect(t.snapshot().output).toEqual({ peerId: 'remote', reason: 'hangup' });
  });
});

describe('peer machine: trickle ICE and negotiation details', () => {
  it('buffers remote candidates until a remote description exists, and applies them right after our answer went out', () => {
    const t = start({ initiator: false, polite: true });
    t.peer.send({ type: 'SIGNAL.CANDIDATE', candidate: { candidate: 'early-1' } }); // before the pc even exists
    t.pc.emit({ type: 'PC.CREATED' });
    t.peer.send({ type: 'SIGNAL.CANDIDATE', candidate: { candidate: 'early-2' } });
    t.peer.send({ type: 'SIGNAL.CANDIDATE', candidate: null });
    expect(t.pc.commandTypes()).not.toContain('PC.ADD_CANDIDATE');
    expect(t.snapshot().context.remoteCandidates).toHaveLength(3);
    t.peer.send({ type: 'SIGNAL.OFFER', sdp: 'offer' });
    t.pc.emit({ type: 'PC.REMOTE_SET', descriptionType: 'offer' });
    // The answer comes first: the pc runs commands in order, candidates would hold it back.
    t.peer.send({ type: 'SIGNAL.CANDIDATE', candidate: { candidate: 'while-answering' } });
    expect(t.pc.commandTypes()).not.toContain('PC.ADD_CANDIDATE');
    t.pc.emit({ type: 'PC.ANSWER_CREATED', sdp: 'answer' });
    t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'answer', sdp: 'answer' } });
    const types = t.pc.commandTypes();
    expect(types.indexOf('PC.SET_REMOTE')).toBeLessThan(types.indexOf('PC.CREATE_ANSWER'));
    expect(types.lastIndexOf('PC.SET_LOCAL')).toBeLessThan(types.indexOf('PC.ADD_CANDIDATE'));
    const sent = t.peer.messages.filter((m) => m.type === 'PEER.SIGNAL').map((m) => m.type === 'PEER.SIGNAL' && m.message.type);
    expect(sent[0]).toBe('answer');
    expect(t.pc.state.commands.filter((command) => command.type === 'PC.ADD_CANDIDATE')).toEqual([
      { type: 'PC.ADD_CANDIDATE', candidate: { candidate: 'early-1' } },
      { type: 'PC.ADD_CANDIDATE', candidate: { candidate: 'early-2' } },
      { type: 'PC.ADD_CANDIDATE', candidate: null },
      { type: 'PC.ADD_CANDIDATE', candidate: { candidate: 'while-answering' } },
    ]);
    expect(t.snapshot().context.remoteCandidates).toEqual([]);
    t.peer.send({ type: 'SIGNAL.CANDIDATE', candidate: { candidate: 'late' } });
    expect(t.pc.state.commands.at(-1)).toEqual({ type: 'PC.ADD_CANDIDATE', candidate: { candidate: 'late' } });
  });

  it('a first candidate that arrives while the first answer is being made waits for the answer too', () => {
    const t = start({ initiator: false, polite: true });
    t.pc.emit({ type: 'PC.CREATED' });
    t.peer.send({ type: 'SIGNAL.OFFER', sdp: 'offer' });
    t.pc.emit({ type: 'PC.REMOTE_SET', descriptionType: 'offer' });
    t.peer.send({ type: 'SIGNAL.CANDIDATE', candidate: { candidate: 'while-creating' } });
    t.pc.emit({ type: 'PC.ANSWER_CREATED', sdp: 'answer' });
    t.peer.send({ type: 'SIGNAL.CANDIDATE', candidate: { candidate: 'while-setting' } });
    expect(t.pc.commandTypes()).not.toContain('PC.ADD_CANDIDATE');
    t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'answer', sdp: 'answer' } });
    const types = t.pc.commandTypes();
    expect(types.lastIndexOf('PC.SET_LOCAL')).toBeLessThan(types.indexOf('PC.ADD_CANDIDATE'));
    expect(t.pc.state.commands.filter((command) => command.type === 'PC.ADD_CANDIDATE')).toHaveLength(2);
  });

  it('holds local candidates gathered while its description is being set, and sends them right after it', () => {
    const t = start();
    t.pc.emit({ type: 'PC.CREATED' });
    t.pc.emit({ type: 'PC.OFFER_CREATED', sdp: 'offer' });
    t.pc.emit({ type: 'PC.ICE_CANDIDATE', candidate: { candidate: 'local-1' } });
    const signals = () => t.peer.messages.filter((m) => m.type === 'PEER.SIGNAL').map((m) => m.type === 'PEER.SIGNAL' && m.message.type);
    expect(signals()).toEqual([]);
    t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'offer', sdp: 'offer+candidates' } });
    t.pc.emit({ type: 'PC.ICE_CANDIDATE', candidate: null });
    expect(signals()).toEqual(['offer', 'candidate', 'candidate']);
    expect(t.peer.messages[0]).toEqual({ type: 'PEER.SIGNAL', peerId: 'remote', message: { type: 'offer', sdp: 'offer+candidates' } });
  });

  it('impolite side ignores a colliding offer; polite side rolls back and answers it', () => {
    const impolite = start({ polite: false });
    impolite.pc.emit({ type: 'PC.CREATED' });
    impolite.peer.send({ type: 'SIGNAL.OFFER', sdp: 'their-offer' });
    expect(impolite.snapshot().matches({ active: { session: { remoteOffer: 'ignored' } } })).toBe(true);
    expect(impolite.snapshot().matches({ active: { session: { negotiation: 'creatingOffer' } } })).toBe(true);

    const polite = start({ polite: true });
    polite.pc.emit({ type: 'PC.CREATED' });
    polite.pc.emit({ type: 'PC.OFFER_CREATED', sdp: 'my-offer' });
    polite.peer.send({ type: 'SIGNAL.OFFER', sdp: 'their-offer' });
    expect(polite.snapshot().matches({ active: { session: { negotiation: 'settingRemoteOffer' } } })).toBe(true);
    expect(polite.pc.state.commands.at(-1)).toEqual({ type: 'PC.SET_REMOTE', description: { type: 'offer', sdp: 'their-offer' } });
    // The late result of our abandoned setLocalDescription(offer) is ignored.
    polite.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'offer', sdp: 'my-offer' } });
    expect(polite.snapshot().matches({ active: { session: { negotiation: 'settingRemoteOffer' } } })).toBe(true);
    expect(polite.peer.messages.filter((m) => m.type === 'PEER.SIGNAL')).toEqual([]);
  });

  it('the initiator offers as soon as its connection exists; the negotiationneeded that follows adds no second offer', () => {
    const t = start();
    t.pc.emit({ type: 'PC.CREATED' });
    expect(t.pc.commandTypes()).toContain('PC.CREATE_OFFER');
    // The browser queues negotiationneeded after addTrack; it lands while our offer is under way.
    t.pc.emit({ type: 'PC.NEGOTIATION_NEEDED' });
    t.pc.emit({ type: 'PC.OFFER_CREATED', sdp: 'offer' });
    t.pc.emit({ type: 'PC.NEGOTIATION_NEEDED' });
    t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'offer', sdp: 'offer' } });
    t.pc.emit({ type: 'PC.NEGOTIATION_NEEDED' });
    t.peer.send({ type: 'SIGNAL.ANSWER', sdp: 'answer' });
    t.pc.emit({ type: 'PC.REMOTE_SET', descriptionType: 'answer' });
    expect(t.snapshot().matches({ active: { session: { negotiation: 'stable' } } })).toBe(true);
    expect(nextOffer(t)).toBe('nothingPending');
    expect(t.pc.commandTypes().filter((type) => type === 'PC.CREATE_OFFER')).toHaveLength(1);
  });

  it('a track added mid-negotiation is offered once the exchange is over', () => {
    const t = start();
    t.pc.emit({ type: 'PC.CREATED' });
    const screen = { track: { id: 's', kind: 'video' } as MediaStreamTrack, stream: { id: 'screen' } as MediaStream };
    t.peer.send({ type: 'LOCAL.MEDIA', audio: null, video: null, stream: null, screen, audioMuted: false, videoOff: false });
    expect(t.pc.state.commands).toContainEqual({ type: 'PC.ADD_SCREEN', ...screen });
    expect(nextOffer(t)).toBe('changesPending');
    t.pc.emit({ type: 'PC.OFFER_CREATED', sdp: 'offer' });
    t.pc.emit({ type: 'PC.LOCAL_SET', description: { type: 'offer', sdp: 'offer' } });
    t.peer.send({ type: 'SIGNAL.ANSWER', sdp: 'answer' });
    t.pc.emit({ type: 'PC.REMOTE_SET', descriptionType: 'answer' });
    expect(t.snapshot().matches({ active: { session: { negotiation: 'creatingOffer' } } })).toBe(true);
    expect(t.pc.commandTypes().filter((type) => type === 'PC.CREATE_OFFER')).toHaveLength(2);
  });
});

describe('peer machine: local media (LOCAL.MEDIA, diffed against what it sends)', () => {
  const track = (kind: 'audio' | 'video', id: string) => ({ kind, id }) as MediaStreamTrack;
  const mic = track('audio', 'mic');
  const cam = track('video', 'cam');
  const camera = { id: 'camera', getTracks: () => [mic, cam] } as unknown as MediaStream;
  const media = (overrides: Partial<Omit<Extract<PeerCommandEvent, { type: 'LOCAL.MEDIA' }>, 'type'>> = {}) =>
    ({ type: 'LOCAL.MEDIA', audio: mic, video: cam, stream: camera, screen: null, audioMuted: false, videoOff: false, ...overrides }) as const;
  const since = (t: ReturnType<typeof start>, from: number) => t.pc.state.commands.slice(from);

  it('mute is a media-state message only: the track keeps being sent (enabled = false in the media machine)', () => {
    const t = start({ localStream: camera });
    connect(t);
    const before = t.pc.state.commands.length;
    const context = t.snapshot().context;
    t.peer.send(media()); // what it sends already: nothing to do, nothing changes
    expect(since(t, before)).toEqual([]);
    expect(t.snapshot().context).toBe(context);
    t.peer.send(media({ audioMuted: true }));
    expect(since(t, before)).toEqual([
      { type: 'PC.SEND', message: { type: 'media-state', audioMuted: true, videoOff: false, screen: false, cameraStreamId: 'camera', screenStreamId: null } },
    ]);
    expect(nextOffer(t)).toBe('nothingPending');
  });

  it('a camera switch is a replaceTrack without renegotiation; a screen share adds a sender and renegotiates at once', () => {
    const t = start({ localStream: camera });
    connect(t);
    let before = t.pc.state.commands.length;
    const cam2 = track('video', 'cam2');
    t.peer.send(media({ video: cam2 }));
    expect(since(t, before)).toEqual([{ type: 'PC.SET_TRACK', kind: 'video', track: cam2, stream: camera }]);
    before = t.pc.state.commands.length;
    const screen = { track: track('video', 'screen-video'), stream: { id: 'screen' } as MediaStream };
    t.peer.send(media({ video: cam2, screen }));
    expect(since(t, before).map((command) => command.type)).toEqual(['PC.ADD_SCREEN', 'PC.SEND', 'PC.CREATE_OFFER']);
    expect(t.snapshot().matches({ active: { session: { negotiation: 'creatingOffer' } } })).toBe(true);
  });

  it('a redialled connection starts from what the peer sends now, changes made while redialling included', () => {
    const t = start({ localStream: camera, timing: { ...TIMING, redialMaxAttempts: 1 } });
    connect(t);
    t.pc.emit({ type: 'PC.DATA_CLOSED' });
    expect(t.snapshot().value).toBe('redialing');
    const cam2 = track('video', 'cam2');
    t.peer.send(media({ video: cam2, videoOff: true }));
    t.clock.increment(TIMING.redialBaseDelayMs);
    expect(t.pc.state.instances).toBe(2);
    expect(t.pc.state.inputs.at(-1)?.sending).toMatchObject({ audio: mic, video: cam2, stream: camera, videoOff: true });
  });
});

describe('selectPeerView', () => {
  it('groups remote streams into camera and screen by the stream ids the remote announced', () => {
    const t = start();
    connect(t);
    const cam = { id: 'cam', getTracks: () => [{ id: 'a' }, { id: 'v' }] } as unknown as MediaStream;
    const screen = { id: 'scr', getTracks: () => [{ id: 's' }] } as unknown as MediaStream;
    t.pc.emit({ type: 'PC.REMOTE_STREAM', streamId: 'cam', stream: cam });
    t.pc.emit({ type: 'PC.REMOTE_STREAM', streamId: 'scr', stream: screen });
    t.pc.emit({
      type: 'PC.DATA_MESSAGE',
      message: { type: 'media-state', audioMuted: true, videoOff: false, screen: true, cameraStreamId: 'cam', screenStreamId: 'scr' },
    });
    const view = selectPeerView(t.snapshot());
    expect(view.stream).toBe(cam);
    expect(view.screenStream).toBe(screen);
    expect(view.remoteAudioMuted).toBe(true);
    expect(view.dataChannelOpen).toBe(true);
    expect(view.statusText).toBe('Connected');
    expect(view.stateValue).toContain('active.session.negotiation.stable');
    // Same snapshot, same view object (memoized); a new snapshot, a new view.
    expect(selectPeerView(t.snapshot())).toBe(view);
    t.pc.emit({ type: 'PC.REMOTE_TRACK_REMOVED', streamId: 'scr', trackId: 's', streamEmpty: true });
    const after = selectPeerView(t.snapshot());
    expect(after).not.toBe(view);
    expect(after.screenStream).toBeNull();
    expect(after.stream).toBe(cam);
  });

  it('reports stats with a bounded history', () => {
    const t = start();
    connect(t);
    for (let i = 0; i < 70; i++) {
      t.pc.emit({ type: 'PC.STATS', sample: { at: i, rttMs: i, inboundKbps: 1, outboundKbps: 2, packetLossPct: 0 } });
    }
    const stats = selectPeerView(t.snapshot()).stats;
    expect(stats?.rttMs).toBe(69);
    expect(stats?.history).toHaveLength(60);
    expect(stats?.history[0]?.at).toBe(10);
  });
});

describe('peer machine: application data', () => {
  it('DATA.SEND goes to the pc actor while the connection exists (queued there before the channel opens); what it reports goes to the room straight', () => {
    const t = start();
    t.peer.send({ type: 'DATA.SEND', data: { early: 1 } });
    connect(t);
    t.peer.send({ type: 'DATA.SEND', data: 'later' });
    expect(t.pc.state.commands.filter((command) => command.type === 'DATA.SEND')).toEqual([
      { type: 'DATA.SEND', data: { early: 1 } },
      { type: 'DATA.SEND', data: 'later' },
    ]);
    // The pc actor reports application data to the room's `onAppData` (here the harness's), past this machine:
    // what still waits when the peer itself ends is reported too.
    const { onAppData } = t.pc.state.inputs[0]!;
    onAppData({ type: 'data', from: 'remote', data: [1, 2] });
    onAppData({ type: 'data-error', code: 'data/queue-full', to: 'remote' });
    expect(t.snapshot().matches({ active: { session: { connection: 'connected' } } })).toBe(true);
    expect(t.peer.messages.filter((message) => message.type.startsWith('data'))).toEqual([
      { type: 'data', from: 'remote', data: [1, 2] },
      { type: 'data-error', code: 'data/queue-full', to: 'remote' },
    ]);
  });

  it('without a connection (redialing, failed) DATA.SEND is a data/peer-gone error, not a silent drop', () => {
    const peerGone = { type: 'data-error', code: 'data/peer-gone', to: 'remote' };
    const redialing = start({ timing: { ...TIMING, redialMaxAttempts: 1 } });
    connect(redialing);
    redialing.pc.emit({ type: 'PC.DATA_CLOSED' });
    expect(redialing.snapshot().value).toBe('redialing');
    redialing.peer.send({ type: 'DATA.SEND', data: 'while redialing' });
    expect(redialing.peer.messages.filter((message) => message.type === 'data-error')).toEqual([peerGone]);

    const failed = start({ timing: { ...TIMING, redialMaxAttempts: 0 } });
    connect(failed);
    failed.pc.emit({ type: 'PC.DATA_CLOSED' });
    expect(failed.snapshot().value).toBe('failed');
    failed.peer.send({ type: 'DATA.SEND', data: 'while failed' });
    expect(failed.peer.messages.filter((message) => message.type === 'data-error')).toEqual([peerGone]);
  });
});
