/**
 * The kit's way of starting facekey for browser suites: the built service in-process, a tenant with an
 * admin key made through the operator key, a fleet claim a kiosk can pair with. Needs `npm run build`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builtServiceMissingReason, serveFacekey } from '../kit/browser/serve-facekey.js';

test('serveFacekey starts the built service on a free port with a tenant admin and a fleet claim', { skip: builtServiceMissingReason() }, async () => {
  const served = await serveFacekey();
  try {
    assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${served.url}/health`)).status, 200);
    const admin = await served.createTenant('kit tenant');
    assert.match(admin.adminKey, /^fk_/);
    const claim = await served.createClaim(admin);
    assert.ok(claim.token.length > 20);
    // The admin key is the tenant's: it lists that tenant's terminals (none yet).
    const terminals = await served.call<{ items: unknown[] }>('GET', '/v1/terminals', admin.adminKey);
    assert.deepEqual(terminals.items, []);
  } finally {
    await served.close();
  }
  assert.equal(fs.existsSync(served.dataDir), false);
});
