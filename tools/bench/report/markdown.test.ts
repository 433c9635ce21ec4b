import { describe, expect, it } from 'vitest';
import type { CallResults, CallRun } from '../calls/run.js';
import type { ThroughputResults } from '../throughput/run.js';
import { callStepsTable, replaceSections, targetsTable, throughputTable } from './markdown.js';

describe('replaceSections', () => {
  it('replaces only the marked section and keeps the prose around it', () => {
    const doc = 'intro\n<!-- bench:relay -->\nold\n<!-- /bench:relay -->\nafter';
    expect(replaceSections(doc, { relay: 'new table' })).toBe('intro\n<!-- bench:relay -->\nnew table\n<!-- /bench:relay -->\nafter');
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceSections('no markers', { relay: 'x' })).toThrow(/markers/);
  });
});

describe('targetsTable', () => {
  it('shows relay throughput at window 1 as retired, never judged', () => {
    expect(targetsTable()).toMatch(/\| Relay throughput, P=50 W=1 \(retired as a target: at window 1 it measures round trips\) \| not measured \| – \|/);
  });

  it('marks each target met or not from the results, and says so when a part was not measured', () => {
    const size = {
      benchmark: 'size' as const,
      budgetBytes: 29 * 1024,
      entries: [{ id: 'peerchart', label: 'core', imports: '', minifiedBytes: 90_000, gzipBytes: 30_000 }],
    };
    const table = targetsTable(undefined, undefined, size);
    expect(table).toMatch(/core min \+ gzip: ≤ 29\.0 KB \| 29\.3 KB \| \*\*no\*\* \|/);
    expect(table).toMatch(/P=500 W=32: ≥ 0\.90× bare \| not measured \| – \|/);
    const small = targetsTable(undefined, undefined, { ...size, entries: [{ ...size.entries[0]!, gzipBytes: 15_000 }] });
    expect(small).toMatch(/14\.6 KB \| yes \|/);
  });
});

describe('data API throughput', () => {
  const results = (perRound: number[]): ThroughputResults => ({
    benchmark: 'throughput',
    settings: { bytes: 16 * 1024 * 1024, rounds: perRound.length, transfersPerRound: 2, warmupTransfers: 2, transferTimeoutMs: 60_000, chromium: '150.0', flags: [] },
    transfers: [],
    summary: [
      { contender: 'raw', transfers: 8, failed: 0, mbPerSecond: 40, minMbPerSecond: 30, maxMbPerSecond: 50, firstChunkMs: 3 },
      { contender: 'peerchart', transfers: 8, failed: 1, mbPerSecond: 36, minMbPerSecond: 20, maxMbPerSecond: 44, firstChunkMs: 5 },
    ],
    ratio: { median: perRound.toSorted()[perRound.length >> 1]!, min: Math.min(...perRound), max: Math.max(...perRound), perRound, interval: [0.8, 0.95] },
  });

  it('is a target row: met at 0.90× raw or more, with its interval', () => {
    expect(targetsTable(undefined, undefined, undefined, results([0.85, 0.9, 0.95]))).toMatch(/Data API throughput: ≥ 0\.90× raw RTCDataChannel \| 0\.90× \(0\.80–0\.95\) \| yes \|/);
    expect(targetsTable(undefined, undefined, undefined, results([0.8, 0.85, 0.95]))).toMatch(/0\.85× \(0\.80–0\.95\) \| \*\*no\*\* \|/);
    expect(targetsTable()).toMatch(/Data API throughput: ≥ 0\.90× raw RTCDataChannel \| not measured \| – \|/);
  });

  it('tables both contenders with failures and the per-round ratios', () => {
    const stamp = { generatedAt: '2026-12-02T13:00:00Z', machine: { nproc: 2, cpuModel: 'cpu', node: 'v20', platform: 'linux-x64' }, command: 'npm run bench -- throughput' };
    const table = throughputTable({ ...results([0.85, 0.9, 0.95]), ...stamp });
    expect(table).toMatch(/16 MiB per transfer/);
    expect(table).toMatch(/\| Peerchart data API \(DATA\.SEND \/ onData\) \| 8 \(1\) \| 36 \| 20–44 \| 5 \|/);
    expect(table).toMatch(/\*\*0\.90×\*\* \(0\.80–0\.95\).*per round: 0\.85, 0\.90, 0\.95/);
  });
});

describe('callStepsTable', () => {
  const run = (contender: CallRun['contender']) => ({ contender, ok: true }) as CallRun;
  const results = {
    benchmark: 'calls',
    settings: { contenders: ['raw', 'raw-channel', 'peerchart'], chromium: '156.0' },
    runs: [run('raw'), run('raw'), run('raw-channel'), run('raw-channel'), run('peerchart'), run('peerchart')],
    summary: [],
    versus: [],
    stepSummary: [
      { side: 'caller', step: 'pc created', medians: { raw: 2, 'raw-channel': 2.5, peerchart: 9 }, seen: { raw: 2, 'raw-channel': 2, peerchart: 2 } },
      { side: 'callee', step: 'machine: PC.CREATED', medians: { peerchart: 7 }, seen: { peerchart: 1 } },
    ],
  } as unknown as CallResults;

  it('has a column per contender in the order run, then each one against the one before it', () => {
    const table = callStepsTable(results);
    expect(table).toContain('2 raw, 2 raw + channel, 2 Peerchart calls');
    expect(table).toContain('| page | step | raw | raw + channel | Peerchart | raw + channel − raw | Peerchart − raw + channel |');
    expect(table).toContain('| caller | pc created | 2.0 | 2.5 | 9.0 | +0.5 | +6.5 |');
    // A step only Peerchart has, seen in one of its two calls: its count, and no differences.
    expect(table).toContain('| callee | machine: PC.CREATED | — | — | 7.0 (1) |  |  |');
  });

  it('keeps the two-column form for raw and Peerchart alone', () => {
    const two = { ...results, settings: { ...results.settings, contenders: ['raw', 'peerchart'] } } as CallResults;
    expect(callStepsTable(two)).toContain('| page | step | raw | Peerchart | Peerchart − raw |');
    expect(callStepsTable(two)).toContain('| caller | pc created | 2.0 | 9.0 | +7.0 |');
  });
});
