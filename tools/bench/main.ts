/**
 * `npm run bench` — runs the benchmarks and refreshes the committed results and docs.
 *
 *   npm run bench                 relay + calls + throughput + size + net + scale, then the report
 *   npm run bench -- relay        one part (relay | calls | throughput | size | net | scale), then the report
 *                                 (net needs root, iptables and coturn: it builds the network lab, tools/netlab;
 *                                 scale needs redis-server)
 *   npm run bench -- report       only regenerate docs/performance.md and the SVG charts from bench/results/*.json
 *   add --quick                   short runs while developing (results are marked quick)
 *   add --no-profile              relay: skip the extra runs of the bare relay and Peerchart under node --cpu-prof
 *   add --steps                   calls: raw, raw + a channel and Peerchart (or --contenders), every handshake step
 *                                 timed on both pages (Peerchart's machine transitions through createRoom's inspect);
 *                                 prints the per-step medians and writes bench/results/calls-steps.json (calls.json is
 *                                 left alone)
 *   add --calls=N                 calls: N measured calls per contender instead of 20 (in 4 blocks)
 *   add --contenders=a,b          calls: only these (raw, raw-channel, peerchart, simple-peer, peerjs)
 *   add --mib=N                   throughput: N MiB per transfer instead of 16 (whole 64 KiB chunks, at most 16)
 *   add --rounds=N                throughput: N rounds instead of 32
 *
 * Parts can also be chosen with BENCH_PARTS=relay,size (handy when an npm/nx layer eats arguments).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALL_CONTENDER_IDS, CALL_CONTENDER_LABELS, DEFAULT_CALL_SETTINGS, runCalls, type CallContenderId, type CallResults } from './calls/run.js';
import { machineInfo } from './lib/proc.js';
import { callsChart, callsTable, callStepsTable, profileTables, relayChart, relayTables, replaceSections, sizeChart, sizeTable, targetsTable, throughputTable, type SizeResults, type Stamped } from './report/markdown.js';
import { DEFAULT_RELAY_SETTINGS, runRelay, type RelayResults } from './relay/run.js';
import { TOOLS_DIR } from './relay/servers.js';
import { measureSizes } from './size/size.js';
import { netTables } from './net/report.js';
import { DEFAULT_NET_SETTINGS, runNet, type NetResults } from './net/run.js';
import { DEFAULT_THROUGHPUT_SETTINGS, runThroughput, THROUGHPUT_CONTENDER_LABELS, type ThroughputResults } from './throughput/run.js';

const ROOT = join(TOOLS_DIR, '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const DOCS_DIR = join(ROOT, 'docs');
const PARTS = ['relay', 'calls', 'throughput', 'size', 'net', 'scale'] as const;
type Part = (typeof PARTS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = !args.includes('--no-profile');
const steps = args.includes('--steps');
const contendersArg = args.find((arg) => arg.startsWith('--contenders='))?.slice('--contenders='.length).split(',');
if (contendersArg?.some((id) => !CALL_CONTENDER_IDS.includes(id as CallContenderId))) {
  console.error(`--contenders takes a list of ${CALL_CONTENDER_IDS.join(', ')}`);
  process.exit(2);
}
/** `--name=N` as a positive whole number, undefined when absent; exits on anything else. */
function countArg(name: string): number | undefined {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return undefined;
  const value = Number(arg.slice(name.length + 3));
  if (Number.isInteger(value) && value > 0) return value;
  console.error(`--${name} wants a positive whole number, got ${arg}`);
  process.exit(2);
}
const callCount = countArg('calls');
const transferMiB = countArg('mib');
const throughputRounds = countArg('rounds');
if (transferMiB !== undefined && transferMiB > 16) {
  console.error('--mib: at most 16 (the data API queues at most 16 MiB per peer)');
  process.exit(2);
}
const named = [...args.filter((arg) => !arg.startsWith('--')), ...(process.env.BENCH_PARTS?.split(',') ?? [])].map((part) => part.trim()).filter(Boolean);
const unknown = named.filter((part) => part !== 'report' && !PARTS.includes(part as Part));
if (unknown.length > 0) {
  console.error(`unknown part(s): ${unknown.join(', ')}; expected ${PARTS.join(', ')} or report`);
  process.exit(2);
}
const parts: Part[] = named.length === 0 ? [...PARTS] : PARTS.filter((part) => named.includes(part));

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const stamp = (): Stamped => ({
  generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  machine: machineInfo(),
  command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}${process.env.BENCH_PARTS ? ` (BENCH_PARTS=${process.env.BENCH_PARTS})` : ''}`,
});
type ResultName = Part | 'calls-steps';
const resultPath = (part: ResultName) => join(RESULTS_DIR, `${part}.json`);
const save = (part: ResultName, data: object) => {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(resultPath(part), `${JSON.stringify({ ...stamp(), quick, ...data }, null, 2)}\n`);
  log(`wrote ${resultPath(part)}`);
};
const load = <T>(part: ResultName): (T & Stamped) | undefined =>
  existsSync(resultPath(part)) ? (JSON.parse(readFileSync(resultPath(part), 'utf8')) as T & Stamped) : undefined;

async function main() {
  if (process.platform !== 'linux') throw new Error('the benchmarks pin processes with taskset and read /proc: Linux only');
  const started = Date.now();
  for (const part of parts) {
    log(`${part}: starting${quick ? ' (quick)' : ''}`);
    if (part === 'relay') {
      const settings = quick
        ? { ...DEFAULT_RELAY_SETTINGS, repeats: 1, warmupMs: 500, durationMs: 1_500, idle: { ...DEFAULT_RELAY_SETTINGS.idle, repeats: 1, totalClients: 1_000 } }
        : DEFAULT_RELAY_SETTINGS;
      save('relay', await runRelay({ ...settings, profile: profile ? ['bare', 'peerchart'] : [] }, log));
    } else if (part === 'calls') {
      let settings = quick ? { ...DEFAULT_CALL_SETTINGS, calls: 4, rounds: 2 } : DEFAULT_CALL_SETTINGS;
      if (callCount !== undefined) settings = { ...settings, calls: callCount };
      if (steps) settings = { ...settings, steps: true, contenders: ['raw', 'raw-channel', 'peerchart'] };
      if (contendersArg) settings = { ...settings, contenders: contendersArg as CallContenderId[] };
      const results = await runCalls(settings, log);
      printCalls(results);
      save(steps ? 'calls-steps' : 'calls', results);
    } else if (part === 'throughput') {
      let settings = quick ? { ...DEFAULT_THROUGHPUT_SETTINGS, rounds: 2, warmupTransfers: 1 } : DEFAULT_THROUGHPUT_SETTINGS;
      if (transferMiB !== undefined) settings = { ...settings, bytes: transferMiB * 1024 * 1024 };
      if (throughputRounds !== undefined) settings = { ...settings, rounds: throughputRounds };
      const results = await runThroughput(settings, log);
      const { ratio } = results;
      for (const row of results.summary) log(`${THROUGHPUT_CONTENDER_LABELS[row.contender]}: ${row.mbPerSecond.toFixed(1)} MB/s median (${row.minMbPerSecond.toFixed(1)}–${row.maxMbPerSecond.toFixed(1)})`);
      log(
        `Peerchart ÷ raw: ${ratio.median.toFixed(2)}× median of per-round ratios (95 % ${ratio.interval[0].toFixed(2)}–${ratio.interval[1].toFixed(2)}, ` +
          `min–max ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
      );
      save('throughput', results);
    } else if (part === 'scale') {
      // Its own process: it starts redis-server and server instances pinned to core 0 (see cluster.ts).
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(TOOLS_DIR, 'bench', 'relay', 'cluster.ts'), ...(quick ? ['--quick'] : [])], {
        stdio: 'inherit',
      });
      if (run.status !== 0) throw new Error(`scale benchmark failed (exit ${run.status})`);
    } else if (part === 'net') {
      const settings = quick ? { ...DEFAULT_NET_SETTINGS, calls: 3, gapRuns: 2 } : DEFAULT_NET_SETTINGS;
      save('net', await runNet(settings, log));
    } else {
      save('size', await measureSizes());
    }
  }
  writeReport();
  log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** The headline medians with their bootstrap intervals, and (with --steps) the step table, on the console. */
function printCalls(results: CallResults) {
  const interval = ([low, high]: [number, number]) => `${low.toFixed(2)}–${high.toFixed(2)}`;
  for (const row of results.summary) {
    log(
      `${CALL_CONTENDER_LABELS[row.contender]}: connected both sides ${row.connectedBothMs.toFixed(1)} ms = ${row.connectedRatio.toFixed(2)}× raw (95 % ${interval(row.connectedRatioInterval)}), ` +
        `first frame 2nd page ${row.frameSecondPageMs.toFixed(1)} ms = ${row.frameSecondPageRatio.toFixed(2)}× raw (95 % ${interval(row.frameSecondPageRatioInterval)})`,
    );
  }
  for (const row of results.versus) {
    log(
      `Peerchart ÷ ${CALL_CONTENDER_LABELS[row.baseline]}: connected ${row.connectedRatio.toFixed(2)}× (95 % ${interval(row.connectedRatioInterval)}), ` +
        `first frame 2nd page ${row.frameSecondPageRatio.toFixed(2)}× (95 % ${interval(row.frameSecondPageRatioInterval)})`,
    );
  }
  if (results.stepSummary) console.log(`\n${callStepsTable(results)}\n`);
}

function writeReport() {
  const docPath = join(DOCS_DIR, 'performance.md');
  const sections: Record<string, string> = {};
  const relay = load<RelayResults>('relay');
  const calls = load<CallResults>('calls');
  const size = load<SizeResults>('size');
  const throughput = load<ThroughputResults>('throughput');
  if (throughput) sections.throughput = throughputTable(throughput);
  if (relay) {
    sections.relay = relayTables(relay);
    sections.profile = profileTables(relay);
    writeFileSync(join(DOCS_DIR, 'performance-relay.svg'), relayChart(relay));
  }
  if (calls) {
    sections.calls = callsTable(calls);
    writeFileSync(join(DOCS_DIR, 'performance-calls.svg'), callsChart(calls));
  }
  const callSteps = load<CallResults>('calls-steps');
  if (callSteps) sections['calls-steps'] = callStepsTable(callSteps);
  const net = load<NetResults>('net');
  if (net) sections.net = netTables(net);
  sections.targets = targetsTable(relay, calls, size, throughput);
  if (size) {
    sections.size = sizeTable(size);
    writeFileSync(join(DOCS_DIR, 'performance-size.svg'), sizeChart(size));
  }
  writeFileSync(docPath, replaceSections(readFileSync(docPath, 'utf8'), sections));
  log(`updated ${docPath} (${Object.keys(sections).join(', ') || 'nothing to update'})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
