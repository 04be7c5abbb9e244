import test from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/api/build-app.js';
import type { Platform } from '../../src/server/compose-platform.js';

test('requests without credentials beyond the per-address limit get 429 problem+json rate_limited', async () => {
  // /health touches neither the store nor the biometric service.
  const app = await buildApp({
    platform: { publicUrl: 'http://facekey.test' } as Platform,
    readiness: async () => ({}),
    abuseLimits: { addressPerMinute: 3 },
  });
  try {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await app.inject({ method: 'GET', url: '/health' });
      statuses.push(last.statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(JSON.parse(last!.body).code, 'rate_limited');
    assert.match(String(last!.headers['content-type']), /problem\+json/);
    // A request with credentials is judged by its principal once verified, not by the address
    // (/health verifies nobody, so this one is counted afterwards and answered).
    const other = await app.inject({
      method: 'GET',
      url: '/health',
      headers: { authorization: `Bearer fk_${'1'.repeat(16)}_${'a'.repeat(43)}` },
    });
    assert.equal(other.statusCode, 200);
  } finally {
    await app.close();
  }
});
