import type { PeerStatsView, StatsSample } from '@peerchart/core';

/** One figure of a peer's connection quality, in plain words and units. */
export interface QualityFigure {
  label: string;
  value: string;
}

const dash = '–';
const fixed = (value: number | null, digits: number, unit: string) => (value === null ? dash : `${value.toFixed(digits)} ${unit}`);

export function qualityFigures(stats: PeerStatsView): QualityFigure[] {
  return [
    { label: 'Round trip', value: fixed(stats.rttMs, 0, 'ms') },
    { label: 'Receiving', value: fixed(stats.inboundKbps, 0, 'kbit/s') },
    { label: 'Sending', value: fixed(stats.outboundKbps, 0, 'kbit/s') },
    { label: 'Packet loss', value: fixed(stats.packetLossPct, 1, '%') },
  ];
}

/**
 * SVG polyline points for a sparkline of one figure over the recent samples, scaled to the box
 * (0 at the bottom, the largest sample at the top). Gaps (null) are skipped; fewer than two points → ''.
 */
export function sparklinePoints(
  history: readonly StatsSample[],
  pick: (sample: StatsSample) => number | null,
  width: number,
  height: number,
): string {
  const values = history.map(pick);
  if (values.filter((v) => v !== null).length < 2) return '';
  const max = Math.max(...values.map((v) => v ?? 0), 1e-9);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values
    .flatMap((v, i) => (v === null ? [] : [`${(i * step).toFixed(1)},${(height - (v / max) * height).toFixed(1)}`]))
    .join(' ');
}
