import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditDataRefused } from './audit-errors.js';
import { assertAuditable, containsCardNumber } from './auditable-data.js';

const base64Blob = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)).toString('base64');

function refusal(value: unknown): AuditDataRefused {
  try {
    assertAuditable(value);
  } catch (error) {
    assert.ok(error instanceof AuditDataRefused, `expected AuditDataRefused, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(value)} to be refused`);
}

describe('assertAuditable', () => {
  it('accepts the evidence the platform records: ids, scores, thresholds, amounts, counts, engines', () => {
    assert.doesNotThrow(() =>
      assertAuditable({
        subjectId: '3f6c1f9e-6f5a-4b59-9a36-0f0b5a4c2e11',
        templateId: 'tpl_01HZX3',
        templateIds: ['tpl_1', 'tpl_2'],
        templatesErased: 3,
        score: 0.8731,
        threshold: 0.62,
        targetFmr: 1e-4,
        amount: 123456,
        currency: 'EUR',
        engine: 'dlib-resnet@1.0.0',
        liveness: { method: 'burst', passed: true, scores: { frames: 8, meanMotion: 0.02 } },
        source: 'device_template',
        companyId: 'c1',
        spanId: 'a1b2c3',
        at: '2025-06-11T10:00:00.000Z',
        phone: '+44 20 7946 0958',
        candidates: [{ subjectId: 's1', score: 0.9 }],
        hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      }),
    );
  });

  it('refuses keys naming biometric or card data, at any depth, naming the path but not the value', () => {
    for (const [data, path] of [
      [{ faceTemplate: 'AAEC' }, 'data.faceTemplate'],
      [{ capture: { image: 'x' } }, 'data.capture.image'],
      [{ frames: [{ t: 1 }] }, 'data.frames'],
      [{ items: [{ embedding: [0.1, 0.2] }] }, 'data.items[0].embedding'],
      [{ descriptor: 'd' }, 'data.descriptor'],
      [{ featureVector: 'v' }, 'data.featureVector'],
      [{ card_number: 'x' }, 'data.card_number'],
      [{ cardPan: 'x' }, 'data.cardPan'],
      [{ PAN: 'x' }, 'data.PAN'],
    ] as const) {
      const error = refusal(data);
      assert.equal(error.code, 'audit_data_refused');
      assert.equal(error.status, 500);
      assert.equal(error.details.path, path);
      assert.ok(!error.message.includes('AAEC'), error.message);
    }
  });

  it('refuses base64 blobs longer than 256 characters, also URL-safe or broken into lines', () => {
    refusal({ note: base64Blob });
    refusal({ note: base64Blob.replace(/\+/g, '-').replace(/\//g, '_') });
    refusal({ note: `data:image/png;base64,${base64Blob}` });
    refusal({ note: base64Blob.match(/.{1,76}/g)!.join('\r\n') });
    assert.doesNotThrow(() => assertAuditable({ note: base64Blob.slice(0, 256) }));
    assert.doesNotThrow(() => assertAuditable({ note: 'word '.repeat(200) }));
  });

  it('refuses Luhn-valid card numbers in strings, numbers and keys, grouped or not', () => {
    const error = refusal({ merchantRef: 'order for 4111 1111 1111 1111' });
    assert.ok(!error.message.includes('4111'), error.message);
    refusal({ ref: '4111-1111-1111-1111' });
    refusal({ ref: 4111111111111111 });
    refusal({ ['5500005555555559']: true });
    refusal({ ref: '4111 1111 1111 1111 0925' });
    refusal({ refs: ['ok', '378282246310005'] });
  });

  it('accepts UUIDs whose all-digit groups happen to pass the Luhn check, but not the same digits grouped as a card', () => {
    const id = '41111111-1111-1111-a111-111111111111';
    assert.doesNotThrow(() => assertAuditable({ templateId: id, note: `subject ${id}` }, 'data'));
    assert.throws(() => assertAuditable({ note: '4111-1111-1111-1111' }, 'data'), AuditDataRefused);
  });

  it('refuses values that are not plain JSON', () => {
    refusal({ blob: Buffer.from('x') });
    refusal({ blob: new Float32Array(4) });
    refusal({ score: Number.NaN });
    refusal({ when: new Date() });
  });

  it('refuses nesting deep enough to hide anything', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { next: deep };
    refusal(deep);
  });
});

describe('containsCardNumber', () => {
  it('finds 13–19 Luhn-valid digits only', () => {
    assert.equal(containsCardNumber('4111111111111111'), true);
    assert.equal(containsCardNumber('4111111111111112'), false, 'fails Luhn');
    assert.equal(containsCardNumber('411111111111'), false, 'too short');
    assert.equal(containsCardNumber('41111111111111111111111'), false, 'an ungrouped 23-digit id is not a card number');
    assert.equal(containsCardNumber('6011 0009 9013 9424'), true);
  });
});
