import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  // Served by the signaling server under /vue/ (see tools/dev/demo.mjs).
  base: '/vue/',
  plugins: [vue()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  // `nx serve`: the page's same-origin /ws goes to a signaling server started separately on 8787.
  server: { proxy: { '/ws': { target: 'ws://127.0.0.1:8787', ws: true } } },
});
