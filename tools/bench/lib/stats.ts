/** Small statistics helpers shared by every benchmark. Pure functions over plain numbers. */

/** The q-quantile (0..1) of an ascending-sorted array, nearest-rank; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? (finite[mid] as number) : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2;
}

/** Rounds for display and JSON without losing what matters (3 significant digits, at least 0 decimals). */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return Number(value.toFixed(decimals));
}

/** Rotates a list by `by` places: repeat r runs the contenders in order rotate(list, r). */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  if (n === 0) return [];
  const shift = ((by % n) + n) % n;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** A small seeded PRNG (mulberry32), so a bootstrap interval is the same every time it is computed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type BootstrapOptions = { resamples?: number; level?: number; seed?: number };

/** The central `level` of `resamples` values of `statistic(resample)`, where `resample` draws with replacement. */
function percentileInterval(statistic: (resample: (values: number[]) => number[]) => number, { resamples = 2000, level = 0.95, seed = 1 }: BootstrapOptions): [number, number] {
  const random = seededRandom(seed);
  const resample = (values: number[]) => values.map(() => values[Math.floor(random() * values.length)] as number);
  const stats = Float64Array.from({ length: resamples }, () => statistic(resample)).sort();
  const tail = (1 - level) / 2;
  return [quantileSorted(stats, tail), quantileSorted(stats, 1 - tail)];
}

/**
 * Percentile bootstrap interval of median(numerator) ÷ median(denominator): both samples are
 * resampled with replacement (independently: the runs of two contenders are not paired), the ratio
 * of medians taken each time, and the central `level` of those ratios returned as [low, high].
 * NaN when either sample is empty.
 */
export function bootstrapRatioOfMedians(numerator: readonly number[], denominator: readonly number[], options: BootstrapOptions = {}): [number, number] {
  const a = numerator.filter(Number.isFinite);
  const b = denominator.filter(Number.isFinite);
  if (a.length === 0 || b.length === 0) return [Number.NaN, Number.NaN];
  return percentileInterval((resample) => median(resample(a)) / median(resample(b)), options);
}

/** Percentile bootstrap interval of the median of `values` (e.g. per-round ratios, each paired within its round); NaN when empty. */
export function bootstrapMedian(values: readonly number[], options: BootstrapOptions = {}): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [Number.NaN, Number.NaN];
  return percentileInterval((resample) => median(resample(finite)), options);
}
