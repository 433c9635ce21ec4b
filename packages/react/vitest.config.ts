import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // examples/ import the package by name, as an app would; tests run them against the sources.
  resolve: { alias: [{ find: /^@peerchart\/react$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    // A DOM for React to render into; the call itself is real (signaling server, `ws`, werift).
    environment: 'happy-dom',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
