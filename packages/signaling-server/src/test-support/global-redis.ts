import type { TestProject } from 'vitest/node';
import { startRedis } from './processes.js';

/** Global setup of the cluster project: one real redis-server for every suite (each server uses its own key prefix). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  project.provide('redisUrl', redis.url);
  return () => redis.close();
}
