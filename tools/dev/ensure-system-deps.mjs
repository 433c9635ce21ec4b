#!/usr/bin/env node
/**
 * What `npm test` needs beyond node_modules: a Chromium for the browser tests (playwright-core
 * drives a system Chromium; it never downloads one). Installs Debian's `chromium` when it can
 * (root + apt-get), otherwise says exactly what to do and exits 1.
 */
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { existsSync } from 'node:fs';
import process from 'node:process';

const explicitPath = process.env.CHROMIUM_PATH;
const chromium = explicitPath ?? '/usr/bin/chromium';

/** The binary exists and answers `--version`. */
function works(path) {
  if (!existsSync(path)) return false;
  const result = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0 && /chrom/i.test(result.stdout);
}

function fail(lines) {
  console.error(['', 'Browser tests need Chromium, which is missing.', ...lines, ''].join('\n'));
  process.exit(1);
}

if (works(chromium)) process.exit(0);

if (explicitPath) {
  fail([`CHROMIUM_PATH=${explicitPath} is not a working Chromium/Chrome binary.`, 'Point CHROMIUM_PATH at one, or unset it to use /usr/bin/chromium.']);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (isRoot && hasApt) {
  console.log('Chromium not found at /usr/bin/chromium: installing Debian\'s "chromium" package with apt-get…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) fail([`"apt-get ${args.join(' ')}" failed (exit ${result.status}).`]);
  }
  if (works(chromium)) process.exit(0);
  fail(['apt-get installed "chromium", but /usr/bin/chromium still does not run.']);
}

fail([
  'Install it, then run npm test again:',
  '  Debian:         sudo apt-get update && sudo apt-get install -y chromium',
  '  Ubuntu/other:   install Chromium or Chrome, then export CHROMIUM_PATH=/path/to/chromium (or google-chrome)',
  '  macOS:          export CHROMIUM_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"',
]);
