/**
 * How each contender's server is started: the command line on the server core, with every server on
 * loopback and a port chosen by the runner. Peerchart runs its real CLI with production defaults; the
 * only flags raised are the per-IP connection cap and the rate limit, because the whole load comes
 * from one IP and one generator client sends far more than any browser would.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDir } from '../lib/proc.js';
import type { ContenderId } from './clients.js';

const here = fileURLToPath(new URL('.', import.meta.url));
export const TOOLS_DIR = join(here, '..', '..');

export interface LaunchSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** Raised limits for Peerchart (everything else is its default): one IP opens up to 5,000+ sockets. */
export const PEERCHART_RAISED_FLAGS = ['--connections-per-ip', '20000', '--rate', '1000000', '--rate-burst', '1000000'];

export const CONTENDER_LABELS: Record<ContenderId, string> = {
  bare: 'bare ws relay',
  peerchart: 'Peerchart server',
  peerjs: 'peerjs-server (peer)',
  'y-webrtc': 'y-webrtc signaling',
};

export function launchSpec(contender: ContenderId, port: number): LaunchSpec {
  const node = process.execPath;
  switch (contender) {
    case 'bare':
      return { command: node, args: [join(here, 'bare-relay.mjs')], env: { PORT: String(port) } };
    case 'peerchart':
      return {
        command: node,
        args: [
          join(packageDir('@peerchart/signaling-server', TOOLS_DIR), 'dist', 'cli.js'),
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          ...PEERCHART_RAISED_FLAGS,
        ],
      };
    case 'peerjs':
      // concurrent_limit defaults to 5,000: exactly the idle test's client count.
      return { command: node, args: [join(packageDir('peer', TOOLS_DIR), 'dist', 'bin', 'peerjs.js'), '--host', '127.0.0.1', '--port', String(port)] };
    case 'y-webrtc':
      return {
        command: node,
        args: ['--import', join(here, 'loopback-only.mjs'), join(packageDir('y-webrtc', TOOLS_DIR), 'bin', 'server.js')],
        env: { PORT: String(port) },
      };
  }
}
