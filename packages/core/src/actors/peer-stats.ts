import type { StatsSample } from '../view.js';

/**
 * Stats polling for one RTCPeerConnection: `getStats()` every interval, boiled down to a
 * `StatsSample` by the pure `summarizeStats` (rates need the previous counters, so it returns them).
 */

/** Cumulative counters kept between two polls to turn totals into rates. */
export interface StatsCounters {
  at: number;
  bytesReceived: number;
  bytesSent: number;
  packetsReceived: number;
  packetsLost: number;
  /** False when the report held no inbound RTP at all (e.g. data channel only). */
  hasInboundRtp: boolean;
}

/** The fields of the `RTCStats` dictionaries this module reads; every one optional. */
interface StatsEntry {
  type?: string;
  id?: string;
  selected?: boolean;
  selectedCandidatePairId?: string;
  currentRoundTripTime?: number;
  bytesReceived?: number;
  bytesSent?: number;
  packetsReceived?: number;
  packetsLost?: number;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** The pair in use: the one the transport names (Chromium, Safari, werift), else the one marked `selected` (Firefox). */
function selectedPair(entries: StatsEntry[]): StatsEntry | undefined {
  const transportPairId = entries.find((entry) => entry.type === 'transport' && entry.selectedCandidatePairId)?.selectedCandidatePairId;
  return entries.find((entry) => entry.type === 'candidate-pair' && (entry.id === transportPairId || entry.selected === true));
}

const kbps = (bytes: number, ms: number): number | null => (ms > 0 && bytes >= 0 ? Math.round((bytes * 8) / ms) : null);

/**
 * Summarize one stats report. `stats` is the report's values (`[...report.values()]`), `previous`
 * the counters from the last poll (null on the first), `at` the poll time. Pure; never throws.
 */
export function summarizeStats(
  stats: Iterable<unknown>,
  previous: StatsCounters | null,
  at: number,
): { sample: StatsSample; counters: StatsCounters } {
  const entries = [...stats].filter((entry): entry is StatsEntry => typeof entry === 'object' && entry !== null);
  const pair = selectedPair(entries);
  const inbound = entries.filter((entry) => entry.type === 'inbound-rtp');
  const outbound = entries.filter((entry) => entry.type === 'outbound-rtp');
  const sum = (list: StatsEntry[], key: keyof StatsEntry) => list.reduce((total, entry) => total + num(entry[key]), 0);

  // The selected candidate pair counts every byte (media and data channel); RTP totals are the fallback.
  const counters: StatsCounters = {
    at,
    bytesReceived: pair?.bytesReceived !== undefined ? num(pair.bytesReceived) : sum(inbound, 'bytesReceived'),
    bytesSent: pair?.bytesSent !== undefined ? num(pair.bytesSent) : sum(outbound, 'bytesSent'),
    packetsReceived: sum(inbound, 'packetsReceived'),
    packetsLost: sum(inbound, 'packetsLost'),
    hasInboundRtp: inbound.length > 0,
  };
  const rtt = pair?.currentRoundTripTime;
  const sample: StatsSample = {
    at,
    rttMs: typeof rtt === 'number' && Number.isFinite(rtt) ? Math.round(rtt * 1000 * 10) / 10 : null,
    inboundKbps: null,
    outboundKbps: null,
    packetLossPct: null,
  };
  if (previous) {
    const elapsed = at - previous.at;
    sample.inboundKbps = kbps(counters.bytesReceived - previous.bytesReceived, elapsed);
    sample.outboundKbps = kbps(counters.bytesSent - previous.bytesSent, elapsed);
    if (counters.hasInboundRtp && previous.hasInboundRtp) {
      const received = counters.packetsReceived - previous.packetsReceived;
      const lost = counters.packetsLost - previous.packetsLost;
      const expected = received + Math.max(lost, 0);
      sample.packetLossPct = expected > 0 ? Math.round((Math.max(lost, 0) / expected) * 1000) / 10 : 0;
    }
  }
  return { sample, counters };
}

/** Anything with a `getStats()` like RTCPeerConnection's. */
export interface StatsSource {
  getStats(): Promise<{ values(): IterableIterator<unknown> } | Map<string, unknown>>;
}

/**
 * Poll `source.getStats()` every `intervalMs` and hand each sample to `onSample`. A failed poll
 * is skipped (the next one retries). Returns the stop function; no poll overlaps another.
 */
export function startStatsPolling(
  source: StatsSource,
  intervalMs: number,
  onSample: (sample: StatsSample) => void,
  now: () => number = Date.now,
): () => void {
  let previous: StatsCounters | null = null;
  let stopped = false;
  let busy = false;
  const poll = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const report = await source.getStats();
      if (stopped) return;
      const { sample, counters } = summarizeStats(report.values(), previous, now());
      previous = counters;
      onSample(sample);
    } catch {
      // A poll racing a close fails; the next tick (if any) tries again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), intervalMs);
  void poll();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
