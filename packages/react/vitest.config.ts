import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    // A DOM for React to render into; the call itself is real (signaling server, `ws`, werift).
    environment: 'happy-dom',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
