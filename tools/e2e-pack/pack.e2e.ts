/**
 * The published packages as a stranger meets them: `npm pack` each one, install the tarballs with
 * plain npm into fresh apps in a temporary folder outside the workspace (no workspace links), build a
 * Vite React app and a Vite Vue app, start the server from its tarball (`npx peerchart-signal`,
 * serving both builds), and call from one app to the other in Chromium.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_BASE_FLAGS, CHROMIUM_PATH, FAKE_MEDIA_UI_FLAG } from '../dev/chromium.js';
import { reactApp, vueApp, type AppFiles } from './apps.js';

const run = promisify(execFile);
const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The packages a release publishes: every workspace package under packages/ that is not private. */
const PUBLISHED = readdirSync(join(workspaceRoot, 'packages'))
  .map((name) => `packages/${name}`)
  .filter((dir) => existsSync(join(workspaceRoot, dir, 'package.json')) && !(readPackage(join(workspaceRoot, dir)) as { private?: boolean }).private);

/**
 * The environment of a user's shell: none of the `npm_*` variables the workspace's own `npm test`
 * sets (they would point npm at the workspace), and no workspace `node_modules/.bin` on PATH, so
 * `npx peerchart-signal` can only find the installed tarball.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE_OPTIONS') env[key] = value;
  }
  // Only the workspace's own bin folders go (a Node installed under some node_modules, as CI's Node 24, stays).
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !resolve(entry).startsWith(`${workspaceRoot}/`))
    .join(delimiter);
  env.npm_config_update_notifier = 'false';
  return env;
}

async function sh(cwd: string, command: string, args: string[], timeoutMs = 240_000): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env: userEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`.slice(0, 8_000), { cause: error });
  }
}

/** The version the workspace installed, so the fresh apps build with exactly what the repo tests. */
const workspaceVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(workspaceRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

interface Tarball {
  name: string;
  version: string;
  file: string;
  files: string[];
}

const temp = mkdtempSync(join(tmpdir(), 'peerchart-pack-'));
const tarballs = new Map<string, Tarball>();
let server: ChildProcess | undefined;
let origin = '';
let browser: Browser | undefined;

/** package.json of a fresh app: the tarballs by path (as `npm install ./x.tgz` writes them), the rest pinned. */
function writeApp(dir: string, name: string, app: Pick<AppFiles, 'dependencies' | 'devDependencies'> & Partial<AppFiles>) {
  const spec = (dep: string) => {
    const tarball = tarballs.get(dep);
    return tarball ? `file:${relative(dir, tarball.file)}` : workspaceVersion(dep);
  };
  const pkg = {
    name,
    private: true,
    type: 'module',
    scripts: { build: 'vite build' },
    dependencies: Object.fromEntries(app.dependencies.map((dep) => [dep, spec(dep)])),
    devDependencies: Object.fromEntries(app.devDependencies.map((dep) => [dep, spec(dep)])),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const [path, content] of Object.entries(app.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

const install = (dir: string) => sh(dir, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);

async function startServerFromTarball(dir: string, reactDist: string, vueDist: string): Promise<string> {
  const child = spawn(
    'npx',
    ['--no-install', 'peerchart-signal', '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', '--static', `/react/=${reactDist}`, '--static', `/vue/=${vueDist}`],
    { cwd: dir, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  server = child;
  let output = '';
  return new Promise<string>((resolveOrigin, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolveOrigin(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`peerchart-signal exited (${code}) before listening:\n${output}`)));
  });
}

/** Stops the server (npx and the node process under it: one process group) and waits for it. */
async function stopServer() {
  const child = server;
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}

beforeAll(async () => {
  try {
    // 1. Pack, as a release would (prepack builds each package).
    const packDir = join(temp, 'tarballs');
    mkdirSync(packDir);
    const packed = await sh(workspaceRoot, 'npm', ['pack', '--json', '--pack-destination', packDir, ...PUBLISHED.flatMap((dir) => ['-w', dir])], 300_000);
    const reports = JSON.parse(packed.slice(packed.indexOf('[\n'))) as { name: string; version: string; filename: string; files: { path: string }[] }[];
    for (const report of reports) {
      tarballs.set(report.name, { name: report.name, version: report.version, file: join(packDir, report.filename), files: report.files.map((f) => f.path) });
    }

    // 2. Two fresh apps and a server folder, each installed from the tarballs with plain npm.
    const reactDir = join(temp, 'react-app');
    const vueDir = join(temp, 'vue-app');
    const serverDir = join(temp, 'server');
    writeApp(reactDir, 'peerchart-react-app', reactApp);
    writeApp(vueDir, 'peerchart-vue-app', vueApp);
    writeApp(serverDir, 'peerchart-server', { dependencies: ['@peerchart/signaling-server', '@peerchart/core'], devDependencies: [] });
    for (const dir of [reactDir, vueDir, serverDir]) await install(dir);

    // 3. Type-check the React app against the tarball's declarations, then build both apps.
    await sh(reactDir, 'npx', ['--no-install', 'tsc', '-p', '.']);
    await sh(reactDir, 'npm', ['run', 'build']);
    await sh(vueDir, 'npm', ['run', 'build']);

    // 4. The server from its tarball, serving both builds.
    origin = await startServerFromTarball(serverDir, join(reactDir, 'dist'), join(vueDir, 'dist'));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_BASE_FLAGS, FAKE_MEDIA_UI_FLAG] });
  } catch (error) {
    await cleanUp();
    throw error;
  }
});

async function cleanUp() {
  await browser?.close();
  browser = undefined;
  await stopServer();
  rmSync(temp, { recursive: true, force: true });
}

afterAll(cleanUp);

/** Polls `probe` until it returns a truthy value; fails after `timeoutMs` with the last value seen. */
async function until<T>(what: string, probe: () => Promise<T | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Frames the remote <video> presented, read from requestVideoFrameCallback (0 while no frame comes
 * within a second), and its decoded width.
 */
function remoteFrames(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ frames: number; width: number }>((resolveFrames) => {
        const video = document.querySelector<HTMLVideoElement>('video[data-peer]');
        if (!video) return resolveFrames({ frames: 0, width: 0 });
        const timer = setTimeout(() => resolveFrames({ frames: 0, width: video.videoWidth }), 1_000);
        video.requestVideoFrameCallback((_now, metadata) => {
          clearTimeout(timer);
          resolveFrames({ frames: metadata.presentedFrames, width: video.videoWidth });
        });
      }),
  );
}

const dataLines = (page: Page) => page.locator('#data li').allTextContents();

/** Types `text` and sends it as the data message `{ from, text }` (`#send-data`). */
async function say(page: Page, text: string) {
  await page.fill('#message', text);
  await page.click('#send-data');
}

describe('the packages, installed from their tarballs', () => {
  it('each tarball holds the license, built code with types, resolvable source maps, and no build info', () => {
    const license = readFileSync(join(workspaceRoot, 'LICENSE'), 'utf8');
    expect([...tarballs.keys()].sort()).toEqual(['@peerchart/core', '@peerchart/react', '@peerchart/signaling-server', '@peerchart/vue']);
    for (const tarball of tarballs.values()) {
      const unpacked = join(temp, 'unpacked', tarball.name);
      mkdirSync(unpacked, { recursive: true });
      untar(tarball.file, unpacked);
      const root = join(unpacked, 'package');
      expect(readFileSync(join(root, 'LICENSE'), 'utf8'), `${tarball.name} LICENSE`).toBe(license);
      expect(tarball.files.filter((path) => path.endsWith('.tsbuildinfo')), tarball.name).toEqual([]);
      expect(tarball.files.filter((path) => /(^|\/)(test-support\/|[^/]*\.test\.ts$)/.test(path)), tarball.name).toEqual([]);
      const pkg = readPackage(root);
      expect(pkg).toMatchObject({ license: 'MIT', repository: { directory: expect.any(String) } });
      // Every code entry point names its types, and both exist.
      for (const [entry, target] of Object.entries(pkg.exports)) {
        if (typeof target === 'string') {
          expect(existsSync(join(root, target)), `${tarball.name} ${entry}`).toBe(true);
          continue;
        }
        expect(Object.keys(target)[0], `${tarball.name} ${entry}: types first`).toBe('types');
        for (const file of Object.values(target)) expect(existsSync(join(root, file)), `${tarball.name} ${entry} → ${file}`).toBe(true);
      }
      // The README links only to what the tarball holds, or to the repository by absolute URL.
      const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
      const readme = existsSync(join(root, 'README.md')) ? readFileSync(join(root, 'README.md'), 'utf8') : '';
      for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (target!.startsWith('#')) continue;
        if (/^https?:/.test(target!)) {
          if (target!.includes('github.com')) expect(target!.startsWith(`${repository}/`), `${tarball.name} README → ${target}`).toBe(true);
          continue;
        }
        expect(existsSync(join(root, target!.split('#')[0]!)), `${tarball.name} README → ${target}`).toBe(true);
      }
      // Every source map (code and declarations) points at sources inside the tarball.
      const maps = tarball.files.filter((path) => path.endsWith('.map'));
      expect(maps.length, tarball.name).toBeGreaterThan(0);
      for (const map of maps) {
        const { sources, sourceRoot = '' } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
        for (const source of sources) {
          const path = resolve(dirname(join(root, map)), sourceRoot, source);
          expect(existsSync(path) && statSync(path).isFile(), `${tarball.name} ${map} → ${source}`).toBe(true);
        }
      }
    }
  });

  it('a Vite React app calls a Vite Vue app through the server started from its tarball: video and a data message both ways', async () => {
    const room = `pack-${Date.now().toString(36)}`;
    const open = async (app: 'react' | 'vue', name: string) => {
      const context = await browser!.newContext({ permissions: ['camera', 'microphone'] });
      const page = await context.newPage();
      await page.goto(`${origin}/${app}/?room=${room}&name=${name}`);
      return page;
    };
    const react = await open('react', 'Rea');
    const vue = await open('vue', 'Vue');

    for (const page of [react, vue]) {
      await until('joined', async () => (await page.textContent('#status')) === 'joined');
      const shown = await until('remote video frames', async () => {
        const probe = await remoteFrames(page);
        return probe.frames > 0 && probe.width > 0 && probe;
      });
      expect(shown.frames).toBeGreaterThan(0);
    }

    // A data message round-trips through the data API: DATA.SEND on one side, useRoomData on the other.
    await say(react, 'data from React');
    await until('Vue gets React\'s data message', async () => (await dataLines(vue)).length > 0);
    await say(vue, 'data from Vue');
    await until('React gets Vue\'s data message', async () => (await dataLines(react)).length > 0);
    // Each side hears the other only (data is not echoed to its sender), the JSON value as sent.
    expect(await dataLines(vue)).toEqual(['{"from":"Rea","text":"data from React"}']);
    expect(await dataLines(react)).toEqual(['{"from":"Vue","text":"data from Vue"}']);
  });
});

interface PackageJson {
  name: string;
  repository: { url: string };
  exports: Record<string, string | Record<string, string>>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

function untar(file: string, into: string) {
  const { status, stderr } = spawnSync('tar', ['-xzf', file, '-C', into], { encoding: 'utf8' });
  if (status !== 0) throw new Error(`tar failed: ${stderr}`);
  expect(readdirSync(into)).toEqual(['package']);
}
