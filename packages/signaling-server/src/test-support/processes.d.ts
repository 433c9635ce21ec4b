export declare const REDIS_SERVER: string;
export declare const NGINX: string;
/** A TCP port free right now on 127.0.0.1 (the OS picks it). */
export declare function freePort(): Promise<number>;
export interface RedisProcess {
    port: number;
    url: string;
    /** Stop and start again on the same port: an empty data set (`--save ''`, no AOF), like a crashed Redis. */
    restart(): Promise<void>;
    /** Stop it (the port stays reserved for `start`). */
    stop(): Promise<void>;
    start(): Promise<void>;
    close(): Promise<void>;
}
/** A real redis-server on a free loopback port, without persistence. */
export declare function startRedis(): Promise<RedisProcess>;
/** The file whose nginx block the tests run verbatim (only the addresses are substituted). */
export declare const DEPLOY_DOC: URL;
/** The ```nginx block of docs/deploy.md: its upstream servers are 127.0.0.1:8787, :8788, :8789 and it listens on 80. */
export declare function deployNginxBlock(): string;
/**
 * A runnable nginx.conf: the doc's block with the test's ports for its upstreams and listener,
 * inside an `http {}` whose pid, logs and temp paths sit in `prefix` (nginx runs unprivileged there).
 */
export declare function nginxConfig(options: {
    listenPort: number;
    upstreamPorts: number[];
    prefix: string;
}): string;
export interface NginxProcess {
    port: number;
    /** ws://127.0.0.1:port/ws */
    ws: string;
    http: string;
    close(): Promise<void>;
}
/** A real nginx (foreground, own prefix and pid file in a temp dir) with the docs/deploy.md config over three local instances. */
export declare function startNginx(upstreamPorts: number[]): Promise<NginxProcess>;
//# sourceMappingURL=processes.d.ts.map