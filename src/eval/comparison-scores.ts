import { FAILURE_TO_ENROLL_SCORE, type PairFold } from './metrics/index.js';
import type { EnrollmentOutcome } from './embed-images.js';
import type { ImagePair } from './lfw-pairs.js';
import { dot } from '../math/vector-math.js';

/** Cosine of two outcomes; a failure to enroll on either side scores -Infinity (a non-match). */
export function outcomeScore(a: EnrollmentOutcome | undefined, b: EnrollmentOutcome | undefined): number {
  if (!a?.ok || !b?.ok) return FAILURE_TO_ENROLL_SCORE;
  return dot(a.template.vector, b.template.vector);
}

/** Scores of each LFW fold's pairs, for the k-fold accuracy protocol. */
export function pairFoldScores(
  folds: readonly ImagePair[][],
  fileIndex: ReadonlyMap<string, number>,
  outcomes: readonly EnrollmentOutcome[],
): PairFold[] {
  return folds.map((fold) => {
    const scores = new Float64Array(fold.length);
    const same = new Uint8Array(fold.length);
    fold.forEach((pair, i) => {
      scores[i] = outcomeScore(outcomes[fileIndex.get(pair.left)!], outcomes[fileIndex.get(pair.right)!]);
      same[i] = pair.same ? 1 : 0;
    });
    return { scores, same };
  });
}

export interface AllVsAllScores {
  readonly genuine: Float64Array;
  readonly impostor: Float64Array;
}

/**
 * Every unordered pair of distinct images: same identity → genuine, otherwise impostor.
 * Millions of impostor pairs, so vectors are packed into one array and compared with plain loops.
 */
export function allVsAllScores(outcomes: readonly EnrollmentOutcome[], identities: readonly string[]): AllVsAllScores {
  const n = outcomes.length;
  const identityIds = denseIds(identities);
  let genuineCount = 0;
  const perIdentity = new Map<number, number>();
  for (const id of identityIds) perIdentity.set(id, (perIdentity.get(id) ?? 0) + 1);
  for (const count of perIdentity.values()) genuineCount += (count * (count - 1)) / 2;
  const genuine = new Float64Array(genuineCount);
  const impostor = new Float64Array((n * (n - 1)) / 2 - genuineCount);
  const first = outcomes.find((o) => o.ok);
  const dimension = first?.ok ? first.template.vector.length : 0;
  const packed = new Float32Array(n * dimension);
  const enrolled = new Uint8Array(n);
  outcomes.forEach((o, i) => {
    if (o.ok) {
      packed.set(o.template.vector, i * dimension);
      enrolled[i] = 1;
    }
  });
  let g = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const rowI = i * dimension;
    for (let j = i + 1; j < n; j++) {
      let score = FAILURE_TO_ENROLL_SCORE;
      if (enrolled[i] && enrolled[j]) {
        const rowJ = j * dimension;
        let s = 0;
        for (let k = 0; k < dimension; k++) s += packed[rowI + k]! * packed[rowJ + k]!;
        score = s;
      }
      if (identityIds[i] === identityIds[j]) genuine[g++] = score;
      else impostor[m++] = score;
    }
  }
  return { genuine, impostor };
}

function denseIds(labels: readonly string[]): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from(labels, (label) => {
    let id = ids.get(label);
    if (id === undefined) ids.set(label, (id = ids.size));
    return id;
  });
}
