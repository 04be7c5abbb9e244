import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { noFaceService } from '../../test/kit/no-face-service.js';
import { openTestPlatform, type TestPlatformOnDisk } from '../../test/kit/test-platform.js';
import type { Platform } from '../server/compose-platform.js';
import { createEngine, DEFAULT_ENGINE_ID } from '../engines/engine-registry.js';
import { createTemplate } from '../templates/template.js';
import { encodeTemplate } from '../templates/template-codec.js';
import { randomVector, seededRandom } from '../runtime/seeded-random.js';
import { ASSERTION_AUDIENCE, type AssertionClaims } from './assertion-claims.js';
import type { CheckoutRequest } from './checkout-service.js';

const engine = createEngine(DEFAULT_ENGINE_ID);
const random = seededRandom(7);
const person = () => randomVector(engine.dimension, random);
const templateOf = (vector: Float32Array) => encodeTemplate(createTemplate(engine, vector));
/** The same face, captured again: a small perturbation. */
const nearby = (vector: Float32Array, amount = 0.05) => vector.map((x) => x + (random() * 2 - 1) * amount);

describe('checkout service (device templates, second factors, look-alikes, lockout, erasure)', () => {
  let opened: TestPlatformOnDisk;
  let store: SqliteStore;
  let platform: Platform;
  let now = new Date('2026-11-26T12:00:00Z');
  let tenantId: string;
  const alice = person();
  const bob = nearby(alice, 0.02); // enrolled look-alike of alice
  const carol = person();
  const subjects: Record<string, string> = {};

  async function enroll(
    name: string,
    vector: Float32Array,
    purposes: Array<'payment' | 'personalization'>,
    phone: string,
    options: { allowDuplicate?: boolean } = {},
  ) {
    const consent = await platform.consent.grant(tenantId, 'test', {
      textVersion: 'eu-2026-11',
      purposes,
      jurisdiction: 'EU',
      deviceId: 'k',
    });
    const receipt = await jwtVerify(consent.receipt, createLocalJWKSet(await platform.signingKeys.jwks()), { currentDate: now });
    assert.deepEqual(receipt.payload.purposes, [...purposes].sort(), 'the signed consent receipt names the purposes granted');
    const subject = await platform.consent.createSubject(tenantId, 'test', { externalRef: name, consentId: consent.id });
    await platform.biometrics.enroll(tenantId, subject.id, { template: templateOf(vector) }, { actor: 'key:admin' }, options);
    await platform.wallet.linkToken(tenantId, 'test', subject.id, `tok_${name}_0123456789abcdef`);
    await platform.wallet.setSecondFactor(tenantId, subject.id, 'phone_last4', phone);
    subjects[name] = subject.id;
  }

  const pay = (vector: Float32Array, extra: Partial<CheckoutRequest> = {}) =>
    platform.checkout.checkout({
      tenantId,
      terminalId: 'till-1',
      nonce: randomBytes(8).toString('hex'),
      amount: 990,
      currency: 'EUR',
      merchantRef: 'r-1',
      probe: { template: templateOf(nearby(vector)) },
      ...extra,
    });

  before(async () => {
    opened = await openTestPlatform('checkout', noFaceService, { settings: { clock: () => now } });
    ({ store, platform } = opened);
    tenantId = (await store.createTenant({ name: 'shop' })).id;
    await enroll('alice', alice, ['payment', 'personalization'], '1111');
    // Look-alikes (twins) are a second subject only by an admin's override of the duplicate check.
    await enroll('bob', bob, ['payment'], '2222', { allowDuplicate: true });
    await enroll('carol', carol, ['payment'], '3333');
  });
  after(async () => {
    await opened.close();
  });

  it('asks a device template for a second factor: it carries no liveness evidence of ours', async () => {
    const result = await pay(carol);
    assert.equal(result.outcome, 'second_factor_required');
    assert.ok(result.reasons.includes('liveness_unverified'));
    assert.equal(result.assertion, undefined);
  });

  it('with the right second factor, approves and signs an assertion bound to this payment', async () => {
    const result = await pay(carol, { secondFactor: { kind: 'phone_last4', value: '3333' }, nonce: 'nonce-42' });
    assert.equal(result.outcome, 'approved', JSON.stringify(result.reasons));
    assert.equal(result.subjectId, subjects.carol);
    const { payload, protectedHeader } = await jwtVerify<AssertionClaims>(
      result.assertion!.jws,
      createLocalJWKSet(await platform.signingKeys.jwks()),
      { audience: ASSERTION_AUDIENCE, issuer: 'http://facekey.test', currentDate: now },
    );
    assert.equal(protectedHeader.typ, 'facekey-assertion+jwt');
    assert.deepEqual(
      [payload.token_ref, payload.amount, payload.currency, payload.merchant, payload.terminal, payload.nonce, payload.second_factor],
      ['tok_carol_0123456789abcdef', 990, 'EUR', tenantId, 'till-1', 'nonce-42', 'phone_last4'],
    );
    assert.equal(payload.exp - payload.iat, 120);
    assert.ok(payload.score >= payload.threshold);
    assert.equal(JSON.stringify(payload).includes('3333'), false, 'the second factor value never leaves');
  });

  it('never lets face alone choose between enrolled look-alikes; the second factor settles it', async () => {
    const probe = { template: templateOf(alice) };
    const faceOnly = await pay(alice, { probe, secondFactor: undefined });
    assert.equal(faceOnly.outcome, 'second_factor_required');
    assert.ok(faceOnly.reasons.includes('look_alike'), JSON.stringify(faceOnly));
    const narrowed = await pay(alice, { probe, secondFactor: { kind: 'phone_last4', value: '2222' } });
    assert.equal(narrowed.outcome, 'approved');
    assert.equal(narrowed.subjectId, subjects.bob);
  });

  it('declines a second factor that fits nobody who matches, and locks a subject after repeated failures', async () => {
    const wrong = await pay(carol, { secondFactor: { kind: 'phone_last4', value: '1111' } });
    assert.deepEqual(wrong.reasons, ['second_factor_mismatch']);
    for (let i = 0; i < 5; i++) await pay(person(), { subjectId: subjects.carol!, secondFactor: { kind: 'phone_last4', value: '3333' } });
    const locked = await pay(carol, { subjectId: subjects.carol!, secondFactor: { kind: 'phone_last4', value: '3333' } });
    assert.deepEqual(locked.reasons, ['subject_locked']);
    now = new Date(now.getTime() + 16 * 60_000);
    const later = await pay(carol, { subjectId: subjects.carol!, secondFactor: { kind: 'phone_last4', value: '3333' } });
    assert.equal(later.outcome, 'approved', 'the lock lifts after the lockout period');
  });

  it('remembers orders only for consumers who granted personalization', async () => {
    const basket = [{ sku: 'latte', name: 'Latte', quantity: 2 }];
    await pay(alice, { probe: { template: templateOf(alice) }, secondFactor: { kind: 'phone_last4', value: '1111' }, basket });
    const usual = await pay(alice, { probe: { template: templateOf(alice) }, secondFactor: { kind: 'phone_last4', value: '1111' } });
    assert.equal(usual.personalization?.favourites[0]?.sku, 'latte');
    const bobPays = await pay(bob, { probe: { template: templateOf(bob) }, secondFactor: { kind: 'phone_last4', value: '2222' }, basket });
    assert.equal(bobPays.outcome, 'approved');
    assert.equal(bobPays.personalization, undefined);
    assert.deepEqual((await platform.consent.exportData(tenantId, subjects.bob!)).orders, []);
  });

  it('exports everything held about a person, biometrics as a count only', async () => {
    const exported = await platform.consent.exportData(tenantId, subjects.alice!);
    assert.deepEqual(exported.biometricTemplates, {
      count: 1,
      byEngine: { [`${engine.id}@${engine.version}`]: 1 },
      note: 'templates are biometric data and are not exported',
    });
    assert.deepEqual(exported.secondFactors, ['phone_last4']);
    assert.equal((exported.orders as unknown[]).length, 1, 'one basket was recorded');
    assert.equal(JSON.stringify(exported).includes('1111'), false);
  });

  it('withdrawing only personalization erases the orders and keeps payment working', async () => {
    const { consent, erasure, ordersErased } = await platform.consent.optOut(tenantId, 'test', subjects.alice!, ['personalization']);
    assert.deepEqual([consent.purposes, consent.withdrawnAt, erasure, ordersErased], [['payment'], null, null, 1]);
    const paid = await pay(alice, { probe: { template: templateOf(alice) }, secondFactor: { kind: 'phone_last4', value: '1111' } });
    assert.equal(paid.outcome, 'approved');
    assert.equal(paid.personalization, undefined);
  });

  it('opting out erases at once: no more payments, a receipt, and the audit chain records it', async () => {
    const { erasure } = await platform.consent.optOut(tenantId, 'test', subjects.carol!);
    assert.deepEqual([erasure?.reason, erasure?.templatesErased, erasure?.tokensUnlinked], ['opt_out', 1, 1]);
    const { payload, protectedHeader } = await jwtVerify(erasure!.receipt, createLocalJWKSet(await platform.signingKeys.jwks()), {
      issuer: 'http://facekey.test',
      currentDate: now,
    });
    assert.equal(protectedHeader.typ, 'facekey-erasure-receipt+jwt');
    assert.deepEqual([payload.reason, payload.templates_erased, payload.consent_id], ['opt_out', 1, erasure!.consentId]);
    assert.equal(await store.getSubject(tenantId, subjects.carol!), undefined);
    const after = await pay(carol, { secondFactor: { kind: 'phone_last4', value: '3333' } });
    assert.deepEqual(after.reasons, ['second_factor_mismatch']);
    const types: string[] = [];
    for await (const entry of platform.audit) types.push(entry.type);
    assert.ok(types.includes('subject.erased') && types.includes('checkout') && types.includes('enrollment'));
  });

  it('the retention sweep erases enrollments inactive past the retention period', async () => {
    now = new Date(now.getTime() + 731 * 86_400_000);
    const receipts = await platform.consent.sweepRetention();
    assert.deepEqual(receipts.map((r) => r.reason).sort(), ['retention', 'retention']);
    assert.equal(await store.getSubject(tenantId, subjects.alice!), undefined);
    assert.deepEqual(await platform.consent.sweepRetention(), [], 'a second sweep finds nothing left');
  });
});
