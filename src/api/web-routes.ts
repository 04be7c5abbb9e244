/**
 * The browser apps, served by facekey itself (no CDN): the HTML of each app, its hashed assets and
 * the model files the in-browser engine loads, from the web build (`dist/web`, made by
 * `npm run build`): under /models/<version>/ (the digest of their content, from the build's manifest),
 * cached for good, and under /models/ for a day with an ETag. A service started without the web build still runs: these routes then answer
 * 404 problem+json saying the build is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { NotFound } from '../errors/domain-errors.js';
import { problem, sendProblem } from './problem-details.js';

/** Each app's path; its page is `<root>/<app>/index.html`. */
export const WEB_APPS = ['kiosk/enroll', 'kiosk/checkout', 'console', 'privacy'] as const;

export interface WebServingOptions {
  /** The web build's folder (dist/web). */
  readonly root: string;
  /** The card network's base URL: the kiosks frame its hosted card page and call nothing else off-site. */
  readonly networkUrl: string | null;
}

/**
 * The pages' Content-Security-Policy: every script, style, image, model and worker from facekey
 * itself; WebAssembly compiled in the page (the face engine), the camera's media stream, and the
 * network simulator's card page in a frame. No inline script, no plug-ins, no framing of facekey.
 */
export function webContentSecurityPolicy(networkUrl: string | null): string {
  const network = networkUrl ? ` ${new URL(networkUrl).origin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    `connect-src 'self'${network}`,
    `frame-src${network || " 'none'"}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** What the web build's model manifest (scripts/copy-web-models.ts) must say its version is: hex, as written. */
const MODELS_VERSION = /^[0-9a-f]{16}$/;

/**
 * The models' version from the web build's manifest (a digest of their content), or null without a
 * (readable) manifest. The models are then also served under /models/<version>/, immutable.
 */
export function webModelsVersion(root: string): string | null {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'models', 'manifest.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' && MODELS_VERSION.test(manifest.version) ? manifest.version : null;
  } catch {
    return null;
  }
}

/** Where the pages load the models from (web-config's `modelsBase`): the versioned path when there is one. */
export function webModelsBase(version: string | null): string {
  return version ? `/models/${version}` : '/models';
}

function missingBuild(root: string, what: string): NotFound {
  return new NotFound(`the web build is missing: no ${what} under ${root}; run \`npm run build\``);
}

/** Static files under one prefix; a missing file is a problem+json 404 that names the build's folder. */
function staticFolder(root: string, folder: string, cache: { maxAge: string; immutable: boolean }): FastifyPluginAsync {
  // Hashed file names and versioned model paths never change content: cached for a year, never revalidated;
  // /models/ itself changes with a release: a day, then revalidated by ETag.
  return async (scope) => {
    const dir = path.join(root, folder);
    scope.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
      const detail = fs.existsSync(dir) ? `no file ${request.url} in the web build` : missingBuild(root, `${folder}/`).message;
      return sendProblem(reply, request, problem(404, 'not_found', detail));
    });
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      decorateReply: false,
      maxAge: cache.maxAge,
      immutable: cache.immutable,
      etag: true,
      index: false,
      dotfiles: 'deny',
    });
  };
}

export function webRoutes(options: WebServingOptions): FastifyPluginAsync {
  const csp = webContentSecurityPolicy(options.networkUrl);
  return async (app) => {
    // sendFile for the pages; the folders below register their own, undecorated, instances.
    await app.register(fastifyStatic, { root: options.root, serve: false });
    for (const name of WEB_APPS) {
      const page = path.join(options.root, name, 'index.html');
      const handler = async (request: FastifyRequest, reply: FastifyReply) => {
        if (!fs.existsSync(page)) throw missingBuild(options.root, `${name}/index.html`);
        return reply
          .header('content-security-policy', csp)
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'no-referrer')
          .sendFile(`${name}/index.html`, options.root, { cacheControl: false });
      };
      app.get(`/${name}`, { schema: { hide: true } }, handler);
      app.get(`/${name}/`, { schema: { hide: true } }, handler);
    }
    await app.register(staticFolder(options.root, 'assets', { maxAge: '365d', immutable: true }), { prefix: '/assets' });
    // The models under their content version: another version is simply not found (a page that old reloads).
    const version = webModelsVersion(options.root);
    if (version) await app.register(staticFolder(options.root, 'models', { maxAge: '365d', immutable: true }), { prefix: `/models/${version}` });
    await app.register(staticFolder(options.root, 'models', { maxAge: '1d', immutable: false }), { prefix: '/models' });
  };
}
