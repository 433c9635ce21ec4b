import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The README's example is a single-file component (examples/Call.vue).
  plugins: [vue()],
  // examples/ import the package by name, as an app would; tests run them against the sources.
  resolve: { alias: [{ find: /^@peerchart\/vue$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['src/**/*.test.ts'],
    // A DOM for Vue to render into; the call itself is real (signaling server, `ws`, werift).
    environment: 'happy-dom',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
