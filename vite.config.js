// @ts-check
import { defineConfig } from 'vite';

// Cross-origin isolation is not needed by the single-thread ffmpeg core, but it costs nothing for a
// same-origin site and keeps SharedArrayBuffer (WebCodecs workers, mt cores) open for later.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: 'web',
  base: './',
  // Pyodide, its wheels, the vizengine package, ffmpeg.wasm's core and the demo track: put there by
  // `make assets` (scripts/), served as they are, never fetched from a CDN.
  publicDir: '../build/public',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util'] },
  server: { headers: isolation, host: '127.0.0.1' },
  preview: { headers: isolation, host: '127.0.0.1' },
});
