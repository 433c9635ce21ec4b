import { afterEach, describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { SignalingHub } from '../test-support/signaling-hub.js';
import { signalingMachine, type SignalingEmitted, type SignalingTiming } from './signaling.machine.js';

const hubs: SignalingHub[] = [];
afterEach(() => hubs.splice(0).forEach((hub) => hub.close()));

function start(timing: Partial<SignalingTiming> = {}, random = () => 1) {
  const hub = new SignalingHub();
  hubs.push(hub);
  const actor = createActor(signalingMachine, {
    input: { url: 'ws://hub/ws', createWebSocket: hub.createWebSocket, timing: { backoffBaseMs: 10, ...timing }, random },
  });
  const emitted: SignalingEmitted[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  const isOpen = () => waitFor(actor, (s) => s.matches({ connection: 'open' }));
  return { hub, actor, emitted, isOpen };
}

describe('signalingMachine', () => {
  it('greets with hello and reports the welcome', async () => {
    const { hub, actor, emitted, isOpen } = start();
    await isOpen();
    expect(hub.received[0]?.message).toEqual({ type: 'hello', v: 1 });
    expect(emitted).toContainEqual({ type: 'SIGNALING.WELCOME', peerId: actor.getSnapshot().context.peerId, resumed: false, rooms: [] });
    expect(emitted.filter((e) => e.type === 'SIGNALING.STATUS').map((e) => e.view.status)).toEqual(['connecting', 'open']);
    actor.stop();
  });

  it('reconnects with exponential backoff and resumes the same identity', async () => {
    const { hub, actor, emitted, isOpen } = start({ backoffBaseMs: 10, backoffMaxMs: 40 });
    await isOpen();
    const { peerId, resumeToken } = actor.getSnapshot().context;
    hub.refuseConnections = true;
    hub.dropAll();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const snapshot = await waitFor(actor, (s) => s.matches('reconnecting') && s.context.attempt === attempt);
      delays.push(snapshot.context.retryDelayMs);
      expect(snapshot.context.nextRetryAt).toBeGreaterThan(0);
    }
    // random() = 1 takes the top of each jitter range: base·2^n, capped.
    expect(delays).toEqual([10, 20, 40, 40]);
    hub.refuseConnections = false;
    await isOpen();
    expect(actor.getSnapshot().context).toMatchObject({ peerId, attempt: 0, nextRetryAt: null });
    expect(hub.received.filter((r) => r.message.type === 'hello').at(-1)?.message).toEqual({ type: 'hello', v: 1, resume: resumeToken });
    expect(emitted.filter((e) => e.type === 'SIGNALING.WELCOME').at(-1)).toEqual({ type: 'SIGNALING.WELCOME', peerId, resumed: true, rooms: [] });
    const reconnecting = emitted.find((e) => e.type === 'SIGNALING.STATUS' && e.view.status === 'reconnecting');
    expect(reconnecting).toMatchObject({ view: { attempt: 1, nextRetryAt: expect.any(Number) } });
    actor.stop();
  });

  it('jitters the delay between half and all of the backoff ceiling', async () => {
    const { hub, actor, isOpen } = start({ backoffBaseMs: 100 }, () => 0);
    await isOpen();
    hub.dropAll();
    const snapshot = await waitFor(actor, (s) => s.matches('reconnecting'));
    expect(snapshot.context.retryDelayMs).toBe(50);
    actor.stop();
  });

  it('RETRY_NOW skips the backoff wait', async () => {
    const { hub, actor, isOpen } = start({ backoffBaseMs: 600_000 });
    await isOpen();
    hub.dropAll();
    await waitFor(actor, (s) => s.matches('reconnecting'));
    actor.send({ type: 'SIGNALING.RETRY_NOW' });
    await isOpen();
    expect(actor.getSnapshot().context.attempt).toBe(0);
    actor.stop();
  });

  it('keeps a bounded queue while not open: drops the oldest, reports it, flushes the rest on reopen', async () => {
    const { hub, actor, emitted, isOpen } = start({ queueLimit: 3 });
    await isOpen();
    hub.refuseConnections = true;
    hub.dropAll();
    await waitFor(actor, (s) => s.matches('reconnecting'));
    const joins = ['a', 'b', 'c', 'd', 'e'].map((room) => ({ type: 'join' as const, room }));
    for (const message of joins) actor.send({ type: 'SIGNALING.SEND', message });
    expect(actor.getSnapshot().context.queue).toEqual(joins.slice(2));
    expect(emitted.filter((e) => e.type === 'SIGNALING.DROPPED')).toEqual([
      { type: 'SIGNALING.DROPPED', message: joins[0], total: 1 },
      { type: 'SIGNALING.DROPPED', message: joins[1], total: 2 },
    ]);
    hub.refuseConnections = false;
    await isOpen();
    await waitFor(actor, () => hub.members('e').length === 1);
    expect(hub.received.filter((r) => r.message.type === 'join').map((r) => r.message)).toEqual(joins.slice(2));
    expect(actor.getSnapshot().context.queue).toEqual([]);
    actor.stop();
  });

  it('drops queued directed messages when the identity could not be resumed', async () => {
    const { hub, actor, emitted, isOpen } = start();
    await isOpen();
    const oldId = actor.getSnapshot().context.peerId;
    hub.refuseConnections = true;
    hub.close(); // forgets every identity, so the resume is refused
    await waitFor(actor, (s) => s.matches('reconnecting'));
    const offer = { type: 'offer' as const, room: 'r', to: 'someone', sdp: 'v=0' };
    actor.send({ type: 'SIGNALING.SEND', message: offer });
    actor.send({ type: 'SIGNALING.SEND', message: { type: 'join', room: 'r' } });
    hub.refuseConnections = false;
    await isOpen();
    expect(actor.getSnapshot().context.peerId).not.toBe(oldId);
    expect(emitted).toContainEqual({ type: 'SIGNALING.DROPPED', message: offer, total: 1 });
    await waitFor(actor, () => hub.members('r').length === 1);
    expect(hub.received.some((r) => r.message.type === 'offer')).toBe(false);
    actor.stop();
  });

  it('stops for good when a newer socket takes the identity over (close code 4004)', async () => {
    const { hub, actor, emitted, isOpen } = start();
    await isOpen();
    const other = hub.createWebSocket('ws://hub/ws');
    other.onopen = () => other.send(JSON.stringify({ type: 'hello', v: 1, resume: actor.getSnapshot().context.resumeToken }));
    await waitFor(actor, (s) => s.status === 'done');
    expect(actor.getSnapshot().value).toBe('closed');
    expect(emitted.at(-1)).toMatchObject({ type: 'SIGNALING.STATUS', view: { status: 'closed' } });
  });

  it('CLOSE ends the machine and the socket', async () => {
    const { hub, actor, emitted, isOpen } = start();
    await isOpen();
    actor.send({ type: 'SIGNALING.CLOSE' });
    expect(actor.getSnapshot().status).toBe('done');
    expect(hub.openSockets).toBe(0);
    expect(emitted.at(-1)).toEqual({ type: 'SIGNALING.STATUS', view: { status: 'closed', attempt: 0, nextRetryAt: null } });
  });
});
