import { describe, expect, it } from 'vitest';
import { summarizeProfile } from './profile-summary.js';

// A hand-made V8 profile: root → idle, and two functions in two packages.
const profile = {
  startTime: 1_000,
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3, 4] },
    { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    { id: 3, callFrame: { functionName: 'relay', url: 'file:///repo/packages/signaling-server/dist/relay.js', lineNumber: 9 } },
    { id: 4, callFrame: { functionName: 'parse', url: 'file:///repo/node_modules/valibot/dist/index.js', lineNumber: 0 } },
  ],
  samples: [3, 3, 4, 2, 3],
  timeDeltas: [100, 100, 100, 100, 100],
};

describe('summarizeProfile', () => {
  it('attributes self time to functions and packages, leaving idle out of the percentages', () => {
    const summary = summarizeProfile(profile);
    expect(summary.totalMs).toBeCloseTo(0.5, 5);
    expect(summary.byPackage.map((row) => [row.name, row.pct])).toEqual([
      ['@peerchart/signaling-server', 75],
      ['valibot', 25],
    ]);
    expect(summary.byFunction[0]?.name).toBe('relay relay.js:10 [@peerchart/signaling-server]');
  });

  it('keeps only the samples inside the window', () => {
    // Samples land at 1100, 1200, 1300, 1400, 1500: the window keeps the valibot one and the idle one.
    const summary = summarizeProfile(profile, 10, [1_250, 1_450]);
    expect(summary.byPackage).toEqual([{ name: 'valibot', ms: 0.1, pct: 100 }]);
    expect(summary.idleMs).toBe(0.1);
  });
});
