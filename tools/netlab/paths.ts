import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const shellDist = {
  vue: join(WORKSPACE_ROOT, 'packages/web-vue/dist'),
  react: join(WORKSPACE_ROOT, 'packages/web-react/dist'),
} as const;
