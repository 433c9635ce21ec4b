import { describe, expect, it } from 'vitest';
import { renderBarChart } from './svg.js';

describe('renderBarChart', () => {
  const chart = {
    title: 'Throughput <relative>',
    yLabel: '× bare relay',
    groups: [
      { label: 'P=50', bars: [{ series: 'bare', value: 1 }, { series: 'peerchart', value: 0.93, text: '0.93×' }] },
      { label: 'P=500', bars: [{ series: 'bare', value: 1 }, { series: 'peerchart', value: Number.NaN }] },
    ],
    reference: { value: 1, label: 'baseline' },
  };

  it('draws one rect per finite bar plus one legend swatch per series, and marks missing values', () => {
    const svg = renderBarChart(chart);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(3 + 2);
    expect(svg).toContain('n/a');
    expect(svg).toContain('0.93×');
  });

  it('escapes text and is deterministic', () => {
    const svg = renderBarChart(chart);
    expect(svg).toContain('Throughput &lt;relative&gt;');
    expect(renderBarChart(chart)).toBe(svg);
  });
});
