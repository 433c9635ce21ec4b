import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, defaultConfig, describeConfig, helpText, loadConfig, optionsTable, OPTIONS, validateConfig } from './config.js';
import { replaceOptionsTable } from './test-support/readme.js';

describe('loadConfig', () => {
  it('has safe defaults', () => {
    const { config, help } = loadConfig([], {});
    expect(help).toBe(false);
    expect(config).toEqual(defaultConfig());
    expect(config).toMatchObject({ host: '127.0.0.1', origins: [], ticketSecret: undefined, stunUrls: [], registry: 'memory' });
    expect(config.limits.maxPayloadBytes).toBe(65_536);
  });

  it('reads env, and flags win over env', () => {
    const { config } = loadConfig(
      ['--port', '9000', '--origins', 'https://a.example,https://b.example', '--static', '/vue/=dist/vue', '--static', 'react=dist/react', '--trust-proxy', '--rate=7'],
      { PEERCHART_PORT: '1234', PEERCHART_HOST: '0.0.0.0', PEERCHART_TURN_URLS: 'turn:t:3478', PEERCHART_TURN_SECRET: 'k', PEERCHART_MAILBOX_SIZE: '5', PEERCHART_ALLOW_MISSING_ORIGIN: 'false' },
    );
    expect(config.port).toBe(9000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.origins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.static).toEqual([
      { prefix: '/vue/', dir: 'dist/vue' },
      { prefix: '/react/', dir: 'dist/react' },
    ]);
    expect(config.trustProxy).toBe(true);
    expect(config.allowMissingOrigin).toBe(false);
    expect(config.limits.ratePerSecond).toBe(7);
    expect(config.limits.mailboxSize).toBe(5);
    expect(config.turnUrls).toEqual(['turn:t:3478']);
  });

  it('rejects unknown flags, malformed numbers, values out of bounds and unknown choices, naming the option', () => {
    expect(() => loadConfig(['--nope'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--port', 'eighty'], {})).toThrow(/--port must be a non-negative integer/);
    expect(() => loadConfig(['--port', '70000'], {})).toThrow(/--port must be at most 65535/);
    expect(() => loadConfig([], { PEERCHART_MAX_PAYLOAD: '-1' })).toThrow(/PEERCHART_MAX_PAYLOAD/);
    expect(() => loadConfig(['--max-payload', '100'], {})).toThrow(/at least 1024/);
    expect(() => loadConfig(['--registry', 'etcd'], {})).toThrow(/--registry must be one of memory, redis/);
    expect(() => loadConfig(['--log-level', 'loud'], {})).toThrow(/--log-level/);
    expect(() => loadConfig(['--trust-proxy=maybe'], {})).toThrow(/--trust-proxy must be true or false/);
    expect(() => loadConfig(['--session-secret', 'short'], {})).toThrow(/16 characters/);
    expect(() => loadConfig(['--redis-key-prefix', 'has space'], {})).toThrow(/--redis-key-prefix/);
    expect(() => loadConfig(['--turn-secret', 'k'], {})).toThrow(/TURN urls/);
  });

  it('takes booleans as --flag, --flag=value and --flag value, and the redis options', () => {
    const { config } = loadConfig(
      ['--allow-missing-origin', 'false', '--trust-proxy', 'true', '--registry', 'redis', '--redis-url', 'redis://127.0.0.1:1', '--redis-key-prefix', 'app1:'],
      {},
    );
    expect(config).toMatchObject({ allowMissingOrigin: false, trustProxy: true, registry: 'redis', redisUrl: 'redis://127.0.0.1:1', redisKeyPrefix: 'app1:' });
    expect(loadConfig(['--trust-proxy', '--port', '1'], {}).config).toMatchObject({ trustProxy: true, port: 1 });
    expect(loadConfig(['--allow-missing-origin=false'], {}).config.allowMissingOrigin).toBe(false);
    expect(describeConfig(loadConfig(['--session-secret', 'a-long-enough-secret'], {}).config)['session-secret']).toBe('set');
  });

  it('re-checks a config built in code against the same declarations', () => {
    expect(() => validateConfig(defaultConfig())).not.toThrow();
    expect(() => validateConfig({ ...defaultConfig(), limits: { ...defaultConfig().limits, rateBurst: 0 } })).toThrow(/--rate-burst must be at least 1/);
    expect(() => validateConfig({ ...defaultConfig(), logLevel: 'loud' })).toThrow(/--log-level/);
    expect(() => validateConfig({ ...defaultConfig(), port: 1.5 })).toThrow(/--port/);
  });

  it('keeps the README option table generated from the declarations (npm run docs:options)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toBe(replaceOptionsTable(readme, optionsTable()));
    for (const option of OPTIONS) expect(readme).toContain(`| \`--${option.flag}\` | \`${option.env}\` |`);
  });

  it('documents every option, its env variable and --help in the help text', () => {
    const text = helpText();
    for (const option of OPTIONS) {
      expect(text).toContain(`--${option.flag}`);
      expect(text).toContain(option.env);
    }
    expect(text).toContain('--help');
    expect(loadConfig(['--help'], {}).help).toBe(true);
  });
});
