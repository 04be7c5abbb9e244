import assert from 'node:assert/strict';
import { randomVector, seededRandom } from '../runtime/seeded-random.js';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { InvalidTemplate } from '../errors/domain-errors.js';
import { l2Norm } from '../math/vector-math.js';
import { createTemplate, quantizeInt8, type FaceTemplate, type TemplateSpec } from './template.js';
import { decodeTemplate, encodeTemplate, TEMPLATE_FORMAT_VERSION } from './template-codec.js';

function spec(dimension: number, overrides: Partial<TemplateSpec> = {}): TemplateSpec {
  return { id: 'test-engine', version: '1.0', dimension, dtype: 'float32', ...overrides };
}

function bitsOf(array: Float32Array | Int8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Recomputes the trailing CRC so a test can reach checks that run after the CRC check. */
function reseal(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

interface RawTemplate {
  magic?: string;
  formatVersion?: number;
  dtypeCode?: number;
  reserved?: number;
  dimension?: number;
  scale?: number;
  engineId?: Uint8Array;
  engineVersion?: Uint8Array;
  payload: Uint8Array;
}

/**
 * An independent writer that follows the documented layout, used to hand the decoder well-sealed
 * bytes the real encoder would refuse to produce.
 */
function buildRaw(raw: RawTemplate): Uint8Array {
  const engineId = raw.engineId ?? new TextEncoder().encode('test-engine');
  const engineVersion = raw.engineVersion ?? new TextEncoder().encode('1.0');
  const dtypeCode = raw.dtypeCode ?? 0;
  const bytesPerElement = dtypeCode === 1 ? 1 : 4;
  const dimension = raw.dimension ?? raw.payload.length / bytesPerElement;
  const bytes = new Uint8Array(16 + 1 + engineId.length + 1 + engineVersion.length + raw.payload.length + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(raw.magic ?? 'FKT1'), 0);
  view.setUint16(4, raw.formatVersion ?? 1, true);
  view.setUint8(6, dtypeCode);
  view.setUint8(7, raw.reserved ?? 0);
  view.setUint32(8, dimension, true);
  view.setFloat32(12, raw.scale ?? 1, true);
  let offset = 16;
  view.setUint8(offset++, engineId.length);
  bytes.set(engineId, offset);
  offset += engineId.length;
  view.setUint8(offset++, engineVersion.length);
  bytes.set(engineVersion, offset);
  offset += engineVersion.length;
  bytes.set(raw.payload, offset);
  return reseal(bytes);
}

function float32Payload(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
}

function int8Payload(values: number[]): Uint8Array {
  return new Uint8Array(Int8Array.from(values).buffer);
}

function assertInvalid(action: () => unknown, message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof InvalidTemplate, `expected InvalidTemplate, got ${String(error)}`);
    assert.equal(error.code, 'invalid_template');
    assert.match(error.message, message);
    return true;
  });
}

const DIMENSIONS = [1, 3, 7, 128, 512, 1024];

describe('createTemplate', () => {
  it('L2-normalizes the vector without touching the caller array', () => {
    const raw = Float32Array.from([3, 4]);
    const template = createTemplate(spec(2), raw);
    assert.equal(template.dtype, 'float32');
    assert.equal(template.engineId, 'test-engine');
    assert.equal(template.engineVersion, '1.0');
    assert.equal(template.dimension, 2);
    assert.ok(Math.abs(template.vector[0]! - 0.6) < 1e-7);
    assert.ok(Math.abs(template.vector[1]! - 0.8) < 1e-7);
    assert.deepEqual([...raw], [3, 4]);
    assert.notEqual(template.vector, raw);
  });

  it('produces unit-length vectors for random inputs of every dimension', () => {
    const random = seededRandom(1);
    for (const dimension of DIMENSIONS) {
      const template = createTemplate(
        spec(dimension),
        randomVector(dimension, random).map((x) => x * 1000),
      );
      assert.ok(Math.abs(l2Norm(template.vector) - 1) < 1e-6, `dimension ${dimension}`);
    }
  });

  it('quantizes when the engine declares int8 templates', () => {
    const template = createTemplate(spec(4, { dtype: 'int8' }), Float32Array.from([1, -2, 0.5, 0]));
    assert.equal(template.dtype, 'int8');
    assert.ok(template.dtype === 'int8');
    assert.equal(Math.max(...template.quantized.map(Math.abs)), 127);
    assert.equal(template.quantized[1], -127);
    assert.equal(template.quantized[3], 0);
  });

  it('rejects an all-zero vector', () => {
    assertInvalid(() => createTemplate(spec(4), new Float32Array(4)), /all-zero/);
  });

  it('rejects NaN and infinite components', () => {
    assertInvalid(() => createTemplate(spec(3), Float32Array.from([1, Number.NaN, 1])), /non-finite value at index 1/);
    assertInvalid(() => createTemplate(spec(3), Float32Array.from([Infinity, 0, 1])), /non-finite value at index 0/);
    assertInvalid(() => createTemplate(spec(3), Float32Array.from([1, 0, -Infinity])), /non-finite value at index 2/);
  });

  it('rejects a vector whose length differs from the declared dimension', () => {
    assertInvalid(() => createTemplate(spec(128), new Float32Array(127).fill(1)), /dimension 128.*length 127/);
  });

  it('rejects an empty engine id or version', () => {
    assertInvalid(() => createTemplate(spec(2, { id: '' }), Float32Array.from([1, 0])), /engine id is empty/);
    assertInvalid(() => createTemplate(spec(2, { version: '' }), Float32Array.from([1, 0])), /version is empty/);
  });
});

describe('quantizeInt8', () => {
  it('uses a symmetric per-vector scale of max|v| / 127', () => {
    const float = createTemplate(spec(3), Float32Array.from([0.2, -0.9, 0.4]));
    const maxMagnitude = Math.max(...float.vector.map(Math.abs));
    const int8 = quantizeInt8(float);
    assert.equal(int8.scale, Math.fround(maxMagnitude / 127));
    assert.deepEqual(
      [...int8.quantized],
      [...float.vector].map((x) => Math.round(x / int8.scale)),
    );
    assert.ok(Math.abs(l2Norm(int8.vector) - 1) < 1e-6);
  });

  it('returns an int8 template unchanged', () => {
    const int8 = quantizeInt8(createTemplate(spec(8), randomVector(8, seededRandom(2))));
    assert.equal(quantizeInt8(int8), int8);
  });
});

describe('template codec round trip', () => {
  it('is bit-identical for float32 templates', () => {
    const random = seededRandom(3);
    for (const dimension of DIMENSIONS) {
      for (let trial = 0; trial < 5; trial++) {
        const original = createTemplate(spec(dimension), randomVector(dimension, random));
        const bytes = encodeTemplate(original);
        const decoded = decodeTemplate(bytes);
        assert.equal(decoded.dtype, 'float32');
        assert.equal(decoded.engineId, original.engineId);
        assert.equal(decoded.engineVersion, original.engineVersion);
        assert.equal(decoded.dimension, dimension);
        assert.deepEqual(bitsOf(decoded.vector), bitsOf(original.vector));
        assert.deepEqual(encodeTemplate(decoded), bytes, 're-encoding must reproduce the same bytes');
      }
    }
  });

  it('is exact for int8 templates: identical bytes, scale and derived vector', () => {
    const random = seededRandom(4);
    for (const dimension of DIMENSIONS) {
      for (let trial = 0; trial < 5; trial++) {
        const original = quantizeInt8(createTemplate(spec(dimension), randomVector(dimension, random)));
        const bytes = encodeTemplate(original);
        const decoded = decodeTemplate(bytes);
        assert.ok(decoded.dtype === 'int8', 'dtype must survive the round trip');
        assert.deepEqual(bitsOf(decoded.quantized), bitsOf(original.quantized));
        assert.ok(Object.is(decoded.scale, original.scale), `scale ${decoded.scale} vs ${original.scale}`);
        assert.deepEqual(bitsOf(decoded.vector), bitsOf(original.vector));
        assert.deepEqual(encodeTemplate(decoded), bytes);
      }
    }
  });

  it('writes the documented layout', () => {
    const template = quantizeInt8(createTemplate(spec(3, { id: 'eng', version: 'v2' }), Float32Array.from([1, -1, 0.25])));
    const bytes = encodeTemplate(template);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'FKT1');
    assert.equal(view.getUint16(4, true), TEMPLATE_FORMAT_VERSION);
    assert.equal(view.getUint8(6), 1, 'int8 dtype code');
    assert.equal(view.getUint8(7), 0, 'reserved');
    assert.equal(view.getUint32(8, true), 3);
    assert.equal(view.getFloat32(12, true), template.scale);
    assert.equal(view.getUint8(16), 3);
    assert.equal(new TextDecoder().decode(bytes.subarray(17, 20)), 'eng');
    assert.equal(view.getUint8(20), 2);
    assert.equal(new TextDecoder().decode(bytes.subarray(21, 23)), 'v2');
    assert.deepEqual([...new Int8Array(bytes.buffer, bytes.byteOffset + 23, 3)], [127, -127, 32]);
    assert.equal(bytes.length, 23 + 3 + 4);
    assert.equal(view.getUint32(26, true), crc32(bytes.subarray(0, 26)));
  });

  it('round-trips multi-byte UTF-8 engine names', () => {
    const original = createTemplate(spec(4, { id: 'moteur-é-顔', version: '２.0' }), Float32Array.from([1, 2, 3, 4]));
    const decoded = decodeTemplate(encodeTemplate(original));
    assert.equal(decoded.engineId, 'moteur-é-顔');
    assert.equal(decoded.engineVersion, '２.0');
  });

  it('decodes from an unaligned view into a larger buffer', () => {
    const original = createTemplate(spec(16), randomVector(16, seededRandom(5)));
    const bytes = encodeTemplate(original);
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 1);
    const decoded = decodeTemplate(host.subarray(1, 1 + bytes.length));
    assert.deepEqual(bitsOf(decoded.vector), bitsOf(original.vector));
  });
});

describe('template codec rejects corrupt input', () => {
  const sample = (): Uint8Array => encodeTemplate(createTemplate(spec(8), randomVector(8, seededRandom(6))));
  const payloadOffset = 16 + 1 + 'test-engine'.length + 1 + '1.0'.length;

  it('detects a flipped byte anywhere in the template', () => {
    const bytes = sample();
    for (let position = 0; position < bytes.length; position++) {
      const corrupted = bytes.slice();
      corrupted[position]! ^= 0xff;
      assert.throws(() => decodeTemplate(corrupted), InvalidTemplate, `flip at byte ${position} went unnoticed`);
    }
  });

  it('reports a flipped payload byte as a CRC mismatch', () => {
    const corrupted = sample();
    corrupted[payloadOffset + 5]! ^= 0x01;
    assertInvalid(() => decodeTemplate(corrupted), /CRC mismatch/);
  });

  it('reports a damaged CRC field as a CRC mismatch', () => {
    const corrupted = sample();
    corrupted[corrupted.length - 1]! ^= 0x80;
    assertInvalid(() => decodeTemplate(corrupted), /CRC mismatch/);
  });

  it('rejects every truncation', () => {
    const bytes = sample();
    for (let length = 0; length < bytes.length; length++) {
      assert.throws(() => decodeTemplate(bytes.subarray(0, length)), InvalidTemplate, `prefix of ${length} bytes accepted`);
    }
    assertInvalid(() => decodeTemplate(bytes.subarray(0, 10)), /shorter than the 22-byte minimum/);
    assertInvalid(() => decodeTemplate(bytes.subarray(0, bytes.length - 1)), /truncated payload/);
  });

  it('rejects a wrong magic', () => {
    const corrupted = sample();
    corrupted.set(new TextEncoder().encode('FKT2'), 0);
    assertInvalid(() => decodeTemplate(reseal(corrupted)), /magic/);
  });

  it('rejects an unknown format version', () => {
    const corrupted = sample();
    new DataView(corrupted.buffer).setUint16(4, 99, true);
    assertInvalid(() => decodeTemplate(reseal(corrupted)), /unknown template format version 99/);
  });

  it('rejects an unknown dtype', () => {
    const corrupted = sample();
    corrupted[6] = 2;
    assertInvalid(() => decodeTemplate(reseal(corrupted)), /unknown template dtype code 2/);
  });

  it('rejects a dimension that disagrees with the payload length', () => {
    const larger = sample();
    new DataView(larger.buffer).setUint32(8, 9, true);
    assertInvalid(() => decodeTemplate(reseal(larger)), /does not match its header \(dimension 9, float32\)/);
    const smaller = sample();
    new DataView(smaller.buffer).setUint32(8, 7, true);
    assertInvalid(() => decodeTemplate(reseal(smaller)), /does not match its header \(dimension 7, float32\)/);
    assertInvalid(() => decodeTemplate(buildRaw({ dimension: 0, payload: new Uint8Array(0) })), /dimension is 0/);
  });

  it('rejects trailing bytes', () => {
    const bytes = sample();
    const extended = new Uint8Array(bytes.length + 2);
    extended.set(bytes);
    assertInvalid(() => decodeTemplate(extended), /trailing bytes/);
  });

  it('rejects non-finite values', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const payload = float32Payload([0.6, bad, 0.8]);
      assertInvalid(() => decodeTemplate(buildRaw({ payload })), /non-finite value at index 1/);
    }
  });

  it('rejects an empty engine id or version', () => {
    const payload = float32Payload([1, 0]);
    assertInvalid(() => decodeTemplate(buildRaw({ engineId: new Uint8Array(0), payload })), /engine id is empty/);
    assertInvalid(() => decodeTemplate(buildRaw({ engineVersion: new Uint8Array(0), payload })), /version is empty/);
  });

  it('rejects engine names that are not UTF-8', () => {
    const payload = float32Payload([1, 0]);
    assertInvalid(() => decodeTemplate(buildRaw({ engineId: Uint8Array.from([0xc3, 0x28]), payload })), /not valid UTF-8/);
  });

  it('rejects a non-zero reserved byte', () => {
    assertInvalid(() => decodeTemplate(buildRaw({ reserved: 7, payload: float32Payload([1, 0]) })), /reserved byte is 7/);
  });

  it('rejects a float32 template that is not unit length or has a scale other than 1', () => {
    assertInvalid(() => decodeTemplate(buildRaw({ payload: float32Payload([3, 4]) })), /not unit length/);
    assertInvalid(() => decodeTemplate(buildRaw({ payload: float32Payload([0, 0]) })), /not unit length/);
    assertInvalid(() => decodeTemplate(buildRaw({ scale: 2, payload: float32Payload([1, 0]) })), /scale is 2, expected 1/);
  });

  it('rejects int8 templates with a bad scale, -128 or all zeros', () => {
    const int8 = (scale: number, values: number[]): Uint8Array => buildRaw({ dtypeCode: 1, scale, payload: int8Payload(values) });
    assertInvalid(() => decodeTemplate(int8(0, [127, 0])), /scale must be a positive finite number/);
    assertInvalid(() => decodeTemplate(int8(-0.01, [127, 0])), /scale must be a positive finite number/);
    assertInvalid(() => decodeTemplate(int8(Number.NaN, [127, 0])), /scale must be a positive finite number/);
    assertInvalid(() => decodeTemplate(int8(0.01, [-128, 0])), /-128/);
    assertInvalid(() => decodeTemplate(int8(0.01, [0, 0])), /all zeros/);
    const accepted = decodeTemplate(int8(0.01, [127, 0]));
    assert.deepEqual([...accepted.vector], [1, 0], 'a well-formed hand-built int8 template decodes');
  });
});

describe('encodeTemplate refuses what the decoder would reject', () => {
  const unit: FaceTemplate = createTemplate(spec(2), Float32Array.from([1, 0]));

  it('refuses engine names longer than 255 UTF-8 bytes', () => {
    assertInvalid(() => encodeTemplate({ ...unit, engineId: 'x'.repeat(256) }), /at most 255/);
    assertInvalid(() => encodeTemplate({ ...unit, engineVersion: 'é'.repeat(128) }), /256 UTF-8 bytes/);
    assert.equal(decodeTemplate(encodeTemplate({ ...unit, engineId: 'x'.repeat(255) })).engineId.length, 255);
  });

  it('refuses unnormalized, non-finite or mis-sized vectors', () => {
    assertInvalid(() => encodeTemplate({ ...unit, vector: Float32Array.from([3, 4]) }), /not unit length/);
    assertInvalid(() => encodeTemplate({ ...unit, vector: Float32Array.from([Number.NaN, 0]) }), /non-finite/);
    assertInvalid(() => encodeTemplate({ ...unit, dimension: 3 }), /length 2 but dimension 3/);
  });
});
