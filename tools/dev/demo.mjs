#!/usr/bin/env node
/**
 * `npm start`: the whole demo with one command (after `npm ci`). Builds core, the bindings (each shell's
 * build builds its own first), both shells and the signaling server, then serves the Vue shell at /vue/,
 * the React shell at /react/ and the signaling WebSocket at /ws, all on one port (PORT, default 8080;
 * HOST, default 127.0.0.1).
 */
import { spawn, spawnSync } from 'node:child_process';
import console from 'node:console';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const port = process.env.PORT ?? '8080';
const host = process.env.HOST ?? '127.0.0.1';
const projects = ['@peerchart/core', '@peerchart/signaling-server', '@peerchart/web-vue', '@peerchart/web-react'];

const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...projects, '--outputStyle=stream'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('\nThe build failed; see above.');
  process.exit(build.status ?? 1);
}

const server = spawn(
  process.execPath,
  [
    join(root, 'packages/signaling-server/dist/cli.js'),
    '--host', host,
    '--port', port,
    '--log-level', process.env.LOG_LEVEL ?? 'warn',
    '--static', `/vue/=${join(root, 'packages/web-vue/dist')}`,
    '--static', `/react/=${join(root, 'packages/web-react/dist')}`,
  ],
  { cwd: root, stdio: 'inherit' },
);

// Cameras need a secure context: plain http works on localhost only.
const shown = host === '0.0.0.0' || host === '127.0.0.1' ? 'localhost' : host;
const base = `http://${shown}:${port}`;
const ready = async () => {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await globalThis.fetch(`${base}/health/ready`)).ok) return true;
    } catch {
      // not listening yet
    }
    await delay(100);
  }
  return false;
};
void ready().then((ok) => {
  if (!ok) return;
  console.log(
    [
      '',
      'Peerchart is running. Open these in two tabs (or two browsers) and allow camera and microphone:',
      `  Vue:    ${base}/vue/?room=demo&name=Ada`,
      `  React:  ${base}/react/?room=demo&name=Grace`,
      `Add &inspect to watch the statechart in the Stately inspector, &receiveOnly to join without media.`,
      'Ctrl+C stops the server.',
      '',
    ].join('\n'),
  );
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
