import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@peerchart/core/protocol';
import { OPTIONS } from './config.js';
import { TestClient } from './test-support/harness.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [tsx, cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    void exited.then(() => reject(new Error(`exited early: ${stdout}`)));
  });
  url.catch(() => undefined); // runs that exit on purpose never print a URL
  return { child, url, exited, output: () => stdout };
}

describe('peerchart-signal', () => {
  it('prints help listing the options and exits 0', async () => {
    const { exited, output } = run(['--help']);
    expect(await exited).toBe(0);
    expect(output()).toContain('--connections-per-ip');
    expect(output()).toContain('PEERCHART_TICKET_SECRET');
  });

  // Every boolean, in the documented form `--flag true|false` (as a new user types it from --help).
  for (const spec of OPTIONS.filter((option) => option.kind === 'bool')) {
    it(`accepts --${spec.flag} true and --${spec.flag} false`, async () => {
      for (const value of ['true', 'false']) {
        const { exited, output } = run([`--${spec.flag}`, value, '--print-config']);
        expect(await exited, output()).toBe(0);
        expect((JSON.parse(output()) as Record<string, unknown>)[spec.flag]).toBe(value === 'true');
      }
    });
  }

  it('exits 2 on a bad flag', async () => {
    const { exited, output } = run(['--port', 'x']);
    expect(await exited).toBe(2);
    expect(output()).toContain('--port must be');
  });

  it('serves static dirs with SPA fallback, then shuts down on SIGTERM: 1001 to clients, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peerchart-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>vue shell</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    const { child, url, exited } = run(['--port', '0', '--log-level', 'warn', '--static', `/vue/=${dir}`]);
    const base = await url;
    expect(await (await fetch(`${base}/vue/`)).text()).toContain('vue shell');
    expect(await (await fetch(`${base}/vue/assets/app.js`)).text()).toBe('console.log(1)');
    const deep = await fetch(`${base}/vue/room/blue`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('vue shell');
    expect((await fetch(`${base}/vue/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);

    const client = await TestClient.greeted(`${base.replace('http', 'ws')}/ws`);
    await client.join('cli');
    child.kill('SIGTERM');
    expect((await client.closed).code).toBe(CLOSE_CODES.goingAway);
    expect(await exited).toBe(0);
  });
});
