import test from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/api/build-app.js';
import type { Platform } from '../../src/server/compose-platform.js';

test('requests beyond the per-key rate limit get 429 problem+json rate_limited', async () => {
  // /health touches neither the store nor the biometric service.
  const app = await buildApp({
    platform: {} as Platform,
    readiness: async () => ({}),
    rateLimitPerMinute: 3,
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
    // Another key has its own budget.
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
