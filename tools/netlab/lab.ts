/**
 * The network lab: Linux network namespaces, veth pairs and iptables NAT on one machine, as issue 9 asks.
 *
 *   internet (203.0.113.0/24, a bridge):  .1 signaling server (its CLI, serving the built shells)
 *                                         .10 coturn (STUN + TURN, UDP and TCP, REST secret)
 *                                         .20 an optional public host (no NAT)
 *                                         .101, .102, … each NAT's public (uplink) address
 *   nat<i>:  uplink `wan` on the bridge, `lan` 10.<i>.0.1/24, iptables NAT of the kind asked for
 *   home<i>: `eth0` 10.<i>.0.2/24, default route via its NAT
 *
 * Nothing is routed out: no namespace has a route to the host, and the host has no route into the lab.
 * Names are unique per run (`pc<6 random chars><role>`), everything is deleted by `destroy()` and, should the
 * process die first, by an `exit` handler.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { turnserverConf } from './coturn-config.js';
import { destroyNsSync, inNs, run, startInNs, type LabProcess } from './run.js';
import { WORKSPACE_ROOT, shellDist } from './paths.js';

/**
 * - `cone`: plain MASQUERADE — endpoint-independent mapping (the port is kept for every destination); Linux
 *   conntrack still filters replies per remote address and port (a port-restricted cone).
 * - `symmetric`: MASQUERADE `--random-fully` — a new random port per destination (endpoint-dependent mapping).
 * - `udp-blocked`: cone NAT whose firewall drops every UDP packet from the home: only TURN over TCP gets out.
 */
export type NatKind = 'cone' | 'symmetric' | 'udp-blocked';

export const INTERNET_PREFIX = '203.0.113';
export const SERVER_IP = `${INTERNET_PREFIX}.1`;
export const TURN_IP = `${INTERNET_PREFIX}.10`;
export const PUBLIC_HOST_IP = `${INTERNET_PREFIX}.20`;
export const SERVER_PORT = 8080;
export const TURN_PORT = 3478;
export const ORIGIN = `http://${SERVER_IP}:${SERVER_PORT}`;

export interface Home {
  readonly name: string;
  readonly kind: NatKind;
  /** Namespace the home's processes (its browser) run in. */
  readonly ns: string;
  readonly natNs: string;
  readonly ip: string;
  /** The NAT's current public address. */
  publicIp: string;
}

export interface LabOptions {
  homes: Record<string, NatKind>;
  /** Adds a host directly on the internet (no NAT) at 203.0.113.20, named `public`. */
  publicHost?: boolean;
  /** Extra signaling-server flags (e.g. `['--turn-ttl', '60']`). */
  serverArgs?: string[];
}

export interface Lab {
  readonly id: string;
  readonly origin: string;
  readonly secret: string;
  readonly homes: Record<string, Home>;
  /** Namespace of the public host (when asked for). */
  readonly publicNs: string | undefined;
  readonly internetNs: string;
  /** A scratch directory deleted with the lab. */
  readonly tmp: string;
  /** Drops everything the home sends or receives at its NAT (conntrack state survives, as a flaky uplink). */
  cutUplink(home: string): Promise<void>;
  restoreUplink(home: string): Promise<void>;
  /** Gives the home's NAT a new public address (its ISP renumbered it): existing NAT mappings die with the old one. */
  changePublicAddress(home: string): Promise<string>;
  restartCoturn(): Promise<void>;
  /** The UDP entries of a home NAT's connection-tracking table (/proc/net/nf_conntrack), as evidence. */
  conntrack(home: string): Promise<string[]>;
  /** SIGKILL (no graceful close) of the signaling server. */
  killServer(): Promise<void>;
  /** Starts the signaling server again on the same address and port. */
  startServer(): Promise<void>;
  /** What the lab's processes printed (for failure messages). */
  logs(): string;
  destroy(): Promise<void>;
}

const live = new Set<string>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // The safety net: a crashed or interrupted run still leaves no namespace (and no process inside one) behind.
  process.on('exit', () => {
    for (const ns of live) destroyNsSync(ns);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const ns of live) destroyNsSync(ns);
      process.exit(130);
    });
  }
}

/** Waits until `ss <args>` inside `ns` lists a socket (a server is listening), or the process exits. */
async function listening(ns: string, proc: LabProcess, args: string[], timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await inNs(ns, 'ss', args)).trim() === '') {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`netlab: ${proc.name} exited:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`netlab: ${proc.name} not listening (ss ${args.join(' ')}) within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function addNs(ns: string) {
  await run('ip', ['netns', 'add', ns]);
  live.add(ns);
  await inNs(ns, 'ip', ['link', 'set', 'lo', 'up']);
}

/** A veth pair created directly inside two namespaces (no name ever lives in the host's namespace). */
async function veth(nsA: string, nameA: string, nsB: string, nameB: string) {
  await run('ip', ['-n', nsA, 'link', 'add', nameA, 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB]);
  await run('ip', ['-n', nsA, 'link', 'set', nameA, 'up']);
  await run('ip', ['-n', nsB, 'link', 'set', nameB, 'up']);
}

export async function createLab(options: LabOptions): Promise<Lab> {
  installExitHook();
  const id = randomBytes(3).toString('hex');
  const nsName = (role: string) => `pc${id}${role}`;
  const tmp = mkdtempSync(join(tmpdir(), `netlab-${id}-`));
  const secret = randomBytes(16).toString('hex');
  const sessionSecret = randomBytes(16).toString('hex');
  const internetNs = nsName('inet');
  const namespaces: string[] = [];
  const processes: { server?: LabProcess; coturn?: LabProcess } = {};
  const pastLogs: string[] = [];
  const homes: Record<string, Home> = {};
  let publicNs: string | undefined;

  const destroy = async () => {
    for (const proc of [processes.server, processes.coturn]) {
      if (proc) {
        pastLogs.push(`--- ${proc.name}\n${proc.output()}`);
        await proc.stop('SIGKILL').catch(() => undefined);
      }
    }
    for (const ns of namespaces.reverse()) {
      destroyNsSync(ns);
      live.delete(ns);
    }
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    await addNs(internetNs);
    namespaces.push(internetNs);
    await inNs(internetNs, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    await inNs(internetNs, 'ip', ['link', 'set', 'br0', 'up']);
    for (const ip of [SERVER_IP, TURN_IP]) await inNs(internetNs, 'ip', ['addr', 'add', `${ip}/24`, 'dev', 'br0']);

    const plug = async (ns: string, port: string, ip: string) => {
      await veth(ns, 'wan', internetNs, port);
      await inNs(internetNs, 'ip', ['link', 'set', port, 'master', 'br0']);
      await inNs(ns, 'ip', ['addr', 'add', `${ip}/24`, 'dev', 'wan']);
    };

    if (options.publicHost) {
      publicNs = nsName('pub');
      await addNs(publicNs);
      namespaces.push(publicNs);
      await plug(publicNs, 'pub', PUBLIC_HOST_IP);
    }

    let index = 0;
    for (const [name, kind] of Object.entries(options.homes)) {
      index += 1;
      const natNs = nsName(`n${index}`);
      const homeNs = nsName(`h${index}`);
      for (const ns of [natNs, homeNs]) {
        await addNs(ns);
        namespaces.push(ns);
      }
      const publicIp = `${INTERNET_PREFIX}.${100 + index}`;
      await plug(natNs, `nat${index}`, publicIp);
      await veth(natNs, 'lan', homeNs, 'eth0');
      await inNs(natNs, 'ip', ['addr', 'add', `10.${index}.0.1/24`, 'dev', 'lan']);
      await inNs(homeNs, 'ip', ['addr', 'add', `10.${index}.0.2/24`, 'dev', 'eth0']);
      await inNs(homeNs, 'ip', ['route', 'add', 'default', 'via', `10.${index}.0.1`]);
      await inNs(natNs, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE'];
      await inNs(natNs, 'iptables', kind === 'symmetric' ? [...masquerade, '--random-fully'] : masquerade);
      if (kind === 'udp-blocked') await inNs(natNs, 'iptables', ['-A', 'FORWARD', '-i', 'lan', '-p', 'udp', '-j', 'DROP']);
      homes[name] = { name, kind, ns: homeNs, natNs, ip: `10.${index}.0.2`, publicIp };
    }

    const confPath = join(tmp, 'turnserver.conf');
    writeFileSync(confPath, turnserverConf());
    const startCoturn = async () => {
      // The documented file, plus what differs per deployment on the command line: addresses and the secret.
      const proc = startInNs(internetNs, 'coturn', '/usr/bin/turnserver', [
        '-c', confPath,
        '--listening-ip', TURN_IP,
        '--relay-ip', TURN_IP,
        '--static-auth-secret', secret,
        '--log-file', 'stdout',
        '--pidfile', join(tmp, 'turnserver.pid'),
        '--db', join(tmp, 'turndb'),
      ]);
      processes.coturn = proc;
      // coturn block-buffers its log on a pipe: readiness is read from the sockets instead.
      await listening(internetNs, proc, ['-Hltn', `src ${TURN_IP}:${TURN_PORT}`]);
      await listening(internetNs, proc, ['-Hlun', `src ${TURN_IP}:${TURN_PORT}`]);
    };
    const startServer = async () => {
      const proc = startInNs(
        internetNs,
        'signaling-server',
        'env',
        [
          // One identity secret for every run of this lab's server, so a restarted server honours its resume tokens.
          `PEERCHART_SESSION_SECRET=${sessionSecret}`,
          process.execPath,
          join(WORKSPACE_ROOT, 'packages/signaling-server/dist/cli.js'),
          '--host', SERVER_IP,
          '--port', String(SERVER_PORT),
          '--log-level', 'info',
          '--stun-urls', `stun:${TURN_IP}:${TURN_PORT}`,
          '--turn-urls', `turn:${TURN_IP}:${TURN_PORT}?transport=udp,turn:${TURN_IP}:${TURN_PORT}?transport=tcp`,
          '--turn-secret', secret,
          '--static', `/vue/=${shellDist.vue}`,
          '--static', `/react/=${shellDist.react}`,
          ...(options.serverArgs ?? []),
        ],
        WORKSPACE_ROOT,
      );
      processes.server = proc;
      await proc.waitFor(/Server listening at http:\/\/203\.0\.113\.1:8080/);
    };
    await startCoturn();
    await startServer();

    const home = (name: string) => {
      const found = homes[name];
      if (!found) throw new Error(`netlab: no home named ${name} (homes: ${Object.keys(homes).join(', ')})`);
      return found;
    };
    const cut = ['FORWARD', '-j', 'DROP'];

    return {
      id,
      origin: ORIGIN,
      secret,
      homes,
      publicNs,
      internetNs,
      tmp,
      cutUplink: (name) => inNs(home(name).natNs, 'iptables', ['-I', ...cut]).then(() => undefined),
      restoreUplink: (name) => inNs(home(name).natNs, 'iptables', ['-D', ...cut]).then(() => undefined),
      async changePublicAddress(name) {
        const h = home(name);
        const [, last] = /\.(\d+)$/.exec(h.publicIp) ?? [];
        // 101 → 151 → 201 → 101 …: a fresh address each time, within the lab's /24.
        const next = `${INTERNET_PREFIX}.${Number(last) >= 200 ? Number(last) - 100 : Number(last) + 50}`;
        // Removing the address makes MASQUERADE forget every mapping made with it (as a renumbered router does).
        await inNs(h.natNs, 'ip', ['addr', 'del', `${h.publicIp}/24`, 'dev', 'wan']);
        await inNs(h.natNs, 'ip', ['addr', 'add', `${next}/24`, 'dev', 'wan']);
        h.publicIp = next;
        return next;
      },
      async conntrack(name) {
        const table = await inNs(home(name).natNs, 'cat', ['/proc/net/nf_conntrack']);
        return table.split('\n').filter((line) => line.includes(' udp '));
      },
      async restartCoturn() {
        if (processes.coturn) {
          pastLogs.push(`--- coturn (before restart)\n${processes.coturn.output()}`);
          await processes.coturn.stop('SIGTERM');
        }
        await startCoturn();
      },
      async killServer() {
        if (processes.server) {
          pastLogs.push(`--- signaling-server (before kill)\n${processes.server.output()}`);
          await processes.server.stop('SIGKILL');
        }
      },
      startServer,
      logs: () => [...pastLogs, ...[processes.server, processes.coturn].filter((p) => p !== undefined).map((p) => `--- ${p.name}\n${p.output()}`)].join('\n'),
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}
