#!/usr/bin/env node
/**
 * What `npm test` needs beyond node_modules, from Debian's packages: Chromium for the browser tests
 * (playwright-core drives a system Chromium; it never downloads one), coturn and iptables for the
 * network lab, redis-server and nginx for the scale-out tests. The tests start each of them
 * themselves (nothing runs as a service). Installs whatever is missing when it can (root + apt-get),
 * otherwise says exactly what to do and exits 1.
 */
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { existsSync } from 'node:fs';
import process from 'node:process';

const explicitChromium = process.env.CHROMIUM_PATH;

/** Debian package → the binary the tests run, and how to tell it works. */
const NEEDS = [
  { pkg: 'chromium', bin: explicitChromium ?? '/usr/bin/chromium', args: ['--version'], expect: /chrom/i, why: 'browser tests' },
  { pkg: 'coturn', bin: '/usr/bin/turnserver', args: ['--version'], expect: /\d+\.\d+/, why: 'TURN in the network lab' },
  { pkg: 'iptables', bin: '/usr/sbin/iptables', args: ['--version'], expect: /iptables/, why: 'NAT in the network lab' },
  { pkg: 'redis-server', bin: process.env.PEERCHART_REDIS_SERVER ?? '/usr/bin/redis-server', args: ['--version'], expect: /Redis server/i, why: 'scale-out tests' },
  { pkg: 'nginx', bin: process.env.PEERCHART_NGINX ?? '/usr/sbin/nginx', args: ['-v'], expect: /nginx/, why: 'load-balancer tests' },
];

/** The binary exists and answers its version flag. */
function works({ bin, args, expect }) {
  if (!existsSync(bin)) return false;
  const result = spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0 && expect.test(`${result.stdout}${result.stderr}`);
}

function fail(lines) {
  console.error(['', ...lines, ''].join('\n'));
  process.exit(1);
}

let missing = NEEDS.filter((need) => !works(need));
if (missing.length === 0) process.exit(0);

if (explicitChromium && missing.some((need) => need.pkg === 'chromium')) {
  fail([`CHROMIUM_PATH=${explicitChromium} is not a working Chromium/Chrome binary.`, 'Point CHROMIUM_PATH at one, or unset it to use /usr/bin/chromium.']);
}

const packages = missing.map((need) => need.pkg);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && existsSync('/usr/bin/apt-get')) {
  console.log(`Missing: ${missing.map((need) => `${need.pkg} (${need.why})`).join(', ')}. Installing with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) fail([`"apt-get ${args.join(' ')}" failed (exit ${result.status}).`]);
  }
  missing = missing.filter((need) => !works(need));
  if (missing.length === 0) process.exit(0);
  fail([`apt-get installed ${packages.join(', ')}, but these still do not run: ${missing.map((need) => need.bin).join(', ')}.`]);
}

fail([
  `npm test needs these system packages, which are missing: ${missing.map((need) => `${need.pkg} (${need.why})`).join(', ')}.`,
  'Install them, then run npm test again:',
  `  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`,
  '  Chromium elsewhere: export CHROMIUM_PATH=/path/to/chromium (or google-chrome)',
  'The network lab also needs root (network namespaces and iptables).',
]);
