/**
 * The one HTML document every web app shares. An app's `index.html` holds only what is its own
 * (its `<title>`); this Vite plugin wraps it, before Vite reads the page for its scripts, in the
 * shell: language, charset, viewport, the `#app` mount point and the app's `./main.tsx` entry.
 */
import type { Plugin } from 'vite';

export function pageShell(): Plugin {
  return {
    name: 'facekey-page-shell',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) => wrapInShell(html.trim()),
    },
  };
}

function wrapInShell(head: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    ${head}
  </head>
  <body>
    <div id="app"></div>
    <script type="module" src="./main.tsx"></script>
  </body>
</html>
`;
}
