/**
 * The four web apps as one multi-page build into dist/web (served by src/api/web-routes.ts).
 * JSX goes through Vite 8's own oxc transform with Preact's automatic runtime, so no Babel preset
 * is needed; every asset is bundled (no CDN) so the strict CSP `script-src 'self'` holds.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
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
