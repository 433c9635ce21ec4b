/**
 * A grouped bar chart as a standalone SVG string — enough for the committed performance charts,
 * with no charting dependency. Deterministic output (same data, same bytes) so diffs stay readable.
 */
export interface Bar {
  series: string;
  value: number;
  /** Text printed above the bar; defaults to the value. */
  text?: string;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface BarChart {
  title: string;
  subtitle?: string;
  yLabel: string;
  groups: BarGroup[];
  /** A dashed horizontal line (e.g. 1.0 = the baseline). */
  reference?: { value: number; label: string };
  /** Fixed colours per series (the same contender keeps its colour across charts). */
  colors?: Record<string, string>;
}

const PALETTE = ['#6b7280', '#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6'];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export function renderBarChart(chart: BarChart): string {
  const series = [...new Set(chart.groups.flatMap((group) => group.bars.map((bar) => bar.series)))];
  const color = (name: string) => chart.colors?.[name] ?? (PALETTE[series.indexOf(name) % PALETTE.length] as string);
  const barWidth = 34;
  const barGap = 6;
  const groupGap = 40;
  const groupWidth = series.length * (barWidth + barGap) - barGap;
  const left = 64;
  const top = chart.subtitle ? 70 : 52;
  const plotHeight = 240;
  const plotWidth = left + chart.groups.length * (groupWidth + groupGap) + 20;
  const width = Math.ceil(Math.max(560, plotWidth, left + chart.title.length * 8.6, left + (chart.subtitle?.length ?? 0) * 6.4));
  // Legend entries (series, then the reference line) wrap onto as many rows as the width needs.
  const legendItems = [...series.map((name) => ({ name, dashed: false })), ...(chart.reference ? [{ name: chart.reference.label, dashed: true }] : [])];
  const legendRows: { name: string; dashed: boolean; x: number }[][] = [[]];
  let cursor = left;
  for (const item of legendItems) {
    const itemWidth = 30 + item.name.length * 6.6;
    if (cursor + itemWidth > width - 8 && legendRows[legendRows.length - 1]!.length > 0) {
      legendRows.push([]);
      cursor = left;
    }
    legendRows[legendRows.length - 1]!.push({ ...item, x: cursor });
    cursor += itemWidth;
  }
  const legendTop = top + plotHeight + 52;
  const height = legendTop + legendRows.length * 22 + 8;
  const finite = chart.groups.flatMap((group) => group.bars.map((bar) => bar.value)).filter(Number.isFinite);
  const yMax = niceMax(Math.max(...finite, chart.reference?.value ?? 0) * 1.12);
  const y = (value: number) => top + plotHeight - (value / yMax) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="600" fill="#111827">${escape(chart.title)}</text>`,
  ];
  if (chart.subtitle) parts.push(`<text x="${left}" y="44" fill="#4b5563">${escape(chart.subtitle)}</text>`);
  for (let i = 0; i <= 4; i += 1) {
    const value = (yMax * i) / 4;
    parts.push(
      `<line x1="${left}" x2="${width - 12}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${left - 8}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" fill="#6b7280">${Number(value.toPrecision(3))}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(16 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#374151">${escape(chart.yLabel)}</text>`,
  );
  chart.groups.forEach((group, g) => {
    const x0 = left + 20 + g * (groupWidth + groupGap);
    group.bars.forEach((bar) => {
      const x = x0 + series.indexOf(bar.series) * (barWidth + barGap);
      if (!Number.isFinite(bar.value)) {
        parts.push(`<text x="${x + barWidth / 2}" y="${top + plotHeight - 4}" text-anchor="middle" fill="#9ca3af">n/a</text>`);
        return;
      }
      const yTop = y(bar.value);
      parts.push(
        `<rect x="${x}" y="${yTop.toFixed(1)}" width="${barWidth}" height="${(top + plotHeight - yTop).toFixed(1)}" fill="${color(bar.series)}"><title>${escape(`${bar.series}: ${bar.text ?? bar.value}`)}</title></rect>`,
        `<text x="${x + barWidth / 2}" y="${(yTop - 4).toFixed(1)}" text-anchor="middle" font-size="10.5" fill="#111827">${escape(bar.text ?? String(bar.value))}</text>`,
      );
    });
    parts.push(`<text x="${x0 + groupWidth / 2}" y="${top + plotHeight + 18}" text-anchor="middle" fill="#111827">${escape(group.label)}</text>`);
  });
  if (chart.reference) {
    const yRef = y(chart.reference.value).toFixed(1);
    parts.push(`<line x1="${left}" x2="${width - 12}" y1="${yRef}" y2="${yRef}" stroke="#111827" stroke-dasharray="5 4"/>`);
  }
  legendRows.forEach((row, r) => {
    const y0 = legendTop + r * 22;
    for (const item of row) {
      parts.push(
        item.dashed
          ? `<line x1="${item.x}" x2="${item.x + 12}" y1="${y0 - 4}" y2="${y0 - 4}" stroke="#111827" stroke-dasharray="3 2"/>`
          : `<rect x="${item.x}" y="${y0 - 10}" width="12" height="12" fill="${color(item.name)}"/>`,
        `<text x="${item.x + 17}" y="${y0}" fill="#111827">${escape(item.name)}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
