import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // Served by the signaling server under /react/ (see tools/dev/demo.mjs).
  base: '/react/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  // `nx serve`: the page's same-origin /ws goes to a signaling server started separately on 8787.
  server: { proxy: { '/ws': { target: 'ws://127.0.0.1:8787', ws: true } } },
});
