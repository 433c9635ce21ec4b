/** The `net` section of docs/performance.md, from bench/results/net.json. */
import type { NetResults } from './run.js';

const ms = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : `${Math.round(v)} ms`);

export function netTables(results: NetResults & { quick?: boolean; generatedAt?: string }): string {
  const ff = results.firstFrame;
  const rows = (['loopback', 'direct', 'turn'] as const).map((s) => {
    const label = { loopback: 'loopback (two pages on the public host)', direct: 'direct (cone NAT home ↔ public host)', turn: 'TURN relay (symmetric ↔ symmetric)' }[s];
    const r = ff[s];
    return `| ${label} | ${r.calls - r.failed}/${r.calls} | ${ms(r.fromPcMs)} | ${r.ratioToLoopback}× (${r.ratioSpread[0]}–${r.ratioSpread[1]}) | ${ms(r.secondPageMs)} | ${ms(r.bothMs)} |`;
  });
  const gapRows = (['path-failure', 'path-change'] as const).flatMap((fault) =>
    (['peerchart', 'raw'] as const).map((c) => {
      const g = results.gap[fault][c];
      const what = fault === 'path-failure' ? `uplink cut ${results.settings.outageMs / 1000} s, from restore` : 'NAT public address changed, from the change';
      const who = c === 'peerchart' ? 'Peerchart' : 'raw RTCPeerConnection (no ICE restart)';
      return `| ${what} | ${who} | ${g.recovered}/${g.runs} | ${ms(g.medianMs)} | ${ms(g.minMs)}–${ms(g.maxMs)} |`;
    }),
  );
  const ratio = (f: 'path-failure' | 'path-change') => (results.gapRatio[f] === null ? '–' : `${results.gapRatio[f]}×`);
  return [
    `Measured ${results.generatedAt ?? ''}${results.quick ? ' (quick run: fewer calls, indicative only)' : ''} with \`npm run bench -- net\` in the network lab (docs/networking.md).`,
    '',
    `First remote frame, Peerchart demo pages (Vue joins first, React second), ${results.settings.calls} calls per path, paths rotated per round:`,
    '',
    '| path | calls with video | second page: its RTCPeerConnection → first remote frame (median) | vs loopback (median of per-round ratios, min–max) | second page: navigation → first remote frame | navigation → a frame on both pages |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Media gap, cone NAT home ↔ public host, ${results.settings.gapRuns} runs per contender, contenders alternated; "not recovered" = no frame within ${results.settings.giveUpMs / 1000} s:`,
    '',
    '| fault | contender | recovered | gap until frames on both pages (median) | min–max |',
    '|---|---|---|---|---|',
    ...gapRows,
    '',
    `Peerchart's median gap over the raw page's: path failure ${ratio('path-failure')}, path change ${ratio('path-change')}.`,
  ].join('\n');
}
