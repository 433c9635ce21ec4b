/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by package,
 * so docs/performance.md can say where a server's time goes. Usage: tsx profile-summary.ts file [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  /** Monotonic clock, µs (the clock of `process.hrtime`). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** µs → ms with 0.1 ms resolution. */
const toMs = (micros: number) => Math.round(micros / 100) / 10;

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  byFunction: { name: string; ms: number; pct: number }[];
  byPackage: { name: string; ms: number; pct: number }[];
}

function packageOf(url: string): string {
  if (!url) return 'native/V8';
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const match = /packages\/([^/]+)\//.exec(url);
  return match ? `@peerchart/${match[1]}` : url.split('/').slice(-2).join('/');
}

/** `window`: only samples taken between these monotonic µs (e.g. the measured window of a run). */
export function summarizeProfile(profile: CpuProfile, top = 20, window?: readonly [number, number]): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window[0] || at > window[1])) return;
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += micros;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const file = frame.url.split('/').slice(-1)[0] ?? '';
    const where = file ? ` ${file}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where} [${packageOf(frame.url)}]`;
    fn.set(name, (fn.get(name) ?? 0) + micros);
    pkg.set(packageOf(frame.url), (pkg.get(packageOf(frame.url)) ?? 0) + micros);
  }
  const busy = total - idle;
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: toMs(micros), pct: Math.round((1000 * micros) / busy) / 10 }));
  return { totalMs: toMs(total), idleMs: toMs(idle), byFunction: rank(fn), byPackage: rank(pkg) };
}

if (process.argv[1]?.endsWith('profile-summary.ts') && process.argv[2]) {
  const summary = summarizeProfile(JSON.parse(readFileSync(process.argv[2], 'utf8')) as CpuProfile, Number(process.argv[3] ?? 25));
  console.log(`total ${summary.totalMs} ms, idle ${summary.idleMs} ms (percentages are of busy time)`);
  console.log('\nby package:');
  for (const row of summary.byPackage) console.log(`  ${String(row.pct).padStart(5)}%  ${row.name}`);
  console.log('\nby function (self time):');
  for (const row of summary.byFunction) console.log(`  ${String(row.pct).padStart(5)}%  ${row.name}`);
}
