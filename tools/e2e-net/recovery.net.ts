/**
 * A call survives the network: path failure, path change, TURN server restart and signaling server restart.
 * "Recovered" means the same call: no new RTCPeerConnection, no rejoin (same `data-self-id`), and video frames
 * decoding again on both sides. Each test logs its recovery time (the benchmark measures it; tests never
 * assert durations) and, on failure, the evidence: connection and signaling states, ICE generations, paths.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { callState, until } from '../e2e/harness.js';
import { connectionStates, peerConnectionCount } from '../netlab/browser.js';
import { describeSide, framesDecoded, selectedPath, startCall, useLab, watchRecovery, type LabCall, type Side } from './lab-fixture.js';

const fixture = useLab({ publicHost: true, homes: { cone1: 'cone', cone2: 'cone' } });

let current: LabCall | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/**
 * How long the uplink stays cut after both sides have called the path disconnected (Chromium takes ~5 s to
 * notice): long enough for the product's ICE-restart ladder to start while the path is still down.
 */
const OUTAGE_MS = 6_000;

interface Snapshot {
  pcs: number;
  selfId: string | null;
}
const snapshot = async (side: Side): Promise<Snapshot> => ({ pcs: await peerConnectionCount(side.call.page), selfId: (await callState(side.call.page)).selfId });

const evidence = async (call: LabCall) => JSON.stringify(await Promise.all([describeSide(call.a.call), describeSide(call.b.call)]));

/** Waits until both sides decode `count` frames more than they had when called; returns the time it took. */
async function framesAdvance(call: LabCall, what: string, { count = 30, timeoutMs = 30_000 } = {}): Promise<number> {
  const started = Date.now();
  const from = await Promise.all([framesDecoded(call.a), framesDecoded(call.b)]);
  try {
    await until(what, async () => (await framesDecoded(call.a)) > from[0] + count && (await framesDecoded(call.b)) > from[1] + count, { timeoutMs, intervalMs: 100 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nevidence: ${await evidence(call)}`, { cause: error });
  }
  return Date.now() - started;
}

async function expectSameCall(call: LabCall, before: [Snapshot, Snapshot]) {
  // Negotiation settles too: a connection left in have-local-offer could not renegotiate (e.g. a screen share).
  await until(
    'both connections back in signaling state stable',
    async () => {
      const states = await Promise.all([call.a, call.b].map((side) => connectionStates(side.call.page)));
      return states.every((list) => list.every((s) => s.signalingState === 'stable' || s.signalingState === 'closed')) && states;
    },
    { timeoutMs: 20_000 },
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}\nevidence: ${await evidence(call)}`);
  });
  const after = await Promise.all([snapshot(call.a), snapshot(call.b)]);
  expect(after, `no new RTCPeerConnection and no rejoin; evidence: ${await evidence(call)}`).toEqual(before);
  for (const side of [call.a, call.b]) {
    expect((await connectionStates(side.call.page)).map((s) => s.connectionState)).toEqual(['connected']);
    // What the person sees: the tile says the peer is connected again.
    expect(await side.call.page.getByTestId('peer-tile').getAttribute('data-peer-status'), `${side.where}: tile status`).toBe('connected');
  }
}

const report = (scenario: string, data: object) => console.log(`[net] ${scenario}: ${JSON.stringify(data)}`);

describe('recovery in the lab', () => {
  it.each([
    ['cone1', 'public'],
    ['cone1', 'cone2'],
  ] as const)('path failure %s ↔ %s: uplink cut (disconnected, then 6 s more) and restored → the same call decodes again', async (home, other) => {
    current = await startCall(fixture, [home, other], { label: 'cut' });
    const call = current;
    const before = await Promise.all([snapshot(call.a), snapshot(call.b)]);
    const timeline = watchRecovery(call);
    await fixture.lab.cutUplink(home);
    const cutAt = Date.now();
    try {
      await until(
        'both sides to see the peer disconnected',
        async () => {
          const states = await Promise.all([call.a, call.b].map((side) => side.call.page.getByTestId('peer-tile').getAttribute('data-connection-state')));
          return states.every((s) => s === 'disconnected' || s === 'failed') && states;
        },
        { timeoutMs: 20_000 },
      );
      // The fault's own length (the scenario), not a wait for a condition.
      await delay(OUTAGE_MS);
    } finally {
      await fixture.lab.restoreUplink(home);
    }
    const restoredAt = Date.now() - cutAt;
    let gapMs: number;
    try {
      gapMs = await framesAdvance(call, 'frames decoding again on both sides after the uplink returned');
    } finally {
      report(`path failure ${home} ↔ ${other} timeline (restored at +${(restoredAt / 1000).toFixed(1)}s)`, await timeline.stop());
    }
    report(`path failure ${home} ↔ ${other}`, { gapMs, side: await evidence(call) });
    await expectSameCall(call, before);
  });

  it('path change: the home NAT gets a new public address → the same call decodes again', async () => {
    current = await startCall(fixture, ['cone1', 'public'], { label: 'renumber' });
    const call = current;
    const before = await Promise.all([snapshot(call.a), snapshot(call.b)]);
    const oldIp = fixture.lab.homes.cone1!.publicIp;
    const newIp = await fixture.lab.changePublicAddress('cone1');
    // Old mappings died with the old address: media flows again only once both sides use the new one
    // (Chromium may learn it as a peer-reflexive candidate, or the product restarts ICE).
    const gapMs = await framesAdvance(call, 'frames decoding again on both sides after the NAT changed address', { count: 60, timeoutMs: 40_000 });
    report('path change cone ↔ public', { oldIp, newIp, gapMs, side: await evidence(call) });
    await expectSameCall(call, before);
  });

  it('coturn restarted mid-call in relay-only mode → the same call decodes again', async () => {
    current = await startCall(fixture, ['cone1', 'cone2'], { label: 'turn-restart', query: { relay: '' } });
    const call = current;
    for (const side of [call.a, call.b]) expect((await selectedPath(side)).local.type, 'relay-only: the call runs through coturn').toBe('relay');
    const before = await Promise.all([snapshot(call.a), snapshot(call.b)]);
    const timeline = watchRecovery(call);
    await fixture.lab.restartCoturn();
    let gapMs: number;
    try {
      gapMs = await framesAdvance(call, 'frames decoding again on both sides after coturn restarted', { count: 60, timeoutMs: 45_000 });
    } finally {
      report('coturn restart timeline', await timeline.stop());
    }
    report('coturn restart, relay-only cone ↔ cone', { gapMs, side: await evidence(call) });
    await expectSameCall(call, before);
    for (const side of [call.a, call.b]) expect((await selectedPath(side)).local.type).toBe('relay');
  });

  it('signaling server killed and restarted on the same port → media keeps flowing, both pages are joined again', async () => {
    current = await startCall(fixture, ['cone1', 'cone2'], { label: 'server-restart' });
    const call = current;
    const pcs = await Promise.all([peerConnectionCount(call.a.call.page), peerConnectionCount(call.b.call.page)]);
    const selfIds = [call.a.selfId, call.b.selfId];
    await fixture.lab.killServer();
    try {
      // Peer-to-peer media does not pass through the server: it keeps flowing while the server is down.
      await framesAdvance(call, 'frames decoding on both sides while the server is down', { count: 60 });
      await until('both pages to notice the server is gone', async () => {
        const statuses = await Promise.all([callState(call.a.call.page), callState(call.b.call.page)]);
        return statuses.every((s) => s.status !== 'joined') && statuses;
      });
    } finally {
      await fixture.lab.startServer();
    }
    const rejoined = await until(
      'both pages joined again',
      async () => {
        const statuses = await Promise.all([callState(call.a.call.page), callState(call.b.call.page)]);
        return statuses.every((s) => s.status === 'joined') && statuses;
      },
      { timeoutMs: 40_000 },
    );
    report('signaling restart cone ↔ cone', { selfIdsBefore: selfIds, rejoined, side: await evidence(call) });
    await framesAdvance(call, 'frames decoding on both sides after the server came back');
    expect(await Promise.all([peerConnectionCount(call.a.call.page), peerConnectionCount(call.b.call.page)]), 'the call kept its RTCPeerConnections').toEqual(pcs);
    expect(rejoined.map((s) => s.selfId), 'both pages resumed their ids').toEqual(selfIds);
    for (const side of [call.a, call.b]) expect(await side.call.page.getByTestId('peer-tile').count(), `${side.where}: one tile for the one peer`).toBe(1);
  });
});
