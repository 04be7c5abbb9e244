/**
 * Idempotency-Key on enrollment, through the real route and the real SQLite store, with a stand-in
 * service whose enrollment waits on a gate: that is what lets two identical requests overlap.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { biometricRoutes, DEFAULT_IDEMPOTENCY } from '../../src/api/routes/biometric-routes.js';
import { sendProblem, toProblem } from '../../src/api/problem-details.js';
import { issueApiKey } from '../../src/auth/api-key.js';
import type { BiometricService } from '../../src/biometrics/biometric-service.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const ENGINE = { engineId: 'idempotency-test', engineVersion: '1' };

/** Enrollment that stores a template once `release()` is called, or fails when told to. */
function gatedService(store: SqliteStore) {
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  const state = { runs: 0, failNext: false };
  const service = {
    async enroll(tenantId: string, subjectId: string) {
      state.runs++;
      await gate;
      if (state.failNext) {
        state.failNext = false;
        throw new Error('engine crashed');
      }
      const { templateId } = await store.addTemplate({ tenantId, subjectId, ...ENGINE, template: randomBytes(16), maxPerSubject: 10 });
      return { templateId, capture: {}, engine: ENGINE };
    },
  } as unknown as BiometricService;
  return {
    service,
    state,
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'facekey-idempotency-'));
const store = await SqliteStore.open({ path: join(dir, 'facekey.db'), masterKey: randomBytes(32) });

describe('Idempotency-Key on enrollment', () => {
  const gated = gatedService(store);
  let app: FastifyInstance;
  let token: string;
  let tenantId: string;

  before(async () => {
    app = Fastify();
    app.setErrorHandler((error, request, reply) => sendProblem(reply, request, toProblem(error)));
    await app.register(biometricRoutes(store, gated.service, { ...DEFAULT_IDEMPOTENCY, ttlMs: 300 }), { prefix: '/v1' });
    tenantId = (await store.createTenant({ name: 'shop' })).id;
    const key = issueApiKey();
    await store.createApiKey({ tenantId, scopes: ['enroll'], keyId: key.keyId, secretHash: key.secretHash });
    token = key.token;
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function newSubject(): Promise<string> {
    return (await store.createSubject({ tenantId, externalRef: `p-${randomBytes(4).toString('hex')}`, consentId: 'c' })).id;
  }

  function enroll(subjectId: string, idempotencyKey: string, template = 'AAEC') {
    return app.inject({
      method: 'POST',
      url: `/v1/subjects/${subjectId}/templates`,
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': idempotencyKey },
      payload: { template },
    });
  }

  it('runs one of two concurrent identical enrollments; the other gets 409 and later the replay', async () => {
    const subjectId = await newSubject();
    gated.hold();
    const runsBefore = gated.state.runs;
    const first = enroll(subjectId, 'race-1');
    const second = enroll(subjectId, 'race-1');
    // Whichever request reserved the key is now parked on the gate; the other has already been answered.
    const loser = await Promise.race([first, second]);
    assert.equal(loser.statusCode, 409);
    assert.equal(loser.json().code, 'conflict');
    assert.equal(loser.json().detail, 'request with this Idempotency-Key is in progress');
    gated.release();
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [201, 409]);
    assert.equal(gated.state.runs - runsBefore, 1, 'the service ran once');
    assert.equal((await store.listTemplates(tenantId, subjectId)).length, 1, 'exactly one template');

    const winner = a.statusCode === 201 ? a : b;
    const replay = await enroll(subjectId, 'race-1');
    assert.equal(replay.statusCode, 200);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.json().templateId, winner.json().templateId);
    assert.equal((await enroll(subjectId, 'race-1', 'AAED')).json().detail, 'this Idempotency-Key was used with a different request');
  });

  it('releases the key when the run fails, so the retry enrolls', async () => {
    const subjectId = await newSubject();
    gated.state.failNext = true;
    assert.equal((await enroll(subjectId, 'fail-1')).statusCode, 500);
    const retry = await enroll(subjectId, 'fail-1');
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], 'false');
    assert.equal((await store.listTemplates(tenantId, subjectId)).length, 1);
  });

  it('forgets a response once its record expires', async () => {
    const subjectId = await newSubject();
    assert.equal((await enroll(subjectId, 'ttl-1')).statusCode, 201);
    assert.equal((await enroll(subjectId, 'ttl-1')).statusCode, 200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await enroll(subjectId, 'ttl-1')).statusCode, 201, 'the expired key runs again');
    assert.equal((await store.listTemplates(tenantId, subjectId)).length, 2);
  });
});
