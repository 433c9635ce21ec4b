/**
 * Child processes for the benchmarks: spawn pinned to one core, wait until a port answers, read the
 * kernel's CPU and RSS figures, stop. Linux only (taskset, /proc) — the benchmarks say so up front.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer, connect } from 'node:net';
import { availableParallelism } from 'node:os';

export const LOOPBACK = '127.0.0.1';
/** Clock ticks per second of /proc/<pid>/stat's utime/stime (USER_HZ, 100 on every Linux we run on). */
const USER_HZ = 100;

export interface PinnedProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/** Spawns `command args` under `taskset -c <cores>` so that server and load generator never share a core. */
export function spawnPinned(
  cores: number | string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: 'pipe' | 'ignore'; stdout?: 'pipe' | 'ignore' | 'inherit' } = {},
): PinnedProcess {
  const child = spawn('taskset', ['-c', String(cores), command, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    // stdout 'ignore' by default: a chatty server (peerjs logs every connection) must not block on a full pipe.
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'inherit'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', () => resolve('spawn-error'));
  });
  return { child, pid: child.pid, exited };
}

/** Asks the kernel for a free loopback port (released right away; the race with other processes is acceptable here). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until something accepts TCP connections on the port, bounded by `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, LOOPBACK);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listened on ${LOOPBACK}:${port} within ${timeoutMs} ms`);
}

/** Directory of an installed package, found by walking up from `from` (works whatever its `exports` hide). */
export function packageDir(name: string, from: string): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package ${name} is not installed`);
    dir = parent;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** CPU seconds (user + system, all threads) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stop(proc: PinnedProcess, graceMs = 3_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** Machine facts quoted next to every result: figures from different machines are not comparable. */
export function machineInfo(): { nproc: number; cpuModel: string; node: string; platform: string } {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // Not Linux: leave the defaults; the relay benchmark refuses to run there anyway.
  }
  return { nproc: availableParallelism(), cpuModel, node: process.version, platform: `${process.platform}-${process.arch}` };
}
