/**
 * Commands the lab runs as root: `ip`, `iptables`, `sysctl`, either in the host's namespace or inside one of
 * the lab's (`ip netns exec`). Every failure names the command and its stderr.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs a command and returns its stdout; throws with the command line and stderr when it fails. */
export async function run(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`netlab: \`${[command, ...args].join(' ')}\` failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}

/** Runs a command inside namespace `ns`. */
export function inNs(ns: string, command: string, args: readonly string[]): Promise<string> {
  return run('ip', ['netns', 'exec', ns, command, ...args]);
}

/** The argv that runs `command` inside namespace `ns` (for long-running processes). */
export function nsArgv(ns: string, command: string, args: readonly string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', ns, command, ...args]];
}

export interface LabProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout + stderr), capped to the last 64 KiB. */
  output(): string;
  /** Resolves once the output matches `pattern`; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and waits for the process to exit (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * Starts a long-running process inside `ns`. `ip netns exec` execs the command, so the child's pid is the
 * command's own pid and signals reach it directly.
 */
export function startInNs(ns: string, name: string, command: string, args: readonly string[], cwd?: string): LabProcess {
  const [file, argv] = nsArgv(ns, command, args);
  const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-65_536);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  return {
    name,
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(output)) done();
        };
        const onExit = () => done(new Error(`netlab: ${name} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output}`));
        const timer = setTimeout(() => done(new Error(`netlab: ${name} did not print ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 3_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Synchronous teardown for `process.on('exit')`: kills whatever still runs in `ns`, then deletes it. */
export function destroyNsSync(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout?.split(/\s+/).filter(Boolean) ?? [];
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', ns]);
}
