import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { defaultConfig, type ServerConfig } from '../config.js';
import type { RedisProcess } from './processes.js';

/** Redis-backed instances in this process, on a Redis of the caller's own, with a fresh key prefix. */
export async function redisInstances(redis: RedisProcess, count: number, overrides: Partial<ServerConfig> = {}) {
  const config: ServerConfig = {
    ...defaultConfig(),
    logLevel: 'silent',
    port: 0,
    registry: 'redis',
    redisUrl: redis.url,
    redisKeyPrefix: `p${randomBytes(4).toString('hex')}:`,
    sessionSecret: randomBytes(16).toString('hex'),
    instanceHeartbeatMs: 200,
    ...overrides,
  };
  const apps: FastifyInstance[] = [];
  for (let i = 0; i < count; i++) {
    const app = await buildApp(config);
    await app.listen({ host: '127.0.0.1', port: 0 });
    apps.push(app);
  }
  const urls = apps.map((app) => `127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  return {
    config,
    apps,
    ws: urls.map((url) => `ws://${url}/ws`),
    http: urls.map((url) => `http://${url}`),
    close: () => Promise.all(apps.map((app) => app.close())),
  };
}

export type RedisInstances = Awaited<ReturnType<typeof redisInstances>>;
