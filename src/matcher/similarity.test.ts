import assert from 'node:assert/strict';
import { randomVector, seededRandom } from '../runtime/seeded-random.js';
import { describe, it } from 'node:test';
import { EngineMismatch, InvalidArgument } from '../errors/domain-errors.js';
import { createTemplate, quantizeInt8, type FaceTemplate, type TemplateSpec } from '../templates/template.js';
import { decodeTemplate, encodeTemplate } from '../templates/template-codec.js';
import { cosineSimilarity } from './similarity.js';
import { dot, l2Norm, l2Normalize } from '../math/vector-math.js';

/** A vector at a controllable distance from `base`, so similarities cover the whole range, not just ~0. */
function perturbed(base: Float32Array, noise: number, random: () => number): Float32Array {
  return base.map((x) => x + noise * (random() * 2 - 1));
}

function spec(dimension: number, overrides: Partial<TemplateSpec> = {}): TemplateSpec {
  return { id: 'test-engine', version: '1.0', dimension, dtype: 'float32', ...overrides };
}

function naiveDot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function near(actual: number, expected: number, tolerance: number, label = ''): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label} expected ${expected} ± ${tolerance}, got ${actual}`);
}

function assertMismatch(a: FaceTemplate, b: FaceTemplate): void {
  assert.throws(
    () => cosineSimilarity(a, b),
    (error: unknown) => {
      assert.ok(error instanceof EngineMismatch, `expected EngineMismatch, got ${String(error)}`);
      assert.equal(error.code, 'engine_mismatch');
      assert.deepEqual(error.details, {
        left: { engineId: a.engineId, engineVersion: a.engineVersion, dimension: a.dimension },
        right: { engineId: b.engineId, engineVersion: b.engineVersion, dimension: b.dimension },
      });
      return true;
    },
  );
}

describe('dot', () => {
  it('matches a naive loop for every remainder of the 4-way unroll', () => {
    const random = seededRandom(10);
    for (let length = 0; length <= 13; length++) {
      const a = randomVector(length, random);
      const b = randomVector(length, random);
      near(dot(a, b), naiveDot(a, b), 1e-12, `length ${length}:`);
    }
  });

  it('returns 0 for empty vectors and exact values for small integers', () => {
    assert.equal(dot(new Float32Array(0), new Float32Array(0)), 0);
    assert.equal(dot(Float32Array.from([1, 2, 3, 4, 5]), Float32Array.from([5, 4, 3, 2, 1])), 35);
  });

  it('refuses vectors of different lengths', () => {
    assert.throws(() => dot(new Float32Array(3), new Float32Array(4)), InvalidArgument);
  });
});

describe('l2Normalize', () => {
  it('returns a new unit-length array and leaves the input alone', () => {
    const input = Float32Array.from([0, 3, 0, 4]);
    const normalized = l2Normalize(input);
    assert.notEqual(normalized, input);
    assert.deepEqual([...input], [0, 3, 0, 4]);
    assert.deepEqual([...normalized], [0, Math.fround(0.6), 0, Math.fround(0.8)]);
    near(l2Norm(l2Normalize(randomVector(1024, seededRandom(11)))), 1, 1e-6);
  });

  it('refuses vectors with no direction', () => {
    assert.throws(() => l2Normalize(new Float32Array(5)), InvalidArgument);
    assert.throws(() => l2Normalize(Float32Array.from([1, Number.NaN])), InvalidArgument);
    assert.throws(() => l2Normalize(Float32Array.from([Infinity, 1])), InvalidArgument);
  });
});

describe('cosineSimilarity', () => {
  it('is 1 for identical templates, whatever their dtype', () => {
    const random = seededRandom(12);
    for (const dimension of [2, 128, 1024]) {
      const float = createTemplate(spec(dimension), randomVector(dimension, random));
      const int8 = quantizeInt8(float);
      near(cosineSimilarity(float, float), 1, 1e-6, 'float32:');
      near(cosineSimilarity(int8, int8), 1, 1e-6, 'int8:');
      near(
        cosineSimilarity(
          float,
          createTemplate(
            spec(dimension),
            float.vector.map((x) => x * 7),
          ),
        ),
        1,
        1e-6,
        'scaled:',
      );
    }
  });

  it('is about 0 for orthogonal templates and -1 for opposite ones', () => {
    const e1 = createTemplate(spec(3), Float32Array.from([1, 0, 0]));
    const e2 = createTemplate(spec(3), Float32Array.from([0, 5, 0]));
    assert.equal(cosineSimilarity(e1, e2), 0);

    // Gram–Schmidt gives an orthogonal pair in a realistic dimension.
    const random = seededRandom(13);
    const a = l2Normalize(randomVector(128, random));
    const b = randomVector(128, random);
    const projection = dot(a, b);
    const orthogonal = b.map((x, i) => x - projection * a[i]!);
    near(cosineSimilarity(createTemplate(spec(128), a), createTemplate(spec(128), orthogonal)), 0, 1e-6, 'orthogonal:');

    near(cosineSimilarity(e1, createTemplate(spec(3), Float32Array.from([-2, 0, 0]))), -1, 1e-6, 'opposite:');
  });

  it('is symmetric and stays within [-1, 1]', () => {
    const random = seededRandom(14);
    for (let trial = 0; trial < 50; trial++) {
      const a = createTemplate(spec(64), randomVector(64, random));
      const b = createTemplate(spec(64), randomVector(64, random));
      const score = cosineSimilarity(a, b);
      assert.equal(score, cosineSimilarity(b, a));
      assert.ok(score >= -1 && score <= 1, `score ${score} out of range`);
    }
  });

  it('throws EngineMismatch instead of scoring templates from a different engine id', () => {
    const vector = randomVector(128, seededRandom(15));
    assertMismatch(createTemplate(spec(128), vector), createTemplate(spec(128, { id: 'other-engine' }), vector));
  });

  it('throws EngineMismatch for a different engine version', () => {
    const vector = randomVector(128, seededRandom(16));
    assertMismatch(createTemplate(spec(128), vector), createTemplate(spec(128, { version: '1.1' }), vector));
  });

  it('throws EngineMismatch for a different dimension', () => {
    const random = seededRandom(17);
    assertMismatch(createTemplate(spec(128), randomVector(128, random)), createTemplate(spec(512), randomVector(512, random)));
  });

  it('throws EngineMismatch across dtypes when the engines differ', () => {
    const vector = randomVector(128, seededRandom(18));
    assertMismatch(createTemplate(spec(128), vector), quantizeInt8(createTemplate(spec(128, { id: 'other-engine' }), vector)));
  });

  it('keeps int8 scores within 0.01 of float32 scores on random 128-d vectors', () => {
    const random = seededRandom(19);
    let worst = 0;
    for (let trial = 0; trial < 300; trial++) {
      const base = randomVector(128, random);
      // Noise from none to overwhelming so genuine-like and impostor-like pairs are both covered.
      const other = perturbed(base, (trial % 10) * 0.3, random);
      const floatA = createTemplate(spec(128), base);
      const floatB = createTemplate(spec(128), other);
      const int8A = quantizeInt8(floatA);
      const int8B = quantizeInt8(floatB);
      const reference = cosineSimilarity(floatA, floatB);
      for (const [label, score] of [
        ['int8 vs int8', cosineSimilarity(int8A, int8B)],
        ['int8 vs float32', cosineSimilarity(int8A, floatB)],
        ['float32 vs int8', cosineSimilarity(floatA, int8B)],
      ] as const) {
        near(score, reference, 0.01, `trial ${trial} ${label}:`);
        worst = Math.max(worst, Math.abs(score - reference));
      }
    }
    // Guards against the comparison silently degenerating (e.g. both paths returning a constant).
    assert.ok(worst > 0, 'int8 scores should differ slightly from float32 scores');
  });

  it('gives the same score after an encode/decode round trip', () => {
    const random = seededRandom(20);
    const a = quantizeInt8(createTemplate(spec(1024), randomVector(1024, random)));
    const b = createTemplate(spec(1024), randomVector(1024, random));
    const before = cosineSimilarity(a, b);
    assert.equal(cosineSimilarity(decodeTemplate(encodeTemplate(a)), decodeTemplate(encodeTemplate(b))), before);
  });
});
