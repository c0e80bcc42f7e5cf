// @ts-check
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

// The Content-Security-Policy, defined once in web/csp.json (each allowance says why there). The header
// carries all of it; the <meta> copy leaves out what browsers ignore in <meta> (frame-ancestors).
const csp = JSON.parse(readFileSync(new URL('./web/csp.json', import.meta.url), 'utf8'));
/** @param {boolean} meta */
const policy = (meta) => csp.directives
  .filter((/** @type {{headerOnly?: boolean}} */ d) => !(meta && d.headerOnly))
  .map((/** @type {{name: string, sources: string[]}} */ d) => [d.name, ...d.sources].join(' '))
  .join('; ');

/** Put the policy right after <meta charset> in the built page, ahead of every script and stylesheet. */
const cspMeta = {
  name: 'csp-meta',
  apply: /** @type {const} */ ('build'), // the dev server's injected client and styles would need inline allowances
  /** @param {string} html */
  transformIndexHtml(html) {
    const charset = /<meta charset="utf-8" \/>/;
    if (!charset.test(html)) throw new Error('csp-meta: no <meta charset="utf-8" /> in index.html to follow');
    const content = policy(true).replaceAll('&', '&amp;').replaceAll('"', '&quot;');
    return html.replace(charset, (m) => `${m}\n    <meta http-equiv="Content-Security-Policy" content="${content}" />`);
  },
};

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
  build: {
    outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000,
    // Fonts stay files, however small: the policy's font-src is 'self', and a data: URL would be refused.
    assetsInlineLimit: (file) => (/\.woff2?$/.test(file) ? false : undefined),
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util'] },
  server: { headers: isolation, host: '127.0.0.1' },
  plugins: [cspMeta],
  // `make serve`: the built site with the full policy as a header, as py/vizengine/cli/server.py sends it.
  preview: { headers: { ...isolation, 'Content-Security-Policy': policy(false) }, host: '127.0.0.1' },
});
