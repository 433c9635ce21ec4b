import { parseArgs } from 'node:util';

/** A directory served over HTTP under a URL prefix, with an SPA `index.html` fallback. */
export interface StaticMount {
  prefix: string;
  dir: string;
}

export interface Limits {
  /** Largest WebSocket frame accepted, in bytes; bigger → close 1009. */
  maxPayloadBytes: number;
  /** Sustained client frames per second per socket (token bucket refill rate). */
  ratePerSecond: number;
  /** Token bucket size: frames a socket may send in a burst. */
  rateBurst: number;
  /** Frames dropped by the rate limiter before the socket is closed 4001 (forgiven when the bucket refills). */
  rateLimitStrikes: number;
  /** Invalid frames tolerated per socket before it is closed 4003. */
  invalidFrameStrikes: number;
  /** Open WebSockets per client IP; more → HTTP 429 at the upgrade. */
  connectionsPerIp: number;
  /** Members per room; more → `room-full`. */
  membersPerRoom: number;
  /** Rooms one socket may be in; more → `too-many-rooms`. */
  roomsPerSocket: number;
  /** Messages kept for a peer that is away (reconnecting); more → `undeliverable` to the sender. */
  mailboxSize: number;
  /** Outgoing bytes buffered for a socket before it is closed 4002 as a slow consumer. */
  slowConsumerBytes: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  /**
   * Allowed `Origin`s for the WebSocket upgrade. Empty: same-origin and loopback (localhost,
   * 127.0.0.1, [::1]) only. `['*']`: any origin.
   */
  origins: string[];
  /** Whether an upgrade without an `Origin` header (non-browser clients) is allowed. */
  allowMissingOrigin: boolean;
  /** HS256 secret for join tickets; when set, every `join` needs a valid ticket for its room. */
  ticketSecret: string | undefined;
  stunUrls: string[];
  turnUrls: string[];
  /** coturn `static-auth-secret`; with `turnUrls`, each `joined` carries time-limited credentials. */
  turnSecret: string | undefined;
  turnTtlSeconds: number;
  limits: Limits;
  /** Ping interval; a socket that misses one pong is terminated. */
  heartbeatIntervalMs: number;
  /** How long an identity survives its socket dropping; 0 disables resume. */
  resumeWindowMs: number;
  logLevel: string;
  static: StaticMount[];
  registry: 'memory' | 'redis';
  /** Trust `X-Forwarded-For` for the client IP (only behind a proxy you control). */
  trustProxy: boolean;
}

export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxPayloadBytes: 64 * 1024,
  ratePerSecond: 50,
  rateBurst: 100,
  rateLimitStrikes: 20,
  invalidFrameStrikes: 10,
  connectionsPerIp: 20,
  membersPerRoom: 8,
  roomsPerSocket: 4,
  mailboxSize: 64,
  slowConsumerBytes: 1024 * 1024,
});

export function defaultConfig(): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 8787,
    origins: [],
    allowMissingOrigin: true,
    ticketSecret: undefined,
    stunUrls: [],
    turnUrls: [],
    turnSecret: undefined,
    turnTtlSeconds: 3600,
    limits: { ...defaultLimits },
    heartbeatIntervalMs: 30_000,
    resumeWindowMs: 30_000,
    logLevel: 'info',
    static: [],
    registry: 'memory',
    trustProxy: false,
  };
}

/** A configuration error: the CLI prints it with the help text and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Kind = 'string' | 'list' | 'int' | 'bool' | 'static';
interface OptionSpec {
  flag: string;
  env: string;
  kind: Kind;
  help: string;
  apply: (config: ServerConfig, value: never) => void;
}

const opt = <K extends Kind>(
  flag: string,
  kind: K,
  help: string,
  apply: (
    config: ServerConfig,
    value: K extends 'int' ? number : K extends 'bool' ? boolean : K extends 'string' ? string : K extends 'static' ? StaticMount[] : string[],
  ) => void,
): OptionSpec => ({
  flag,
  env: `PEERCHART_${flag.replace(/-/g, '_').toUpperCase()}`,
  kind,
  help,
  apply: apply as OptionSpec['apply'],
});

const d = defaultConfig();
const L = defaultLimits;

/** Every option, once: drives parsing, env lookup and `--help`. */
export const OPTIONS: readonly OptionSpec[] = [
  opt('host', 'string', `Interface to listen on (default ${d.host})`, (c, v) => (c.host = v)),
  opt('port', 'int', `TCP port; 0 picks a free one (default ${d.port})`, (c, v) => (c.port = v)),
  opt(
    'origins',
    'list',
    'Comma-separated allowed Origins for /ws, e.g. https://app.example; "*" = any. Unset: same-origin + localhost/127.0.0.1/[::1] only',
    (c, v) => (c.origins = v),
  ),
  opt(
    'allow-missing-origin',
    'bool',
    `Allow upgrades without an Origin header (non-browser clients) (default ${d.allowMissingOrigin})`,
    (c, v) => (c.allowMissingOrigin = v),
  ),
  opt('ticket-secret', 'string', 'HS256 secret for join tickets; when set, every join needs a ticket (default: off)', (c, v) => (c.ticketSecret = v)),
  opt('stun-urls', 'list', 'Comma-separated STUN urls handed to clients (default: none)', (c, v) => (c.stunUrls = v)),
  opt('turn-urls', 'list', 'Comma-separated TURN urls handed to clients (default: none)', (c, v) => (c.turnUrls = v)),
  opt('turn-secret', 'string', "coturn static-auth-secret for time-limited TURN credentials (default: none)", (c, v) => (c.turnSecret = v)),
  opt('turn-ttl', 'int', `TURN credential lifetime in seconds (default ${d.turnTtlSeconds})`, (c, v) => (c.turnTtlSeconds = v)),
  opt('max-payload', 'int', `Max frame size in bytes; larger → close 1009 (default ${L.maxPayloadBytes})`, (c, v) => (c.limits.maxPayloadBytes = v)),
  opt('rate', 'int', `Frames per second per socket, sustained (default ${L.ratePerSecond})`, (c, v) => (c.limits.ratePerSecond = v)),
  opt('rate-burst', 'int', `Frames per socket in a burst (default ${L.rateBurst})`, (c, v) => (c.limits.rateBurst = v)),
  opt('rate-strikes', 'int', `Rate-limited frames before close 4001 (default ${L.rateLimitStrikes})`, (c, v) => (c.limits.rateLimitStrikes = v)),
  opt('invalid-strikes', 'int', `Invalid frames per socket before close 4003 (default ${L.invalidFrameStrikes})`, (c, v) => (c.limits.invalidFrameStrikes = v)),
  opt('connections-per-ip', 'int', `Open sockets per client IP; more → HTTP 429 (default ${L.connectionsPerIp})`, (c, v) => (c.limits.connectionsPerIp = v)),
  opt('members-per-room', 'int', `Members per room; more → room-full (default ${L.membersPerRoom})`, (c, v) => (c.limits.membersPerRoom = v)),
  opt('rooms-per-socket', 'int', `Rooms per socket; more → too-many-rooms (default ${L.roomsPerSocket})`, (c, v) => (c.limits.roomsPerSocket = v)),
  opt('mailbox-size', 'int', `Messages kept for an away peer; more → undeliverable (default ${L.mailboxSize})`, (c, v) => (c.limits.mailboxSize = v)),
  opt('slow-consumer-bytes', 'int', `Buffered outgoing bytes before close 4002 (default ${L.slowConsumerBytes})`, (c, v) => (c.limits.slowConsumerBytes = v)),
  opt('heartbeat-ms', 'int', `Ping interval in ms; one missed pong → terminated (default ${d.heartbeatIntervalMs})`, (c, v) => (c.heartbeatIntervalMs = v)),
  opt('resume-window-ms', 'int', `How long an identity survives a dropped socket, in ms; 0 = no resume (default ${d.resumeWindowMs})`, (c, v) => (c.resumeWindowMs = v)),
  opt('log-level', 'string', `fatal|error|warn|info|debug|trace|silent (default ${d.logLevel})`, (c, v) => (c.logLevel = v)),
  opt('static', 'static', 'Serve a directory under a prefix with SPA fallback: /vue/=path (repeatable; env: comma-separated)', (c, v) => (c.static = v)),
  opt('registry', 'string', `Room registry: memory (redis is reserved) (default ${d.registry})`, (c, v) => {
    if (v !== 'memory' && v !== 'redis') throw new ConfigError(`--registry must be memory or redis, got "${v}"`);
    c.registry = v;
  }),
  opt('trust-proxy', 'bool', `Take the client IP from X-Forwarded-For (default ${d.trustProxy})`, (c, v) => (c.trustProxy = v)),
];

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function parseInt10(name: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw.trim());
}

function parseBool(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function parseList(raw: string | string[]): string[] {
  const items = Array.isArray(raw) ? raw : [raw];
  return items.flatMap((item) => item.split(',')).map((s) => s.trim()).filter(Boolean);
}

function parseStatic(name: string, raw: string[]): StaticMount[] {
  return raw.map((entry) => {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1) throw new ConfigError(`${name} must look like /prefix/=dir, got "${entry}"`);
    let prefix = entry.slice(0, eq);
    if (!prefix.startsWith('/')) prefix = `/${prefix}`;
    if (!prefix.endsWith('/')) prefix = `${prefix}/`;
    return { prefix, dir: entry.slice(eq + 1) };
  });
}

function convert(spec: OptionSpec, name: string, raw: string | string[] | boolean): unknown {
  switch (spec.kind) {
    case 'string':
      return String(raw);
    case 'int':
      return parseInt10(name, String(raw));
    case 'bool':
      return typeof raw === 'boolean' ? raw : parseBool(name, String(raw));
    case 'list':
      return parseList(raw as string | string[]);
    case 'static':
      return parseStatic(name, parseList(raw as string | string[]));
  }
}

export interface LoadedConfig {
  config: ServerConfig;
  help: boolean;
}

/**
 * Build the config from defaults, then environment (`PEERCHART_*`), then flags (flags win).
 * Throws `ConfigError` on an unknown flag or a malformed value.
 */
export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { help: { type: 'boolean' } };
  for (const spec of OPTIONS) {
    // Booleans take a value (`--trust-proxy=true`) so env and flags share one syntax; a bare flag means true.
    options[spec.flag] = { type: 'string', multiple: spec.kind === 'list' || spec.kind === 'static' };
  }
  const normalized = argv.map((arg) => {
    const spec = OPTIONS.find((s) => s.kind === 'bool' && arg === `--${s.flag}`);
    return spec ? `--${spec.flag}=true` : arg;
  });
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({ args: normalized, options, allowPositionals: false, strict: true }).values as typeof values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const config = defaultConfig();
  for (const spec of OPTIONS) {
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') spec.apply(config, convert(spec, spec.env, fromEnv) as never);
    const fromFlag = values[spec.flag];
    if (fromFlag !== undefined) spec.apply(config, convert(spec, `--${spec.flag}`, fromFlag) as never);
  }
  validateConfig(config);
  return { config, help: values.help === true };
}

/** Reject values that would make the server unsafe or unusable. */
export function validateConfig(config: ServerConfig): void {
  if (!LOG_LEVELS.has(config.logLevel)) throw new ConfigError(`log level must be one of ${[...LOG_LEVELS].join(', ')}`);
  if (config.port > 65_535) throw new ConfigError('port must be ≤ 65535');
  const l = config.limits;
  for (const [key, value] of Object.entries(l)) {
    if (!Number.isInteger(value) || value < 0) throw new ConfigError(`limit ${key} must be a non-negative integer`);
  }
  if (l.maxPayloadBytes < 1024) throw new ConfigError('max payload must be at least 1024 bytes');
  if (l.ratePerSecond < 1 || l.rateBurst < 1) throw new ConfigError('rate and rate burst must be at least 1');
  if (l.membersPerRoom < 1 || l.roomsPerSocket < 1) throw new ConfigError('members per room and rooms per socket must be at least 1');
  if (config.heartbeatIntervalMs < 10) throw new ConfigError('heartbeat interval must be at least 10 ms');
  if (config.registry === 'redis') throw new ConfigError('the redis registry is reserved and not implemented yet; use memory');
  if (config.turnSecret !== undefined && config.turnUrls.length === 0) throw new ConfigError('a TURN secret needs TURN urls');
}

export function helpText(): string {
  const lines = [
    'peerchart-signal — Peerchart WebSocket signaling server',
    '',
    'Usage: peerchart-signal [options]',
    '',
    'Every option can also be set by its environment variable; flags win over the environment.',
    'Booleans accept true/false (a bare flag means true). WebSocket endpoint: /ws.',
    '',
    'Options:',
  ];
  const width = Math.max(...OPTIONS.map((s) => s.flag.length)) + 4;
  for (const spec of OPTIONS) {
    lines.push(`  --${spec.flag.padEnd(width)}${spec.help}`);
    lines.push(`    ${''.padEnd(width)}env ${spec.env}`);
  }
  lines.push(`  --${'help'.padEnd(width)}Print this help and exit`);
  lines.push('', 'Endpoints: /ws (WebSocket), /health/live, /health/ready, /metrics (Prometheus).');
  return lines.join('\n');
}
