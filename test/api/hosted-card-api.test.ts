/** The network simulator's hosted card page and its tokenizing endpoint, over HTTP. */
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestSimulator, TEST_PAN } from '../kit/network-test-kit.js';

/** fetch() always states an Origin; a script outside any browser need not. */
function postWithoutOrigin(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

test('hosted card page: allowlisted origins only; tokens only from the page, with its token', async (t) => {
  const sim = await startTestSimulator({ cardPageOrigins: ['https://shop.example'] });
  t.after(() => sim.close());
  const page = (origin: string) => fetch(`${sim.url}/hosted/card?origin=${encodeURIComponent(origin)}`);

  const bad = await page('https://evil.example');
  assert.equal(bad.status, 400);
  assert.match(String(bad.headers.get('content-type')), /problem\+json/);
  assert.equal((await fetch(`${sim.url}/hosted/card`)).status, 400, 'origin is required');

  const kiosk = 'http://127.0.0.1:45678';
  const good = await page(kiosk);
  assert.equal(good.status, 200);
  assert.match(String(good.headers.get('content-type')), /^text\/html/);
  assert.match(String(good.headers.get('content-security-policy')), new RegExp(`frame-ancestors ${kiosk}$`));
  assert.equal(good.headers.get('cache-control'), 'no-store');
  const html = await good.text();
  const pageToken = /const pageToken = "([^"]+)"/.exec(html)![1]!;
  assert.equal((await page('https://shop.example')).status, 200, 'the configured origin too');

  const post = (body: Record<string, unknown>, origin: string | undefined = new URL(sim.url).origin) =>
    fetch(`${sim.url}/hosted/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
      body: JSON.stringify(body),
    });
  const card = { pan: TEST_PAN, expiryMonth: 12, expiryYear: 2099 };
  const ok = await post({ ...card, pageToken, origin: kiosk });
  assert.equal(ok.status, 201);
  const token = (await ok.json()) as { tokenRef: string; last4: string };
  assert.match(token.tokenRef, /^tok_/);
  assert.equal(token.last4, '1111');

  assert.equal((await post({ ...card, pageToken, origin: kiosk }, 'http://127.0.0.1:45678')).status, 403, 'another site posting');
  assert.equal(await postWithoutOrigin(`${sim.url}/hosted/tokens`, { ...card, pageToken, origin: kiosk }), 403, 'no Origin header');
  assert.equal((await post({ ...card, pageToken: 'x.y', origin: kiosk })).status, 403, 'a made-up page token');
  assert.equal((await post({ ...card, pageToken, origin: 'http://127.0.0.1:1' })).status, 403, 'a token of another origin');
  const invalid = await post({ ...card, pan: '4111111111111112', pageToken, origin: kiosk });
  assert.deepEqual([invalid.status, ((await invalid.json()) as { code: string }).code], [422, 'invalid_card']);
  assert.equal((await sim.post('/v1/tokens', card)).status, 201, 'the acquirer route is unchanged');
  assert.equal(sim.logLines.join('\n').includes(TEST_PAN), false, 'the card number never reaches the log');
});
