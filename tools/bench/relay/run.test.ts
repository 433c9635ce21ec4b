import { describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_SETTINGS, summarize, type IdleRun, type LoadRun } from './run.js';

const load = (repeat: number, contender: LoadRun['contender'], messagesPerSecond: number, p99: number): LoadRun => ({
  repeat,
  contender,
  pairs: 50,
  window: 1,
  delivered: messagesPerSecond,
  seconds: 1,
  messagesPerSecond,
  bytesPerSecond: 0,
  latencyMs: { p50: p99 / 2, p99, p999: p99, max: p99 },
  generatorCpu: 0.5,
  serverCpu: messagesPerSecond / 100_000,
  unexpectedFrames: 0,
  misrouted: 0,
  socketErrors: 0,
  closedEarly: 0,
});

describe('summarize', () => {
  const settings = { ...DEFAULT_RELAY_SETTINGS, contenders: ['bare', 'peerchart'] as LoadRun['contender'][], configs: [{ pairs: 50, window: 1 }] };

  it('quotes the median of per-repeat ratios, not the ratio of medians', () => {
    // Repeat 1 is a noisy minute for both; per-repeat ratios are 0.9, 0.5 and 0.8 → median 0.8.
    const runs = [
      load(0, 'bare', 100, 10),
      load(0, 'peerchart', 90, 11),
      load(1, 'bare', 20, 50),
      load(1, 'peerchart', 10, 60),
      load(2, 'bare', 100, 10),
      load(2, 'peerchart', 80, 12),
    ];
    const row = summarize(runs, [], settings).configs[0]!.rows.find((r) => r.contender === 'peerchart')!;
    expect(row.throughputRatio).toBeCloseTo(0.8, 10);
    expect(row.p99Ratio).toBeCloseTo(1.2, 10);
    expect(row.messagesPerSecond).toBe(80);
  });

  it('compares idle memory per connection within each repeat', () => {
    const idle = (repeat: number, contender: IdleRun['contender'], bytesPerConnection: number): IdleRun => ({
      repeat,
      contender,
      rssWarmBytes: 0,
      rssFullBytes: 0,
      clients: 5_000,
      bytesPerConnection,
      closed: 0,
    });
    const summary = summarize([], [idle(0, 'bare', 9_000), idle(0, 'peerchart', 9_900), idle(1, 'bare', 10_000), idle(1, 'peerchart', 10_500)], settings);
    expect(summary.idle.find((r) => r.contender === 'peerchart')!.ratio).toBeCloseTo(1.075, 10);
  });
});
