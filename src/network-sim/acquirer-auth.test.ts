import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { localKeys, makeSigningKey, matchingRequest, signAssertion, startTestSimulator, TEST_PAN, type TestSimulator } from '../../test/kit/network-test-kit.js';

let sim: TestSimulator;

before(async () => {
  sim = await startTestSimulator({ keys: localKeys(await makeSigningKey()) });
});
after(async () => {
  await sim.close();
});

const anonymous = async (method: string, path: string, body: unknown, authorization?: string) => {
  const response = await fetch(sim.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get('content-type'), json: await response.json() };
};

test("the simulator's token, authorization and webhook endpoints need the acquirer key", async () => {
  const assertion = await signAssertion(await makeSigningKey(), 'tok_x');
  const calls: Array<[string, string, unknown]> = [
    ['POST', '/v1/tokens', { pan: TEST_PAN, expiryMonth: 12, expiryYear: 2099 }],
    ['POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook' }],
    ['POST', '/v1/authorizations', matchingRequest(assertion)],
  ];
  for (const [method, path, body] of calls) {
    for (const authorization of [undefined, 'Bearer wrong-key-wrong-key-wrong-key', `Basic ${sim.apiKey}`]) {
      const r = await anonymous(method, path, body, authorization);
      assert.equal(r.status, 401, `${method} ${path} with ${authorization ?? 'nothing'}`);
      assert.match(String(r.type), /problem\+json/);
    }
  }
  const allowed = await anonymous('POST', '/v1/tokens', calls[0]![2], `Bearer ${sim.apiKey}`);
  assert.equal(allowed.status, 201);
  assert.equal((await fetch(sim.url + '/health')).status, 200, 'health stays open for probes');
});
