import type { StatsSample } from '@peerchart/core';
import { describe, expect, it } from 'vitest';
import { qualityFigures, sparklinePoints } from './quality.js';

const sample = (at: number, inboundKbps: number | null): StatsSample => ({
  at,
  rttMs: 12.4,
  inboundKbps,
  outboundKbps: null,
  packetLossPct: 0.25,
});

describe('qualityFigures', () => {
  it('formats figures with units and a dash when unknown', () => {
    expect(qualityFigures({ ...sample(0, 812.6), history: [] })).toEqual([
      { label: 'Round trip', value: '12 ms' },
      { label: 'Receiving', value: '813 kbit/s' },
      { label: 'Sending', value: '–' },
      { label: 'Packet loss', value: '0.3 %' },
    ]);
  });
});

describe('sparklinePoints', () => {
  it('scales the largest value to the top and zero to the bottom', () => {
    const history = [sample(0, 0), sample(1, 50), sample(2, 100)];
    expect(sparklinePoints(history, (s) => s.inboundKbps, 100, 20)).toBe('0.0,20.0 50.0,10.0 100.0,0.0');
  });

  it('skips gaps and needs two points', () => {
    expect(sparklinePoints([sample(0, null), sample(1, 5)], (s) => s.inboundKbps, 10, 10)).toBe('');
    expect(sparklinePoints([sample(0, 4), sample(1, null), sample(2, 2)], (s) => s.inboundKbps, 10, 10)).toBe('0.0,0.0 10.0,5.0');
  });
});
