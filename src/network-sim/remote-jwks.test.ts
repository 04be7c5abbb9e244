import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeSigningKey, matchingRequest, signAssertion, startTestSimulator } from '../../test/kit/network-test-kit.js';

/** facekey's `GET /.well-known/jwks.json`, as far as the network can tell. */
async function jwksServer(keys: Record<string, unknown>[]) {
  const state = { status: 200, fetches: 0 };
  const server = createServer((request, response) => {
    state.fetches++;
    if (request.url !== '/.well-known/jwks.json' || state.status !== 200) return void response.writeHead(state.status || 404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('assertions are verified against facekey JWKS fetched over HTTP', async () => {
  const current = await makeSigningKey('2030-01');
  const previous = await makeSigningKey('2029-12');
  const jwks = await jwksServer([current.jwk, previous.jwk]);
  const sim = await startTestSimulator({ jwksUrl: jwks.url });
  try {
    const tokenRef = await sim.tokenize();
    for (const key of [current, previous]) {
      const response = await sim.post('/v1/authorizations', matchingRequest(await signAssertion(key, tokenRef)));
      assert.equal(response.json.decision, 'approved', key.kid);
    }
    const stranger = await makeSigningKey('2030-01');
    const forged = await sim.post('/v1/authorizations', matchingRequest(await signAssertion(stranger, tokenRef)));
    assert.deepEqual(forged.json.reasons, ['assertion_invalid']);
    assert.equal(jwks.state.fetches, 1, 'the key set is cached between authorizations');
  } finally {
    await sim.close();
    await jwks.close();
  }
});

test('unreachable keys are a 503, not a decline, and the assertion stays usable', async () => {
  const facekey = await makeSigningKey();
  const jwks = await jwksServer([facekey.jwk]);
  jwks.state.status = 502;
  const sim = await startTestSimulator({ jwksUrl: jwks.url });
  try {
    const tokenRef = await sim.tokenize();
    const assertion = await signAssertion(facekey, tokenRef);
    const outage = await sim.post('/v1/authorizations', matchingRequest(assertion));
    assert.equal(outage.status, 503);
    assert.equal(outage.contentType, 'application/problem+json; charset=utf-8');
    assert.equal(outage.json.code, 'issuer_keys_unavailable');

    jwks.state.status = 200;
    const retried = await sim.post('/v1/authorizations', matchingRequest(assertion));
    assert.equal(retried.json.decision, 'approved');
  } finally {
    await sim.close();
    await jwks.close();
  }
});
