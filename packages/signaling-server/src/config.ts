import { parseArgs } from 'node:util';
import * as v from 'valibot';

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

export type RegistryKind = 'memory' | 'redis';

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
  /**
   * HMAC key that signs resume tokens. Unset: a random key per process (a restart forgets every
   * identity). Set (and shared by every instance): a restarted or other instance honours the token.
   */
  sessionSecret: string | undefined;
  logLevel: string;
  static: StaticMount[];
  registry: RegistryKind;
  /** `redis://` URL of the Redis server shared by the instances (`registry: 'redis'`). */
  redisUrl: string;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  redisKeyPrefix: string;
  /** How often an instance renews its liveness key in Redis; a dead instance is swept after 3 of these. */
  instanceHeartbeatMs: number;
  /** Trust `X-Forwarded-For` for the client IP (only behind a proxy you control). */
  trustProxy: boolean;
}

/** A configuration error: the CLI prints it with the help text and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Kind = 'string' | 'secret' | 'int' | 'bool' | 'list' | 'static' | 'choice';
type Raw = string | string[];

/**
 * One option, declared once: flag, env variable, help, default, and the schema that turns its raw
 * text (flag or env) into a checked value. Parsing, defaults, `--help` and the README table all
 * come from these declarations.
 */
export interface OptionSpec<T = unknown> {
  flag: string;
  env: string;
  kind: Kind;
  help: string;
  /** The default as users read it (help text, README). */
  defaultText: string;
  default: () => T;
  schema: v.GenericSchema<Raw, T>;
  get(config: ServerConfig): T;
  set(config: ServerConfig, value: T): void;
}

type TopKey = Exclude<keyof ServerConfig, 'limits'>;
type Target = TopKey | `limits.${keyof Limits}`;
type ValueAt<K extends Target> = K extends `limits.${infer L extends keyof Limits}` ? Limits[L] : K extends TopKey ? ServerConfig[K] : never;

function option<K extends Target>(
  flag: string,
  target: K,
  kind: Kind,
  schema: v.GenericSchema<Raw, ValueAt<K>>,
  defaultValue: ValueAt<K>,
  help: string,
  defaultText = Array.isArray(defaultValue) ? (defaultValue.length === 0 ? 'none' : defaultValue.join(',')) : String(defaultValue ?? 'unset'),
): OptionSpec {
  const [outer, inner] = target.split('.') as [keyof ServerConfig, keyof Limits | undefined];
  const spec: OptionSpec<ValueAt<K>> = {
    flag,
    env: `PEERCHART_${flag.replace(/-/g, '_').toUpperCase()}`,
    kind,
    help,
    defaultText,
    default: () => (Array.isArray(defaultValue) ? ([...defaultValue] as ValueAt<K>) : defaultValue),
    schema,
    get: (config) => (inner ? config.limits[inner] : config[outer]) as ValueAt<K>,
    set: (config, value) => {
      if (inner) config.limits[inner] = value as number;
      else (config as unknown as Record<string, unknown>)[outer] = value;
    },
  };
  return spec as OptionSpec; // checked against its target's type above; erased for the list
}

/** The last value given (a repeated scalar flag: the last one wins). */
const single = v.pipe(
  v.union([v.string(), v.array(v.string())]),
  v.transform((raw) => (Array.isArray(raw) ? (raw.at(-1) ?? '') : raw)),
);
const text = v.pipe(single, v.string());
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  v.pipe(
    single,
    v.trim(),
    v.regex(/^\d+$/, 'must be a non-negative integer'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];
const bool = v.pipe(
  single,
  v.trim(),
  v.toLowerCase(),
  v.picklist([...TRUE, ...FALSE], 'must be true or false'),
  v.transform((value) => TRUE.includes(value)),
);
const list = v.pipe(
  v.union([v.string(), v.array(v.string())]),
  v.transform((raw) => (Array.isArray(raw) ? raw : [raw]).flatMap((item) => item.split(',')).map((s) => s.trim()).filter(Boolean)),
);
const choice = <T extends string>(values: readonly [T, ...T[]]) =>
  v.pipe(single, v.trim(), v.picklist(values, `must be one of ${values.join(', ')}`));
const optionalSecret = v.pipe(text, v.transform((value): string | undefined => value));
const staticMounts = v.pipe(
  list,
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const mounts: StaticMount[] = [];
    for (const entry of dataset.value) {
      const eq = entry.indexOf('=');
      if (eq <= 0 || eq === entry.length - 1) {
        addIssue({ message: `must look like /prefix/=dir, got "${entry}"` });
        return NEVER;
      }
      let prefix = entry.slice(0, eq);
      if (!prefix.startsWith('/')) prefix = `/${prefix}`;
      if (!prefix.endsWith('/')) prefix = `${prefix}/`;
      mounts.push({ prefix, dir: entry.slice(eq + 1) });
    }
    return mounts;
  }),
);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every option, once: drives parsing, env lookup, defaults, validation, `--help` and the README table. */
export const OPTIONS: readonly OptionSpec[] = [
  option('host', 'host', 'string', text, '127.0.0.1', 'interface to listen on (`0.0.0.0` to expose it)'),
  option('port', 'port', 'int', int(0, 65_535), 8787, 'TCP port; `0` picks a free one'),
  option('origins', 'origins', 'list', list, [], 'allowed `Origin`s for `/ws`; unset = same-origin + `localhost`/`127.0.0.1`/`[::1]` only; `*` = any', 'unset'),
  option('allow-missing-origin', 'allowMissingOrigin', 'bool', bool, true, 'allow upgrades without `Origin` (non-browser clients, which could forge any Origin anyway)'),
  option('ticket-secret', 'ticketSecret', 'secret', optionalSecret, undefined, 'HS256 secret; when set, every `join` needs a ticket for its room', 'unset (off)'),
  option('stun-urls', 'stunUrls', 'list', list, [], 'STUN urls handed out in `joined`'),
  option('turn-urls', 'turnUrls', 'list', list, [], 'TURN urls handed out in `joined`'),
  option('turn-secret', 'turnSecret', 'secret', optionalSecret, undefined, 'coturn `static-auth-secret`: time-limited credentials per peer'),
  option('turn-ttl', 'turnTtlSeconds', 'int', int(1), 3600, 'TURN credential lifetime, seconds'),
  option('max-payload', 'limits.maxPayloadBytes', 'int', int(1024), 64 * 1024, 'max frame size, bytes (over → close 1009)'),
  option('rate', 'limits.ratePerSecond', 'int', int(1), 50, 'frames per second per socket, sustained'),
  option('rate-burst', 'limits.rateBurst', 'int', int(1), 100, 'frames per socket in a burst'),
  option('rate-strikes', 'limits.rateLimitStrikes', 'int', int(0), 20, 'rate-limited frames (since the bucket was last full) before close 4001'),
  option('invalid-strikes', 'limits.invalidFrameStrikes', 'int', int(0), 10, 'invalid frames per socket before close 4003'),
  option('connections-per-ip', 'limits.connectionsPerIp', 'int', int(0), 20, 'open sockets per client IP, per instance (over → HTTP 429)'),
  option('members-per-room', 'limits.membersPerRoom', 'int', int(1), 8, 'members per room (over → `room-full`)'),
  option('rooms-per-socket', 'limits.roomsPerSocket', 'int', int(1), 4, 'rooms per socket (over → `too-many-rooms`)'),
  option('mailbox-size', 'limits.mailboxSize', 'int', int(0), 64, 'messages kept for an away peer (over → `undeliverable`)'),
  option('slow-consumer-bytes', 'limits.slowConsumerBytes', 'int', int(0), 1024 * 1024, 'buffered outgoing bytes before close 4002'),
  option('heartbeat-ms', 'heartbeatIntervalMs', 'int', int(10), 30_000, 'ping interval; a socket silent for a whole interval is terminated'),
  option('resume-window-ms', 'resumeWindowMs', 'int', int(0), 30_000, 'how long an identity survives a dropped socket; `0` disables resume'),
  option(
    'session-secret',
    'sessionSecret',
    'secret',
    v.pipe(optionalSecret, v.check((value) => value === undefined || value.length >= 16, 'must be at least 16 characters')),
    undefined,
    'HMAC key for resume tokens (16+ chars); unset = random per process, so a restart forgets identities. Set it (the same on every instance) to resume across restarts and instances',
    'unset (random)',
  ),
  option('log-level', 'logLevel', 'choice', choice(LOG_LEVELS), 'info', LOG_LEVELS.map((level) => `\`${level}\``).join(', ')),
  option('static', 'static', 'static', staticMounts, [], '`/prefix/=dir`, repeatable: serve a built app under a prefix, with SPA fallback to its `index.html` for extension-less paths'),
  option('registry', 'registry', 'choice', choice(['memory', 'redis'] as const), 'memory', 'room registry: `memory` (one process) or `redis` (several instances sharing rooms, sessions and relay)'),
  option('redis-url', 'redisUrl', 'string', text, 'redis://127.0.0.1:6379', 'Redis server for `--registry redis` (`redis://[:password@]host:port[/db]`)'),
  option('redis-key-prefix', 'redisKeyPrefix', 'string', v.pipe(text, v.regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 : _ -')), 'peerchart:', 'prefix of every Redis key and channel (one per deployment sharing a Redis)'),
  option('instance-heartbeat-ms', 'instanceHeartbeatMs', 'int', int(100, 60_000), 2_000, 'how often an instance renews its liveness key in Redis; a silent instance is swept after 3 intervals'),
  option('trust-proxy', 'trustProxy', 'bool', bool, false, 'take the client IP (per-IP limit, logs) from `X-Forwarded-For`'),
];

/** The defaults, built from the option declarations. */
export function defaultConfig(): ServerConfig {
  const config = { limits: {} } as ServerConfig;
  for (const spec of OPTIONS) spec.set(config, spec.default());
  return config;
}

export const defaultLimits: Readonly<Limits> = Object.freeze(defaultConfig().limits);

export interface LoadedConfig {
  config: ServerConfig;
  help: boolean;
  /** `--print-config`: print the effective options (secrets shown as set/unset) and exit. */
  printConfig: boolean;
}

/** The effective options by flag name, secrets replaced by whether they are set (for `--print-config`). */
export function describeConfig(config: ServerConfig): Record<string, unknown> {
  const described: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    const value = spec.get(config);
    described[spec.flag] = spec.kind === 'secret' ? (value === undefined ? 'unset' : 'set') : value;
  }
  return described;
}

function convert(spec: OptionSpec, name: string, raw: Raw): unknown {
  const result = v.safeParse(spec.schema, raw);
  if (result.success) return result.output;
  const shown = Array.isArray(raw) ? raw.join(',') : raw;
  throw new ConfigError(`${name} ${result.issues[0].message} (got "${shown}")`);
}

const BOOL_WORDS = new Set([...TRUE, ...FALSE]);

/**
 * Build the config from defaults, then environment (`PEERCHART_*`), then flags (flags win).
 * Booleans take `--flag`, `--flag=false` and `--flag false`. Throws `ConfigError` on an unknown
 * flag or a malformed value.
 */
export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const specs = OPTIONS;
  const options: Record<string, { type: 'string' | 'boolean'; multiple: boolean }> = {
    help: { type: 'boolean', multiple: false },
    'print-config': { type: 'boolean', multiple: false },
  };
  for (const spec of specs) options[spec.flag] = { type: 'string', multiple: true };
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const boolSpec = specs.find((s) => s.kind === 'bool' && arg === `--${s.flag}`);
    if (!boolSpec) {
      args.push(arg);
      continue;
    }
    // A bare boolean flag means true; `--flag true|false` (the documented form) takes the next word.
    const next = argv[i + 1];
    if (next !== undefined && BOOL_WORDS.has(next.trim().toLowerCase())) {
      args.push(`--${boolSpec.flag}=${next}`);
      i += 1;
    } else {
      args.push(`--${boolSpec.flag}=true`);
    }
  }
  let values: Record<string, string[] | boolean | undefined>;
  try {
    values = parseArgs({ args, options, allowPositionals: false, strict: true }).values as typeof values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const config = defaultConfig();
  for (const spec of specs) {
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') spec.set(config, convert(spec, spec.env, fromEnv));
    const fromFlag = values[spec.flag];
    if (Array.isArray(fromFlag)) spec.set(config, convert(spec, `--${spec.flag}`, fromFlag));
  }
  validateConfig(config);
  return { config, help: values.help === true, printConfig: values['print-config'] === true };
}

/**
 * Check a config built in code (`buildApp`) against the same declarations, plus the rules that
 * span options.
 */
export function validateConfig(config: ServerConfig): void {
  for (const spec of OPTIONS) {
    const value = spec.get(config);
    if (value === undefined) continue;
    // Re-check through the option's own schema by its text form (bounds, choices, patterns).
    const raw = spec.kind === 'static' ? (value as StaticMount[]).map((m) => `${m.prefix}=${m.dir}`) : Array.isArray(value) ? (value as string[]) : String(value);
    if (spec.kind === 'list' || spec.kind === 'static') {
      if (!Array.isArray(value)) throw new ConfigError(`${spec.flag} must be a list`);
      if (spec.kind === 'list') continue;
    }
    if (spec.kind === 'int' && !Number.isInteger(value)) throw new ConfigError(`--${spec.flag} must be a non-negative integer (got "${String(value)}")`);
    convert(spec, `--${spec.flag}`, raw);
  }
  if (config.turnSecret !== undefined && config.turnUrls.length === 0) throw new ConfigError('a TURN secret needs TURN urls');
}

/** The `--help` text, generated from `OPTIONS`. */
export function helpText(): string {
  const specs = OPTIONS;
  const lines = [
    'peerchart-signal — Peerchart WebSocket signaling server',
    '',
    'Usage: peerchart-signal [options]',
    '',
    'Every option can also be set by its environment variable; flags win over the environment.',
    'Booleans take true/false (--flag true, --flag=false; a bare flag means true).',
    'Lists are comma-separated, and list flags may be repeated. WebSocket endpoint: /ws.',
    '',
    'Options:',
  ];
  const width = Math.max(...specs.map((s) => s.flag.length)) + 4;
  const plain = (markdown: string) => markdown.replace(/`/g, '');
  for (const spec of specs) {
    lines.push(`  --${spec.flag.padEnd(width)}${plain(spec.help)} (default: ${spec.defaultText})`);
    lines.push(`    ${''.padEnd(width)}env ${spec.env}`);
  }
  lines.push(`  --${'print-config'.padEnd(width)}Print the effective options as JSON (secrets as set/unset) and exit`);
  lines.push(`  --${'help'.padEnd(width)}Print this help and exit`);
  lines.push('', 'Endpoints: /ws (WebSocket), /health/live, /health/ready, /metrics (Prometheus).');
  return lines.join('\n');
}

/** The README's option table (Markdown), generated from `OPTIONS`. */
export function optionsTable(): string {
  const rows = OPTIONS.map((spec) => {
    const shown = /^(unset|none)/.test(spec.defaultText) ? spec.defaultText : `\`${spec.defaultText}\``;
    return `| \`--${spec.flag}\` | \`${spec.env}\` | ${shown} | ${spec.help} |`;
  });
  return ['| Flag | Env | Default | Meaning |', '|---|---|---|---|', ...rows, '| `--print-config` | | | print the effective options as JSON (secrets as `set`/`unset`) and exit |', '| `--help` | | | print the help and exit |'].join('\n');
}
