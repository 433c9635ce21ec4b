import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // A DOM for Vue to render into; the call itself is real (signaling server, `ws`, werift).
    environment: 'happy-dom',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
