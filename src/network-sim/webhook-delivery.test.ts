import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localKeys, makeSigningKey, matchingRequest, MERCHANT, signAssertion, startTestSimulator } from '../../test/kit/network-test-kit.js';
import { SIGNATURE_HEADER } from './webhook-dispatcher.js';

interface Received {
  readonly raw: string;
  readonly signature: string | undefined;
}

/** A receiver answering each delivery with the next status in `statuses` (then 204). */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; received: Received[]; next(): Promise<Received>; close(): Promise<void> }> {
  const received: Received[] = [];
  const waiters: ((r: Received) => void)[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const item = { raw: Buffer.concat(chunks).toString('utf8'), signature: request.headers[SIGNATURE_HEADER] as string | undefined };
      received.push(item);
      response.writeHead(statuses.shift() ?? 204).end();
      waiters.shift()?.(item);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/network`,
    received,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function validSignature(raw: string, header: string | undefined, secret: string): boolean {
  const expected = Buffer.from('sha256=' + createHmac('sha256', secret).update(raw).digest('hex'));
  return header !== undefined && header.length === expected.length && timingSafeEqual(Buffer.from(header), expected);
}

test('each decision is POSTed to registered webhooks with a valid HMAC of the raw body', async () => {
  const facekey = await makeSigningKey();
  const sim = await startTestSimulator({ keys: localKeys(facekey) });
  const hooks = await receiver();
  try {
    const registered = await sim.post('/v1/webhooks', { url: hooks.url });
    assert.equal(registered.status, 201);
    assert.match(registered.json.id, /^wh_/);
    assert.equal(typeof registered.json.secret, 'string');
    const tokenRef = await sim.tokenize();

    const delivered = hooks.next();
    const authorization = await sim.post('/v1/authorizations', matchingRequest(await signAssertion(facekey, tokenRef)));
    const message = await delivered;
    assert.equal(validSignature(message.raw, message.signature, registered.json.secret), true);
    assert.equal(validSignature(message.raw, message.signature, 'another-secret'), false);
    const event = JSON.parse(message.raw);
    assert.deepEqual(
      { ...event, at: typeof event.at },
      {
        type: 'authorization.decided',
        authorizationId: authorization.json.authorizationId,
        decision: 'approved',
        reasons: [],
        merchant: MERCHANT,
        merchantRef: 'order-42',
        amount: 1250,
        currency: 'EUR',
        at: 'string',
      },
    );

    const declinedDelivery = hooks.next();
    await sim.post('/v1/authorizations', matchingRequest('garbage'));
    const declined = JSON.parse((await declinedDelivery).raw);
    assert.equal(declined.decision, 'declined');
    assert.deepEqual(declined.reasons, ['assertion_invalid']);
  } finally {
    await sim.close();
    await hooks.close();
  }
});

test('a failing receiver is retried with backoff, up to three attempts in all', async () => {
  const facekey = await makeSigningKey();
  const sim = await startTestSimulator({ keys: localKeys(facekey) });
  const flaky = await receiver([500, 503]);
  const broken = await receiver([500, 500, 500, 500, 500]);
  try {
    await sim.post('/v1/webhooks', { url: flaky.url });
    await sim.post('/v1/webhooks', { url: broken.url });
    const third = (async () => {
      await flaky.next();
      await flaky.next();
      return flaky.next();
    })();
    await sim.post('/v1/authorizations', matchingRequest('garbage'));
    const delivered = await third;
    assert.equal(flaky.received.length, 3);
    assert.equal(new Set(flaky.received.map((r) => r.raw)).size, 1, 'every attempt carries the same body');
    assert.equal(JSON.parse(delivered.raw).type, 'authorization.decided');
    // The broken receiver has had its three attempts by the time the backoff (20 + 40 ms) has run twice over.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(broken.received.length, 3);
    const failures = sim.logLines.filter((l) => l.includes('webhook delivery failed'));
    assert.ok(failures.length >= 5, `${failures.length} failures logged`);
    assert.equal(
      failures.some((l) => l.includes('assertion_invalid')),
      false,
      'bodies stay out of the log',
    );
  } finally {
    await sim.close();
    await flaky.close();
    await broken.close();
  }
});

test('a decision is answered without waiting for a slow receiver, and closing cancels pending retries', async () => {
  const facekey = await makeSigningKey();
  // Long backoff: if close() waited on it, this test would time out.
  const sim = await startTestSimulator({ keys: localKeys(facekey), webhookRetryDelaysMs: [60_000, 60_000] });
  const hanging = createServer(() => undefined); // never answers
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const failing = await receiver([500]);
  try {
    await sim.post('/v1/webhooks', { url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/` });
    await sim.post('/v1/webhooks', { url: failing.url });
    const firstAttempt = failing.next();
    const started = Date.now();
    const response = await sim.post('/v1/authorizations', matchingRequest('garbage'));
    assert.equal(response.status, 200);
    assert.ok(Date.now() - started < 1_000, 'the authorization did not wait for webhook delivery');
    await firstAttempt; // now one delivery hangs in flight and the other waits a minute to retry
  } finally {
    const closing = Date.now();
    await sim.close();
    assert.ok(Date.now() - closing < 2_000, 'close() cancelled the in-flight request and the backoff timer');
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
    await failing.close();
  }
});

test('a webhook url must be absolute http(s)', async () => {
  const sim = await startTestSimulator();
  try {
    for (const url of ['not a url', 'ftp://example.test/hook', '/relative']) {
      const response = await sim.post('/v1/webhooks', { url });
      assert.equal(response.status, 422, url);
      assert.equal(response.json.code, 'invalid_webhook_url');
    }
    assert.equal((await sim.post('/v1/webhooks', { url: 'https://example.test/hook', secret: 'mine' })).status, 400);
  } finally {
    await sim.close();
  }
});
