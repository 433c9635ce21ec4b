import { describe, expect, it } from 'vitest';
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
  it('polls at once, skips a failed poll, and stops for good', async () => {
    let calls = 0;
    const samples: number[] = [];
    const source = {
      getStats: async () => {
        calls += 1;
        if (calls === 2) throw new Error('closed meanwhile');
        return new Map([['p', pair(calls * 1_000, 0)]]);
      },
    };
    const stop = startStatsPolling(source, 5, (sample) => samples.push(sample.at), () => calls);
    await new Promise((resolve) => setTimeout(resolve, 40));
    stop();
    const seen = calls;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toBe(seen);
    expect(samples[0]).toBe(1);
    expect(samples).not.toContain(2);
    expect(samples.length).toBeGreaterThan(1);
  });
});
