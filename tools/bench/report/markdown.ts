/**
 * Turns committed result JSON into the tables and charts of docs/performance.md. The document's
 * prose is written by hand; only the parts between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`
 * are regenerated, so explanations survive a re-run.
 */
import type { CallContenderId, CallResults } from '../calls/run.js';
import type { machineInfo } from '../lib/proc.js';
import { round } from '../lib/stats.js';
import { CONTENDER_LABELS } from '../relay/servers.js';
import type { RelayResults } from '../relay/run.js';
import type { SizeEntry } from '../size/size.js';
import { CALL_CONTENDER_LABELS } from '../calls/run.js';
import { THROUGHPUT_CONTENDER_LABELS, type ThroughputResults } from '../throughput/run.js';
import { renderBarChart } from './svg.js';

export interface Stamped {
  generatedAt: string;
  machine: ReturnType<typeof machineInfo>;
  command: string;
}

/** `budgetBytes`: core's size-limit budget (tools/.size-limit.json). Older result files also carry the retired 20 KB `targetBytes`, ignored. */
export type SizeResults = { benchmark: 'size'; budgetBytes: number; entries: SizeEntry[] };

/** One colour per contender across all charts: baselines grey, Peerchart blue. */
const COLORS: Record<string, string> = {
  bare: '#6b7280',
  raw: '#6b7280',
  'raw-channel': '#9ca3af',
  peerchart: '#2563eb',
  peerjs: '#f59e0b',
  'y-webrtc': '#10b981',
  'simple-peer': '#10b981',
  xstate: '#8b5cf6',
};
const colorsBy = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).map(([id, label]) => [label, COLORS[id] ?? '#9ca3af']));

const ratio = (value: number) => (Number.isFinite(value) ? `${round(value, 3).toFixed(2)}×` : 'n/a');
const num = (value: number, digits = 3) => (Number.isFinite(value) ? String(round(value, digits)) : 'n/a');
/** " (a–b)" for a recorded 95 % bootstrap interval; nothing for results recorded before intervals were. */
const intervalText = (bounds?: [number, number]) => (bounds && bounds.every(Number.isFinite) ? ` (${bounds[0].toFixed(2)}–${bounds[1].toFixed(2)})` : '');
const kb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KB` : 'n/a');

function machineLine(stamp: Stamped): string {
  const m = stamp.machine;
  return `_Run ${stamp.generatedAt} on ${m.nproc} cores (${m.cpuModel}), Node ${m.node}, ${m.platform}: \`${stamp.command}\`._`;
}

export function relayTables(results: RelayResults & Stamped): string {
  const lines: string[] = [machineLine(results), ''];
  const s = results.settings;
  lines.push(
    `${s.repeats} repeats × ${s.configs.length} configurations × ${s.contenders.length} servers, ${s.warmupMs / 1000} s warm-up + ${s.durationMs / 1000} s measured each; ` +
      `server on core ${s.serverCore}, load generator on core ${s.generatorCore}. Ratios are medians of per-repeat ratios to the bare relay.`,
    '',
    '| server | config | msgs/s | × bare | p50 ms | p99 ms | p99 × bare | server CPU | server µs CPU/msg | × bare | generator CPU |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const config of results.summary.configs) {
    for (const row of config.rows) {
      lines.push(
        `| ${CONTENDER_LABELS[row.contender]} | P=${config.pairs}, W=${config.window} | ${Math.round(row.messagesPerSecond).toLocaleString('en-US')} | ` +
          `${ratio(row.throughputRatio)} | ${num(row.p50Ms)} | ${num(row.p99Ms)} | ${ratio(row.p99Ratio)} | ${num(row.serverCpu, 2)} | ${num(row.cpuMicrosPerMessage)} | ${ratio(row.cpuPerMessageRatio)} | ${num(row.generatorCpu, 2)} |`,
      );
    }
  }
  lines.push('', `Idle memory: ${s.idle.totalClients.toLocaleString('en-US')} connected clients (rooms of two), RSS growth after the first ${s.idle.warmClients}, ${s.idle.repeats} repeats.`, '');
  lines.push('| server | RSS per idle connection | × bare |', '|---|---:|---:|');
  for (const row of results.summary.idle) lines.push(`| ${CONTENDER_LABELS[row.contender]} | ${kb(row.bytesPerConnection)} | ${ratio(row.ratio)} |`);
  return lines.join('\n');
}

export function profileTables(results: RelayResults): string {
  if (!results.profiles?.length) return '_No profiled runs in this result (it was run with `--no-profile`)._';
  const lines = [
    `One extra run per configuration of the bare relay and of Peerchart under \`node --cpu-prof\`; self time of the measured window only, as a share of the server's busy time. "native/V8" is mostly the \`writev\` system call that sends frames, plus garbage collection.`,
    '',
    '| server | config | msgs/s | server µs CPU/msg | busy time by package | top functions (self time) |',
    '|---|---|---:|---:|---|---|',
  ];
  for (const run of results.profiles) {
    const packages = run.profile.byPackage.slice(0, 5).map((row) => `${row.name} ${row.pct}%`).join(', ');
    const functions = run.profile.byFunction
      .slice(0, 6)
      .map((row) => `\`${row.name.replace(/ \[(.*)\]$/, '')}\` (${/\[(.*)\]$/.exec(row.name)?.[1] ?? '?'}) ${row.pct}%`)
      .join(', ');
    lines.push(
      `| ${CONTENDER_LABELS[run.contender]} | P=${run.pairs}, W=${run.window} | ${Math.round(run.messagesPerSecond).toLocaleString('en-US')} | ${num(run.cpuMicrosPerMessage)} | ${packages} | ${functions} |`,
    );
  }
  return lines.join('\n');
}

export function relayChart(results: RelayResults): string {
  const groups = [
    ...results.summary.configs.map((config) => ({
      label: `throughput P=${config.pairs} W=${config.window}`,
      bars: config.rows.map((row) => ({ series: CONTENDER_LABELS[row.contender], value: row.throughputRatio, text: ratio(row.throughputRatio) })),
    })),
    ...results.summary.configs.slice(0, 1).map((config) => ({
      label: `p99 latency P=${config.pairs} W=${config.window}`,
      bars: config.rows.map((row) => ({ series: CONTENDER_LABELS[row.contender], value: row.p99Ratio, text: ratio(row.p99Ratio) })),
    })),
    {
      label: 'RSS per idle connection',
      bars: results.summary.idle.map((row) => ({ series: CONTENDER_LABELS[row.contender], value: row.ratio, text: ratio(row.ratio) })),
    },
  ];
  return renderBarChart({
    title: 'Signaling relay, relative to a bare ws relay (same run)',
    subtitle: 'throughput: higher is better; p99 latency and memory: lower is better',
    yLabel: '× bare ws relay',
    groups,
    colors: colorsBy(CONTENDER_LABELS),
    reference: { value: 1, label: 'bare ws relay = 1' },
  });
}

export function callsTable(results: CallResults & Stamped): string {
  const s = results.settings;
  const lines = [
    machineLine(results),
    '',
    `Chromium ${s.chromium}, ${s.calls} measured calls per contender in ${s.rounds} blocks (block order rotated, calling page alternating, ${s.warmupCalls} unmeasured warm-up call per block). Medians in ms from "call"; ratios of medians to the raw lower bound, with their 95 % bootstrap interval in brackets (runs resampled per contender).`,
    '',
    '| contender | calls (failed) | caller\'s RTCPeerConnection created | negotiation (that → connected) | connected, both sides | × raw | first frame, 2nd page | × raw | first frame, caller | first frame, both |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of results.summary) {
    lines.push(
      `| ${CALL_CONTENDER_LABELS[row.contender]} | ${row.calls} (${row.failed}) | ${num(row.pcCallerMs)} | ${num(row.negotiationMs)} | ${num(row.connectedBothMs)} | ` +
        `${ratio(row.connectedRatio)}${row.contender === 'raw' ? '' : intervalText(row.connectedRatioInterval)} | ` +
        `${num(row.frameSecondPageMs)} | ${ratio(row.frameSecondPageRatio)}${row.contender === 'raw' ? '' : intervalText(row.frameSecondPageRatioInterval)} | ${num(row.frameCallerMs)} | ${num(row.frameBothMs)} |`,
    );
  }
  const versus = results.versus ?? [];
  if (versus.length > 0) {
    lines.push('', '| Peerchart ÷ | connected, both sides | first frame, 2nd page |', '|---|---:|---:|');
    for (const row of versus) {
      lines.push(
        `| ${CALL_CONTENDER_LABELS[row.baseline]} | ${ratio(row.connectedRatio)}${intervalText(row.connectedRatioInterval)} | ${ratio(row.frameSecondPageRatio)}${intervalText(row.frameSecondPageRatioInterval)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Short column headings for the steps table. */
const STEP_COLUMN: Record<CallContenderId, string> = {
  raw: 'raw',
  'raw-channel': 'raw + channel',
  peerchart: 'Peerchart',
  'simple-peer': 'simple-peer',
  peerjs: 'PeerJS',
};

/**
 * `--steps`: every handshake step's median per page, one column per contender in the order they were
 * run, then each contender's difference to the one before it (raw → raw + channel → Peerchart: what the
 * data channel costs, then what Peerchart adds to that). Rows in Peerchart's order. Browser-level steps
 * come from instrument.ts (the RTCPeerConnection and WebSocket each page uses); "machine: …" rows are
 * Peerchart's own transitions (createRoom's inspect observer).
 */
export function callStepsTable(results: CallResults & Partial<Stamped>): string {
  const rows = results.stepSummary ?? [];
  const contenders = results.settings.contenders;
  const count = (contender: CallContenderId) => results.runs.filter((run) => run.contender === contender && run.ok).length;
  const pairs = contenders.slice(1).map((contender, i) => [contenders[i]!, contender] as const);
  const calls = contenders.map((contender) => `${count(contender)} ${STEP_COLUMN[contender]}`);
  const lines = [
    ...(results.generatedAt ? [machineLine(results as CallResults & Stamped), ''] : []),
    `Chromium ${results.settings.chromium}; ${calls.join(', ')} calls (calling page alternating). Medians in ms from "call" on the calling page; a step seen in fewer calls shows its count.`,
    '',
    `| page | step | ${[...contenders.map((c) => STEP_COLUMN[c]), ...pairs.map(([a, b]) => `${STEP_COLUMN[b]} − ${STEP_COLUMN[a]}`)].join(' | ')} |`,
    `|---|---|${[...contenders, ...pairs].map(() => '---:').join('|')}|`,
  ];
  const cell = (row: (typeof rows)[number], contender: CallContenderId) => {
    const value = row.medians[contender];
    if (value === undefined) return '—';
    const seen = row.seen[contender] ?? 0;
    return `${value.toFixed(1)}${seen < count(contender) ? ` (${seen})` : ''}`;
  };
  const delta = (row: (typeof rows)[number], [a, b]: readonly [CallContenderId, CallContenderId]) => {
    const [from, to] = [row.medians[a], row.medians[b]];
    if (from === undefined || to === undefined) return '';
    return `${to - from >= 0 ? '+' : ''}${(to - from).toFixed(1)}`;
  };
  for (const row of rows) {
    lines.push(`| ${row.side} | ${row.step} | ${[...contenders.map((c) => cell(row, c)), ...pairs.map((pair) => delta(row, pair))].join(' | ')} |`);
  }
  return lines.join('\n');
}

export function callsChart(results: CallResults): string {
  const metric = (label: string, key: 'connectedBothMs' | 'frameSecondPageMs' | 'frameCallerMs') => ({
    label,
    bars: results.summary.map((row) => ({ series: CALL_CONTENDER_LABELS[row.contender], value: row[key], text: `${Math.round(row[key])}` })),
  });
  return renderBarChart({
    title: 'Call set-up in headless Chromium (median ms from "call", lower is better)',
    subtitle: `${results.settings.calls} calls per contender, iceServers: [], fake camera + microphone`,
    yLabel: 'ms',
    colors: colorsBy(CALL_CONTENDER_LABELS),
    groups: [metric('connected (both sides)', 'connectedBothMs'), metric('first frame (2nd page)', 'frameSecondPageMs'), metric('first frame (caller)', 'frameCallerMs')],
  });
}

export function throughputTable(results: ThroughputResults & Stamped): string {
  const s = results.settings;
  const { ratio: r } = results;
  const lines = [
    machineLine(results),
    '',
    `Chromium ${s.chromium}; ${s.bytes / 1024 / 1024} MiB per transfer in 64 KiB chunks; ${s.rounds} rounds × ${s.transfersPerRound} transfers per contender ` +
      `(contender order rotated per round, sending page alternating), after ${s.warmupTransfers} unmeasured warm-up transfers each. ` +
      'MB/s = 10⁶ bytes per second, from the sender\'s first send to the receiver\'s last chunk.',
    '',
    '| contender | transfers (failed) | MB/s, median | min–max | first chunk, ms (median) |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const row of results.summary) {
    lines.push(
      `| ${THROUGHPUT_CONTENDER_LABELS[row.contender]} | ${row.transfers} (${row.failed}) | ${num(row.mbPerSecond)} | ${num(row.minMbPerSecond)}–${num(row.maxMbPerSecond)} | ${num(row.firstChunkMs)} |`,
    );
  }
  lines.push(
    '',
    `Peerchart ÷ raw, median of the per-round ratios: **${ratio(r.median)}**${intervalText(r.interval)} (95 % bootstrap interval; ` +
      `min–max ${ratio(r.min)}–${ratio(r.max)}; per round: ${r.perRound.map((value) => value.toFixed(2)).join(', ')}).`,
  );
  return lines.join('\n');
}

export function sizeTable(results: SizeResults & Stamped): string {
  const lines = [
    machineLine(results),
    '',
    `esbuild, browser ESM, minified; gzip level 9. Core's budget, enforced by size-limit in \`npm test\` (tools/.size-limit.json): ${kb(results.budgetBytes)}.`,
    '',
    '| bundle | imports | minified | min + gzip |',
    '|---|---|---:|---:|',
  ];
  for (const entry of results.entries) lines.push(`| ${entry.label} | \`${entry.imports}\` | ${kb(entry.minifiedBytes)} | ${kb(entry.gzipBytes)} |`);
  return lines.join('\n');
}

export function sizeChart(results: SizeResults): string {
  return renderBarChart({
    title: 'Browser bundle, minified + gzipped (KB, lower is better)',
    subtitle: `esbuild ESM, gzip -9; dashed: core's budget (${kb(results.budgetBytes)})`,
    yLabel: 'KB',
    colors: colorsBy(Object.fromEntries(results.entries.map((entry) => [entry.id, entry.label]))),
    groups: [
      {
        label: 'min + gzip',
        bars: results.entries.map((entry) => ({ series: entry.label, value: entry.gzipBytes / 1024, text: (entry.gzipBytes / 1024).toFixed(1) })),
      },
    ],
    reference: { value: results.budgetBytes / 1024, label: `core budget ${kb(results.budgetBytes)}` },
  });
}

/** Issue #5's targets (and issue 11's data API throughput) against the latest results, one row each, computed (never hand-edited). */
export function targetsTable(relay?: RelayResults, calls?: CallResults, size?: SizeResults, throughput?: ThroughputResults): string {
  const rows: string[] = ['| target | measured | met? |', '|---|---:|:---:|'];
  const add = (target: string, value: number | undefined, shown: string, met: (value: number) => boolean) => {
    const known = value !== undefined && Number.isFinite(value);
    rows.push(`| ${target} | ${known ? shown : 'not measured'} | ${known ? (met(value) ? 'yes' : '**no**') : '–'} |`);
  };
  const peerchartRow = (pairs: number, window: number) =>
    relay?.summary.configs.find((c) => c.pairs === pairs && c.window === window)?.rows.find((r) => r.contender === 'peerchart');
  const w1 = peerchartRow(50, 1);
  const w32 = peerchartRow(500, 32);
  // Retired (issue 5's open questions, decided): at window 1 a client waits for each round trip, so this measures
  // latency, not throughput. Still shown, never judged.
  const w1Throughput = w1?.throughputRatio;
  rows.push(`| Relay throughput, P=50 W=1 (retired as a target: at window 1 it measures round trips) | ${w1Throughput !== undefined && Number.isFinite(w1Throughput) ? ratio(w1Throughput) : 'not measured'} | – |`);
  add('Relay throughput, P=500 W=32: ≥ 0.90× bare', w32?.throughputRatio, ratio(w32?.throughputRatio ?? Number.NaN), (v) => v >= 0.9);
  add('Relay p99 latency, P=50 W=1: ≤ 1.10× bare', w1?.p99Ratio, ratio(w1?.p99Ratio ?? Number.NaN), (v) => v <= 1.1);
  const idle = relay?.summary.idle.find((r) => r.contender === 'peerchart');
  add('RSS per idle connection: ≤ 1.10× bare', idle?.ratio, ratio(idle?.ratio ?? Number.NaN), (v) => v <= 1.1);
  // Issue 10's call set-up targets: Peerchart ÷ the baseline, ratio of medians (95 % bootstrap interval when recorded).
  const callTargets = [
    { metric: 'connectedBothMs', label: 'Connected, both sides', rawLimit: 1.15 },
    { metric: 'frameSecondPageMs', label: 'First remote frame', rawLimit: 1.05 },
  ] as const;
  for (const { metric, label, rawLimit } of callTargets) {
    const call = (id: string) => calls?.summary.find((r) => r.contender === id)?.[metric];
    const pc = call('peerchart');
    for (const [baseline, limit] of [['raw', rawLimit], ['simple-peer', 1], ['peerjs', 1]] as const) {
      const value = pc !== undefined ? pc / (call(baseline) ?? Number.NaN) : undefined;
      const bounds = calls?.versus?.find((row) => row.baseline === baseline)?.[metric === 'connectedBothMs' ? 'connectedRatioInterval' : 'frameSecondPageRatioInterval'];
      const target = baseline === 'raw' ? `≤ ${limit.toFixed(2)}× raw` : `no slower than ${CALL_CONTENDER_LABELS[baseline].split(' ')[0]}`;
      add(`${label}: ${target}`, value, `${ratio(value ?? Number.NaN)}${intervalText(bounds)}`, (v) => v <= limit);
    }
    // Not a target: against raw with the same negotiated data channel in the first offer (decided for issue 5),
    // what is Peerchart's own, apart from what that channel costs any library.
    const withChannel = call('raw-channel');
    if (pc !== undefined && withChannel !== undefined) {
      const bounds = calls?.versus?.find((row) => row.baseline === 'raw-channel')?.[metric === 'connectedBothMs' ? 'connectedRatioInterval' : 'frameSecondPageRatioInterval'];
      rows.push(`| ${label} ÷ raw with the same data channel (not a target: Peerchart's own share) | ${ratio(pc / withChannel)}${intervalText(bounds)} | – |`);
    }
  }
  const data = throughput?.ratio;
  add('Data API throughput: ≥ 0.90× raw RTCDataChannel', data?.median, `${ratio(data?.median ?? Number.NaN)}${intervalText(data?.interval)}`, (v) => v >= 0.9);
  const core = size?.entries.find((entry) => entry.id === 'peerchart');
  const budget = size?.budgetBytes ?? Number.NaN;
  add(`@peerchart/core min + gzip: ≤ ${size ? kb(budget) : 'its budget'}`, core?.gzipBytes, kb(core?.gzipBytes ?? Number.NaN), (v) => v <= budget);
  return rows.join('\n');
}

/** Replaces each `<!-- bench:NAME -->…<!-- /bench:NAME -->` section of `doc` whose NAME is in `sections`. */
export function replaceSections(doc: string, sections: Record<string, string>): string {
  let out = doc;
  for (const [name, body] of Object.entries(sections)) {
    const start = `<!-- bench:${name} -->`;
    const end = `<!-- /bench:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/performance.md lacks the ${start} … ${end} markers`);
    out = `${out.slice(0, from + start.length)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}
