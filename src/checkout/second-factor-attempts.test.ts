import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { noFaceService } from '../../test/kit/no-face-service.js';
import { openTestPlatform, type TestPlatformOnDisk } from '../../test/kit/test-platform.js';
import type { Platform } from '../server/compose-platform.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../engines/engine-registry.js';
import { createTemplate } from '../templates/template.js';
import { encodeTemplate } from '../templates/template-codec.js';
import { randomVector, seededRandom } from '../runtime/seeded-random.js';

const engine = createEngine(DEFAULT_ENGINE_ID);
const random = seededRandom(12);
const person = () => randomVector(engine.dimension, random);
const templateOf = (vector: Float32Array) => encodeTemplate(createTemplate(engine, vector.map((x) => x + (random() * 2 - 1) * 0.05)));

describe('second-factor guessing in 1:N checkout (no subject id presented)', () => {
  let opened: TestPlatformOnDisk;
  let store: SqliteStore;
  let platform: Platform;
  let now = new Date('2026-11-29T12:00:00Z');
  let tenantId: string;
  const dana = person();
  const erin = person();
  let nonces = 0;

  async function enroll(name: string, vector: Float32Array, pin: string): Promise<string> {
    const consent = await platform.consent.grant(tenantId, 'test', { textVersion: 'eu-2026-11', purposes: ['payment'], jurisdiction: 'EU', deviceId: 'k' });
    const subject = await platform.consent.createSubject(tenantId, 'test', { externalRef: name, consentId: consent.id });
    await platform.biometrics.enroll(tenantId, subject.id, { template: templateOf(vector) });
    await platform.wallet.linkToken(tenantId, 'test', subject.id, `tok_${name}_0123456789abcdef`);
    await platform.wallet.setSecondFactor(tenantId, subject.id, 'pin', pin);
    return subject.id;
  }

  const pay = (vector: Float32Array, pin: string, terminalId = 'till-1') =>
    platform.checkout.checkout({
      tenantId,
      terminalId,
      nonce: `nonce-${++nonces}`,
      amount: 990,
      currency: 'EUR',
      merchantRef: 'r-1',
      probe: { template: templateOf(vector) },
      secondFactor: { kind: 'pin', value: pin },
    });

  before(async () => {
    opened = await openTestPlatform('pin-guess', noFaceService, { settings: { clock: () => now } });
    ({ store, platform } = opened);
    tenantId = (await store.createTenant({ name: 'shop' })).id;
    await enroll('dana', dana, '4826');
    await enroll('erin', erin, '1357');
  });
  after(async () => {
    await opened.close();
  });

  it('the right PIN still pays before any guessing (control)', async () => {
    const paid = await pay(dana, '4826');
    assert.equal(paid.outcome, 'approved', JSON.stringify(paid.reasons));
  });

  it('six wrong PINs with a stolen device template lock the person: the right PIN is then declined subject_locked', async () => {
    for (const guess of ['0000', '1111', '2222', '3333', '5555', '6666']) {
      const wrong = await pay(dana, guess, 'till-2');
      assert.equal(wrong.outcome, 'declined');
      assert.deepEqual(wrong.reasons, ['second_factor_mismatch']);
    }
    const right = await pay(dana, '4826', 'till-3');
    assert.equal(right.outcome, 'declined', 'the guesser must not get in on the seventh try');
    assert.deepEqual(right.reasons, ['subject_locked']);
    // Someone else is not affected.
    assert.equal((await pay(erin, '1357', 'till-3')).outcome, 'approved');
    now = new Date(now.getTime() + 16 * 60_000);
    assert.equal((await pay(dana, '4826', 'till-4')).outcome, 'approved', 'the lock lifts after lockoutSeconds');
  });

  it('one PIN sprayed over many faces locks that (tenant, factor) value: second_factor_locked', async () => {
    for (let i = 0; i < 5; i++) assert.deepEqual((await pay(person(), '9999', `till-spray-${i}`)).reasons, ['second_factor_mismatch']);
    const sprayed = await pay(person(), '9999', 'till-spray-x');
    assert.deepEqual(sprayed.reasons, ['second_factor_locked']);
  });
});
