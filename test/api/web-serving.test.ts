/** The web apps' files and /v1/web-config, served from a throwaway build folder. */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApp } from '../kit/test-app.js';
import { WEB_APPS } from '../../src/api/web-routes.js';

function fakeWebBuild(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-web-'));
  for (const app of WEB_APPS) {
    fs.mkdirSync(path.join(root, app), { recursive: true });
    fs.writeFileSync(path.join(root, app, 'index.html'), `<!doctype html><title>${app}</title>`);
  }
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'assets', 'console-3f2a1b.js'), 'console.log(1)');
  fs.mkdirSync(path.join(root, 'models', 'human'), { recursive: true });
  fs.writeFileSync(path.join(root, 'models', 'human', 'blazeface.json'), '{}');
  fs.writeFileSync(path.join(root, 'models', 'manifest.json'), JSON.stringify({ version: MODELS_VERSION, files: [] }));
  return root;
}

const MODELS_VERSION = '0123456789abcdef';

test('web apps: pages with CSP and no-cache, immutable assets, models immutable under their version and with ETag', async (t) => {
  const root = fakeWebBuild();
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const { app } = await startTestApp(t, 'web-serving', { web: { root, networkUrl: 'http://127.0.0.1:8081', languages: ['en', 'ja'] } });

  for (const page of ['/kiosk/enroll', '/kiosk/checkout/', '/console', '/console/', '/privacy']) {
    const r = await app.inject({ method: 'GET', url: page });
    assert.equal(r.statusCode, 200, page);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.equal(r.headers['cache-control'], 'no-cache', page);
    const csp = String(r.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "media-src 'self' blob: mediastream:",
      "connect-src 'self' http://127.0.0.1:8081",
      'frame-src http://127.0.0.1:8081',
      "worker-src 'self' blob:",
    ])
      assert.ok(csp.includes(directive), `${page}: ${directive} in ${csp}`);
    assert.ok(r.body.includes('<title>'), page);
  }

  const asset = await app.inject({ method: 'GET', url: '/assets/console-3f2a1b.js' });
  assert.equal(asset.statusCode, 200);
  assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  const model = await app.inject({ method: 'GET', url: '/models/human/blazeface.json' });
  assert.equal(model.statusCode, 200);
  assert.equal(model.headers['cache-control'], 'public, max-age=86400');
  assert.ok(model.headers.etag);
  const revalidated = await app.inject({
    method: 'GET',
    url: '/models/human/blazeface.json',
    headers: { 'if-none-match': String(model.headers.etag) },
  });
  assert.equal(revalidated.statusCode, 304);
  // Under the version of their content (the build's manifest), what web-config tells the pages: cached for good.
  const versioned = await app.inject({ method: 'GET', url: `/models/${MODELS_VERSION}/human/blazeface.json` });
  assert.equal(versioned.statusCode, 200);
  assert.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(versioned.body, '{}');
  assert.equal((await app.inject({ method: 'GET', url: '/models/fedcba9876543210/human/blazeface.json' })).statusCode, 404, 'another version is not served');

  const missing = await app.inject({ method: 'GET', url: '/assets/nope.js' });
  assert.equal(missing.statusCode, 404);
  assert.match(String(missing.headers['content-type']), /^application\/problem\+json/);
  assert.equal((await app.inject({ method: 'GET', url: '/assets/../console/index.html' })).statusCode, 404, 'no escaping the folder');

  const config = await app.inject({ method: 'GET', url: '/v1/web-config' });
  assert.equal(config.statusCode, 200);
  const body = JSON.parse(config.body);
  assert.equal(body.networkUrl, 'http://127.0.0.1:8081');
  assert.deepEqual(Object.keys(body.engine).sort(), ['id', 'version']);
  assert.deepEqual([body.currency, body.languages, body.challengeSteps], ['EUR', ['en', 'ja'], 2]);
  assert.equal(body.modelsBase, `/models/${MODELS_VERSION}`);
});

test('without the web build the pages answer 404 problem+json naming it, and the API still runs', async (t) => {
  const root = path.join(os.tmpdir(), `facekey-no-web-build-${process.pid}`);
  const { app } = await startTestApp(t, 'web-missing', { web: { root } });
  for (const url of ['/console', '/kiosk/enroll/', '/assets/app.js', '/models/human/blazeface.json']) {
    const r = await app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 404, url);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/, url);
    assert.match(JSON.parse(r.body).detail, /web build is missing.*npm run build/, url);
  }
  const config = JSON.parse((await app.inject({ method: 'GET', url: '/v1/web-config' })).body);
  assert.equal(config.networkUrl, null);
  assert.equal(config.languages[0], 'en');
  assert.equal(config.modelsBase, '/models', 'no manifest: the unversioned path');
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
});
