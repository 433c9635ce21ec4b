/**
 * Benchmark pages for Chromium: each page's TypeScript bundled for the browser with esbuild, and a
 * loopback HTTP server that serves the pages and their scripts from memory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'esbuild';
import { freePort, LOOPBACK } from './proc.js';

/** One browser ESM bundle of `entry` (minified unless a CPU profile wants the functions' names). */
export async function bundlePage(entry: string, { minify = true }: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The HTML of page `name`: its classic `scripts` first (a library's own browser build), then `/<name>.js` as a module. */
export function modulePage(name: string, scripts: readonly string[] = []): string {
  return (
    `<!doctype html><meta charset="utf-8"><title>${name}</title>` +
    scripts.map((src) => `<script src="${src}"></script>`).join('') +
    `<script type="module" src="/${name}.js"></script>`
  );
}

export interface PageServer {
  /** `http://127.0.0.1:<port>`: page `name` is at `${origin}/${name}.html`. */
  origin: string;
  close(): Promise<void>;
}

/** Serves `/<name>.html` for every entry of `pages` and every script of `scripts` (by path), on a free loopback port. */
export async function servePages(pages: Record<string, string>, scripts: Record<string, string>): Promise<PageServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    const script = scripts[path];
    const page = path.endsWith('.html') ? pages[path.slice(1, -5)] : undefined;
    if (script !== undefined) response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (page !== undefined) response.writeHead(200, { 'content-type': 'text/html' }).end(page);
    else response.writeHead(404).end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  return { origin: `http://${LOOPBACK}:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Starts Chromium's sampling profiler on a page; the returned function stops it and writes the profile to `file`. */
export async function startProfile(page: Page): Promise<(file: string) => Promise<void>> {
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 100 });
  await session.send('Profiler.start');
  return async (file) => {
    const { profile } = await session.send('Profiler.stop');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    await session.detach();
  };
}
