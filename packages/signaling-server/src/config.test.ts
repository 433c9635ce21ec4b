import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, helpText, loadConfig, OPTIONS } from './config.js';

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

  it('rejects unknown flags, malformed numbers and the reserved redis registry', () => {
    expect(() => loadConfig(['--nope'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--port', 'eighty'], {})).toThrow(ConfigError);
    expect(() => loadConfig([], { PEERCHART_MAX_PAYLOAD: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig(['--registry', 'redis'], {})).toThrow(/reserved/);
    expect(() => loadConfig(['--registry', 'etcd'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--turn-secret', 'k'], {})).toThrow(/TURN urls/);
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
