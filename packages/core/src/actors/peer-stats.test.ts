import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startStatsPolling, summarizeStats } from './peer-stats.js';

const pair = (bytesSent: number, bytesReceived: number, rtt = 0.042) => ({
  type: 'candidate-pair',
  id: 'pair-1',
  state: 'succeeded',
  nominated: true,
  currentRoundTripTime: rtt,
  bytesSent,
  bytesReceived,
});
const transport = { type: 'transport', id: 't', selectedCandidatePairId: 'pair-1' };
const inbound = (packetsReceived: number, packetsLost: number) => ({ type: 'inbound-rtp', id: 'in', packetsReceived, packetsLost, bytesReceived: 0 });

describe('summarizeStats', () => {
  it('first sample: round-trip time only (rates need a previous poll)', () => {
    const { sample, counters } = summarizeStats([transport, pair(1_000, 2_000)], null, 10_000);
    expect(sample).toEqual({ at: 10_000, rttMs: 42, inboundKbps: null, outboundKbps: null, packetLossPct: null });
    expect(counters).toMatchObject({ bytesSent: 1_000, bytesReceived: 2_000, hasInboundRtp: false });
  });

  it('rates from the selected pair between two polls, and packet loss from inbound RTP', () => {
    const first = summarizeStats([transport, pair(0, 0), inbound(100, 0)], null, 0);
    const { sample } = summarizeStats([transport, pair(125_000, 250_000, 0.01), inbound(190, 10)], first.counters, 1_000);
    expect(sample.outboundKbps).toBe(1_000); // 125 000 B in 1 s = 1 000 kbit/s
    expect(sample.inboundKbps).toBe(2_000);
    expect(sample.rttMs).toBe(10);
    expect(sample.packetLossPct).toBe(10); // 10 lost of 100 expected
  });

  it('ignores pairs that are not selected and entries that are not objects', () => {
    const other = { ...pair(9, 9, 9), id: 'other', nominated: false, state: 'failed' };
    const { sample } = summarizeStats([null, 'x', 3, other, transport, pair(1, 1, 0.5)], null, 0);
    expect(sample.rttMs).toBe(500);
  });

  it('an empty report gives an all-null sample', () => {
    expect(summarizeStats([], null, 5).sample).toEqual({ at: 5, rttMs: null, inboundKbps: null, outboundKbps: null, packetLossPct: null });
  });
});

describe('startStatsPolling', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls at once, then every interval; skips a failed poll; stops for good', async () => {
    let calls = 0;
    const samples: number[] = [];
    const source = {
      getStats: async () => {
        calls += 1;
        if (calls === 2) throw new Error('closed meanwhile');
        return new Map([['p', pair(calls * 1_000, 0)]]);
      },
    };
    // The sample's time is the poll's number, so each sample says which poll made it.
    const stop = startStatsPolling(source, 1_000, (sample) => samples.push(sample.at), () => calls);
    await vi.advanceTimersByTimeAsync(0);
    expect(samples).toEqual([1]); // at once, before the first interval
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2); // the failed poll: no sample
    expect(samples).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(samples).toEqual([1, 3]);
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(3);
    expect(samples).toEqual([1, 3]);
  });
});
