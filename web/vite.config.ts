/**
 * @module Vite build of the web UI into web/dist. The server's CSP allows only same-origin scripts and styles,
 * so the build must emit no inline script or style: no modulepreload polyfill, CSS as a file.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: false,
  // Vite 8 transforms TS/JSX with Oxc; Preact's automatic runtime needs no plugin.
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    // Keep every asset a file: inlined data: URLs would be fine for images, but one rule is easier to audit.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for UI work against a running `gatehouse serve`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
