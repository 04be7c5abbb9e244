/**
 * The four web apps as one multi-page build into dist/web (served by src/api/web-routes.ts).
 * JSX goes through Vite 8's own oxc transform with Preact's automatic runtime, so no Babel preset
 * is needed; every asset is bundled (no CDN) so the strict CSP `script-src 'self'` holds. Each app's
 * index.html holds only its title: page-shell.ts supplies the rest of the document.
 */
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { pageShell } from './page-shell.ts';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  plugins: [pageShell()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // onnxruntime-web's wasm is served from /models/ort (scripts/copy-web-models.ts); without this
  // condition Vite would bundle a second 14 MB copy of it into the assets.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // Human is one 1.6 MB module (two copies: short- and full-range detector); it loads once and is cached.
    chunkSizeWarningLimit: 2000,
    // Kiosks run offline-ish on a LAN: no module-preload polyfill script, which would be inline.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        enroll: here('kiosk/enroll/index.html'),
        checkout: here('kiosk/checkout/index.html'),
        console: here('console/index.html'),
        privacy: here('privacy/index.html'),
      },
    },
  },
});
