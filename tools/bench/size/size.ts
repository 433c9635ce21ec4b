/**
 * Bundle size as an app ships it: each library's import, bundled for the browser by esbuild,
 * minified, then gzipped (level 9). simple-peer is measured as its own browser build
 * (simplepeer.min.js), because its npm entry needs Node polyfills that a plain esbuild build lacks.
 * This is the benchmark's comparison; the CI check is size-limit (`nx run @peerchart/tools:size`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { packageDir } from '../lib/proc.js';
import { TOOLS_DIR } from '../relay/servers.js';

/** One size-limit check, as `tools/.size-limit.json` declares it. */
interface SizeLimitCheck {
  name: string;
  limit: string;
}

/**
 * Core's budget in bytes: the limit `npm test` enforces with size-limit (tools/.size-limit.json, the one
 * place it is set), so the report shows the same figure. The file writes it in KiB (the "KB" of these docs).
 */
export function coreBudgetBytes(): number {
  const checks = JSON.parse(readFileSync(join(TOOLS_DIR, '.size-limit.json'), 'utf8')) as SizeLimitCheck[];
  const core = checks.find((check) => check.name.startsWith('@peerchart/core'));
  const kib = /^([\d.]+) KiB$/.exec(core?.limit ?? '');
  if (!kib?.[1]) throw new Error('tools/.size-limit.json: no "@peerchart/core" check with a limit in KiB');
  return Math.round(Number(kib[1]) * 1024);
}

export interface SizeEntry {
  id: string;
  label: string;
  /** What the measured bundle imports. */
  imports: string;
  minifiedBytes: number;
  gzipBytes: number;
}

interface BundledContender {
  id: string;
  label: string;
  /** The import an app writes. */
  imports: string;
  /** An ES module re-exporting what the app imports, so tree-shaking keeps exactly that. */
  entry: string;
}

const CORE_ENTRY = "export { createRoom, selectRoomView } from '@peerchart/core';";

const BUNDLED: BundledContender[] = [
  {
    id: 'peerchart',
    label: '@peerchart/core (incl. XState, valibot)',
    imports: "import { createRoom, selectRoomView } from '@peerchart/core'",
    entry: CORE_ENTRY,
  },
  { id: 'xstate', label: 'XState alone', imports: "import { createActor, setup } from 'xstate'", entry: "export { createActor, setup } from 'xstate';" },
  { id: 'peerjs', label: 'PeerJS', imports: "import { Peer } from 'peerjs'", entry: "export { Peer } from 'peerjs';" },
];

/** Bundles an entry module for the browser the way an app's production build would. */
async function bundle(entry: string): Promise<Uint8Array> {
  const result = await build({
    stdin: { contents: entry, resolveDir: TOOLS_DIR, sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  return output.contents;
}

const gzip = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

export async function measureSizes(): Promise<{ benchmark: 'size'; budgetBytes: number; entries: SizeEntry[] }> {
  const entries: SizeEntry[] = [];
  for (const contender of BUNDLED) {
    const bytes = await bundle(contender.entry);
    entries.push({ id: contender.id, label: contender.label, imports: contender.imports, minifiedBytes: bytes.length, gzipBytes: gzip(bytes) });
  }
  const simplePeer = readFileSync(join(packageDir('simple-peer', TOOLS_DIR), 'simplepeer.min.js'));
  entries.push({
    id: 'simple-peer',
    label: 'simple-peer (its browser build)',
    imports: '<script src="simplepeer.min.js">',
    minifiedBytes: simplePeer.length,
    gzipBytes: gzip(simplePeer),
  });
  return { benchmark: 'size', budgetBytes: coreBudgetBytes(), entries };
}
