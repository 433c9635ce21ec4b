/**
 * Which path a call takes through each kind of NAT, read from getStats() (the selected candidate pair), with
 * live video decoded on both sides. See docs/networking.md for the topology and the measured table.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signalledCandidates, until } from '../e2e/harness.js';
import { candidatePairs } from '../netlab/browser.js';
import { describeSide, framesDecoded, iceGenerations, selectedPath, startCall, useLab, type LabCall } from './lab-fixture.js';

const fixture = useLab({
  publicHost: true,
  homes: { cone1: 'cone', cone2: 'cone', sym1: 'symmetric', sym2: 'symmetric', udp1: 'udp-blocked', udp2: 'udp-blocked' },
});

let current: LabCall | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

const isRelay = (p: { local: { type: string }; remote: { type: string } }) => p.local.type === 'relay' || p.remote.type === 'relay';
const report = (scenario: string, paths: object) => console.log(`[net] ${scenario}: ${JSON.stringify(paths)}`);

describe('paths through NAT', () => {
  it('cone NAT home ↔ public host: the home connects directly (no relay on its selected pair)', async () => {
    const call = await startCall(fixture, ['cone1', 'public'], { label: 'cone-public' });
    current = call;
    const settled = () => Promise.all([selectedPath(call.a), selectedPath(call.b)]);
    // ICE may select whichever pair answers first (on a loaded machine, sometimes the relay), then moves
    // to the best working pair: the home's side must settle on the direct one, which is there to be found.
    // The public host's side may keep the home's relay candidate (each side selects its own pair; seen
    // once in CI): reported, and documented in docs/networking.md.
    const paths = await until('the home to settle on a direct pair', async () => {
      const now = await settled();
      return !isRelay(now[0]) && now;
    }).catch(async (error: unknown) => {
      report('cone ↔ public (home never direct)', await settled());
      throw error;
    });
    report('cone ↔ public', paths);
    for (const path of paths) expect(path.connectionState).toBe('connected');
    // The home reaches the public host through its NAT's mapping: its local candidate is the NAT's
    // address (server- or peer-reflexive) or its own host address translated on the way, never a relay.
    expect(paths[0].remote.type).toBe('host');
    expect(['srflx', 'prflx', 'host']).toContain(paths[0].local.type);
  });

  it('cone ↔ cone: connects, and reports the path ICE chose', async () => {
    current = await startCall(fixture, ['cone1', 'cone2'], { label: 'cone-cone' });
    const paths = await Promise.all([selectedPath(current.a), selectedPath(current.b)]);
    // The evidence for docs/networking.md: which pairs ICE tried, how each ended, and what each NAT tracked.
    report('cone ↔ cone', {
      paths,
      pairs: await candidatePairs(current.a.call.page),
      conntrack: { cone1: await fixture.lab.conntrack('cone1'), cone2: await fixture.lab.conntrack('cone2') },
    });
    for (const path of paths) expect(path.connectionState).toBe('connected');
  });

  it('symmetric ↔ symmetric: connects via the TURN relay', async () => {
    current = await startCall(fixture, ['sym1', 'sym2'], { label: 'sym-sym' });
    const paths = await Promise.all([selectedPath(current.a), selectedPath(current.b)]);
    report('symmetric ↔ symmetric', paths);
    for (const path of paths) {
      expect(path.connectionState).toBe('connected');
      expect(isRelay(path), JSON.stringify(path)).toBe(true);
    }
  });

  it('UDP blocked at both homes: connects via TURN over TCP', async () => {
    current = await startCall(fixture, ['udp1', 'udp2'], { label: 'udp-blocked' });
    const paths = await Promise.all([selectedPath(current.a), selectedPath(current.b)]);
    report('udp-blocked ↔ udp-blocked', paths);
    for (const path of paths) {
      expect(path.connectionState).toBe('connected');
      expect(path.local.type).toBe('relay');
      expect(path.local.relayProtocol).toBe('tcp');
    }
  });

  it('relay-only mode (&relay): only relay candidates are ever signalled, and the selected pair is relayed', async () => {
    current = await startCall(fixture, ['cone1', 'cone2'], { label: 'relay-only', query: { relay: '' } });
    const paths = await Promise.all([selectedPath(current.a), selectedPath(current.b)]);
    report('relay-only cone ↔ cone', paths);
    for (const [side, path] of [[current.a, paths[0]], [current.b, paths[1]]] as const) {
      const candidates = await signalledCandidates(side.call.page);
      expect(candidates.length).toBeGreaterThan(0);
      expect(candidates.filter((c) => c.type !== 'relay'), `${side.where} signalled only relay candidates`).toEqual([]);
      expect(path.local.type).toBe('relay');
    }
  });

  it('a healthy call through NAT and TURN keeps one ICE generation (no ICE restart fires)', async () => {
    current = await startCall(fixture, ['sym1', 'sym2'], { label: 'steady' });
    const { a, b } = current;
    // A positive signal instead of a sleep: ~15 s of video (450 frames at the fake camera's 30 fps) decoded on both sides.
    const start = await Promise.all([framesDecoded(a), framesDecoded(b)]);
    await until(
      '450 more frames decoded on both sides',
      async () => (await framesDecoded(a)) > start[0] + 450 && (await framesDecoded(b)) > start[1] + 450,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    for (const side of [a, b]) {
      const generations = iceGenerations(await signalledCandidates(side.call.page));
      report(`ICE generations at ${side.where}`, { generations: Object.fromEntries(generations), side: await describeSide(side.call) });
      expect(generations.size, `${side.where}: one RTCPeerConnection`).toBe(1);
      for (const ufrags of generations.values()) expect(ufrags, `${side.where}: ICE generations`).toHaveLength(1);
    }
  });
});
