import { type NginxProcess, type RedisProcess } from './processes.js';
export interface InstanceProcess {
    port: number;
    /** ws://127.0.0.1:port/ws */
    ws: string;
    http: string;
    /** Send a signal (SIGKILL: a crash; SIGTERM: a graceful drain); resolves when the process is gone. */
    kill(signal: NodeJS.Signals): Promise<void>;
    /** Start it again on the same port (after `kill`). */
    restart(): Promise<void>;
    output(): string;
}
export interface ClusterOptions {
    /** Number of server processes (default 2; `nginx: true` needs 3, as in docs/deploy.md). */
    instances?: number;
    nginx?: boolean;
    /** Extra CLI flags for every instance, e.g. ['--resume-window-ms', '10000']. */
    args?: string[];
    /** An already running Redis to use (not stopped by close). */
    redis?: RedisProcess;
}
export interface Cluster {
    redis: RedisProcess;
    instances: InstanceProcess[];
    nginx: NginxProcess | undefined;
    /** Where clients connect: nginx when started, else the first instance. */
    ws: string;
    http: string;
    /** The session secret every instance shares. */
    sessionSecret: string;
    close(): Promise<void>;
}
export declare function startCluster(options?: ClusterOptions): Promise<Cluster>;
//# sourceMappingURL=cluster.d.ts.map