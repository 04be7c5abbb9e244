import { gaussian, seededRandom } from '../../runtime/seeded-random.js';
import type { GalleryEntry } from './gallery-index.js';

/**
 * Synthetic but face-like galleries: each identity has a centre drawn uniformly on the unit
 * sphere; each template or probe is normalize(centre + noise · g / √d) with g standard normal,
 * so genuine pairs score about 1 / (1 + noise²) and impostors about 0 ± 1/√d. Everything is
 * derived from (seed, identity, sample) so nothing needs to be kept in memory.
 */
export interface SyntheticGalleryOptions {
  dimension: number;
  identities: number;
  templatesPerIdentity: number;
  /** Norm of the noise relative to the unit centre (default 0.6: genuine cosine ≈ 0.74). */
  noise?: number;
  seed?: number;
}

function mix(a: number, b: number, c: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const inverse = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inverse;
  return v;
}

export function subjectIdOf(identity: number): string {
  return `s${identity}`;
}

export function identityCentre(seed: number, identity: number, dimension: number): Float32Array {
  const g = gaussian(seededRandom(mix(seed, identity, 0x51ed)));
  const v = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) v[i] = g();
  return normalizeInPlace(v);
}

/** normalize(centre + noise · g/√d), with g drawn from the stream identified by `stream`. */
export function noisySample(centre: Float32Array, noise: number, stream: number): Float32Array {
  const g = gaussian(seededRandom(stream));
  const d = centre.length;
  const sigma = noise / Math.sqrt(d);
  const v = new Float32Array(d);
  for (let i = 0; i < d; i++) v[i] = centre[i]! + sigma * g();
  return normalizeInPlace(v);
}

export function* syntheticEntries(options: SyntheticGalleryOptions): Generator<GalleryEntry> {
  const seed = options.seed ?? 1;
  const noise = options.noise ?? 0.6;
  for (let identity = 0; identity < options.identities; identity++) {
    const centre = identityCentre(seed, identity, options.dimension);
    const subjectId = subjectIdOf(identity);
    for (let t = 0; t < options.templatesPerIdentity; t++) {
      yield {
        subjectId,
        templateId: `${subjectId}-t${t}`,
        vector: noisySample(centre, noise, mix(seed, identity, 1000 + t)),
      };
    }
  }
}

/** New noisy samples of enrolled identities (never equal to an enrolled template). */
export function syntheticProbes(
  options: SyntheticGalleryOptions,
  count: number,
  probeSeed = 7,
): Array<{ subjectId: string; vector: Float32Array }> {
  const seed = options.seed ?? 1;
  const noise = options.noise ?? 0.6;
  const pick = seededRandom(mix(seed, probeSeed, 0xbeef));
  const probes: Array<{ subjectId: string; vector: Float32Array }> = [];
  for (let i = 0; i < count; i++) {
    const identity = Math.floor(pick() * options.identities);
    const centre = identityCentre(seed, identity, options.dimension);
    probes.push({
      subjectId: subjectIdOf(identity),
      vector: noisySample(centre, noise, mix(seed ^ probeSeed, identity, 0x7000_0000 + i)),
    });
  }
  return probes;
}
