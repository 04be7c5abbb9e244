import type { EngineDescriptor } from '../engines/engine-port.js';
import { InvalidTemplate } from '../errors/domain-errors.js';
import { l2Norm, l2Normalize } from '../math/vector-math.js';

/** Which engine produced a template; templates are comparable only when this matches exactly. */
export interface TemplateIdentity {
  readonly engineId: string;
  readonly engineVersion: string;
}

interface TemplateCommon extends TemplateIdentity {
  readonly dimension: number;
  /**
   * Always unit length, whatever the storage dtype, so cosine similarity is a plain dot product and
   * templates of different dtypes from the same engine can be compared directly.
   */
  readonly vector: Float32Array;
}

export interface Float32Template extends TemplateCommon {
  readonly dtype: 'float32';
}

export interface Int8Template extends TemplateCommon {
  readonly dtype: 'int8';
  /** The stored form; `vector` is derived from it and is what comparisons use. */
  readonly quantized: Int8Array;
  /** Dequantization factor (`value ≈ quantized × scale`); kept so the stored form is self-describing. */
  readonly scale: number;
}

export type FaceTemplate = Float32Template | Int8Template;

/** The parts of an engine descriptor a template depends on. */
export type TemplateSpec = Pick<EngineDescriptor, 'id' | 'version' | 'dimension' | 'dtype'>;

/** Symmetric quantization maps onto [-127, 127]; -128 is left unused so negation never overflows. */
export const INT8_LIMIT = 127;

/**
 * Builds a template from an engine's raw output: checks the vector, L2-normalizes it and, for an
 * engine that declares int8 templates, quantizes it. The caller's array is never modified.
 */
export function createTemplate(descriptor: TemplateSpec, vector: Float32Array): FaceTemplate {
  const identity = { engineId: descriptor.id, engineVersion: descriptor.version };
  assertIdentity(identity);
  if (!Number.isInteger(descriptor.dimension) || descriptor.dimension <= 0) {
    throw new InvalidTemplate(`engine "${descriptor.id}" declares an invalid dimension ${descriptor.dimension}`, {
      engineId: descriptor.id,
      dimension: descriptor.dimension,
    });
  }
  if (vector.length !== descriptor.dimension) {
    throw new InvalidTemplate(
      `engine "${descriptor.id}" declares dimension ${descriptor.dimension} but produced a vector of length ${vector.length}`,
      { engineId: descriptor.id, expected: descriptor.dimension, actual: vector.length },
    );
  }
  assertAllFinite(vector, descriptor.id);
  if (l2Norm(vector) === 0) {
    throw new InvalidTemplate(`engine "${descriptor.id}" produced an all-zero vector, which has no direction`, {
      engineId: descriptor.id,
    });
  }
  const template: Float32Template = {
    ...identity,
    dtype: 'float32',
    dimension: vector.length,
    vector: l2Normalize(vector),
  };
  return descriptor.dtype === 'int8' ? quantizeInt8(template) : template;
}

/**
 * Quantizes with one symmetric scale per vector (max |v| / 127), which keeps the largest component
 * exact and spends the full int8 range on this vector rather than on a worst-case global range.
 */
export function quantizeInt8(template: FaceTemplate): Int8Template {
  if (template.dtype === 'int8') return template;
  const { vector } = template;
  let maxMagnitude = 0;
  for (let i = 0; i < vector.length; i++) maxMagnitude = Math.max(maxMagnitude, Math.abs(vector[i]!));
  // Rounded to float32 up front because that is how the codec stores it; deriving `vector` from the
  // stored value makes an encode/decode round trip bit-identical.
  const scale = Math.fround(maxMagnitude / INT8_LIMIT);
  const quantized = new Int8Array(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const level = Math.round(vector[i]! / scale);
    quantized[i] = Math.max(-INT8_LIMIT, Math.min(INT8_LIMIT, level));
  }
  return int8Template(template, quantized, scale);
}

/**
 * Assembles an int8 template from its stored form. Both quantization and decoding go through here
 * so the derived unit vector is computed one way only.
 */
export function int8Template(identity: TemplateIdentity, quantized: Int8Array, scale: number): Int8Template {
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new InvalidTemplate(`int8 template scale must be a positive finite number, got ${scale}`, { scale });
  }
  const dequantized = new Float32Array(quantized.length);
  for (let i = 0; i < quantized.length; i++) dequantized[i] = quantized[i]! * scale;
  if (l2Norm(dequantized) === 0) {
    throw new InvalidTemplate('int8 template is all zeros, which has no direction', {
      engineId: identity.engineId,
    });
  }
  return {
    engineId: identity.engineId,
    engineVersion: identity.engineVersion,
    dtype: 'int8',
    dimension: quantized.length,
    quantized,
    scale,
    vector: l2Normalize(dequantized),
  };
}

/** An engine id or version that is empty cannot be checked against anything, so it is refused. */
export function assertIdentity(identity: TemplateIdentity): void {
  if (identity.engineId.length === 0) throw new InvalidTemplate('template engine id is empty');
  if (identity.engineVersion.length === 0) {
    throw new InvalidTemplate(`template engine version is empty for engine "${identity.engineId}"`, {
      engineId: identity.engineId,
    });
  }
}

/** Reports only the first bad index: the values themselves are biometric data and stay out of errors. */
export function assertAllFinite(vector: Float32Array, engineId: string): void {
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!)) {
      throw new InvalidTemplate(`template for engine "${engineId}" has a non-finite value at index ${i}`, {
        engineId,
        index: i,
      });
    }
  }
}
