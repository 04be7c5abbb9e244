import { InvalidArgument } from '../../errors/domain-errors.js';
import { countBelow, sortedScores } from './score-distribution.js';
import { thresholdForFmr } from './verification-rates.js';

export interface IdentificationScores {
  /** probeCount × galleryCount similarities, row-major: one row per probe. */
  readonly scores: Float32Array;
  readonly probeCount: number;
  readonly galleryCount: number;
  /** Gallery index of each probe's mate, or -1 for a probe whose subject is not enrolled. */
  readonly probeTruth: Int32Array;
}

export interface FnirAtFpir {
  readonly fnir: number;
  readonly threshold: number;
  readonly fpirAchieved: number;
  /** False when target FPIR × non-mated probes < 10: too few searches to measure the rate. */
  readonly reliable: boolean;
}

export interface IdentificationMetrics {
  readonly matedCount: number;
  readonly nonMatedCount: number;
  /** Closed-set rank-1 identification rate over mated probes. */
  readonly rank1: number;
  /** Rank-k identification rates for k = 1 … maxRank (the cumulative match characteristic). */
  cmc(maxRank: number): number[];
  /** Open-set miss rate at the threshold that holds the false-positive identification rate to the target. */
  fnirAtFpir(targetFpir: number): FnirAtFpir;
}

/** A mate that scored -Infinity was never found, at any rank. */
const NEVER_FOUND = Infinity;

function validate(input: IdentificationScores): void {
  const { scores, probeCount, galleryCount, probeTruth } = input;
  if (!Number.isInteger(probeCount) || !Number.isInteger(galleryCount) || probeCount < 1 || galleryCount < 1) {
    throw new InvalidArgument(`need at least one probe and one gallery entry, got ${probeCount} × ${galleryCount}`);
  }
  if (scores.length !== probeCount * galleryCount) {
    throw new InvalidArgument(`score matrix holds ${scores.length} values, expected ${probeCount} × ${galleryCount}`);
  }
  if (probeTruth.length !== probeCount) throw new InvalidArgument(`${probeTruth.length} truth entries for ${probeCount} probes`);
  for (let p = 0; p < probeCount; p++) {
    const mate = probeTruth[p]!;
    if (mate < -1 || mate >= galleryCount) throw new InvalidArgument(`probe ${p}: mate index ${mate} is outside the gallery`, { probe: p });
  }
  // A NaN compares false both ways and would silently drop out of ranks and maxima.
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i]!;
    if (Number.isNaN(score) || score === Infinity) {
      throw new InvalidArgument(
        `score of probe ${Math.floor(i / galleryCount)}, gallery ${i % galleryCount} is ${score}; scores must be finite or -Infinity`,
      );
    }
  }
}

/**
 * Identification accuracy from a full probe × gallery search, following NIST FRVT 1:N (IR 8271).
 * Each probe is reduced in one pass over its row to its top score and, for mated probes, its mate's
 * score and rank; after that every query is a count or a binary search.
 *
 * Rank is pessimistic under ties: a non-mate scoring exactly the mate's score is ranked ahead of
 * it. A probe (or mate) that failed to enroll scores -Infinity: the mate is never found and the
 * probe never produces a candidate, so it is a miss if mated and no false positive if not.
 */
export function identificationMetrics(input: IdentificationScores): IdentificationMetrics {
  validate(input);
  const { scores, probeCount, galleryCount, probeTruth } = input;
  let matedCount = 0;
  for (let p = 0; p < probeCount; p++) if (probeTruth[p]! >= 0) matedCount++;
  const nonMatedCount = probeCount - matedCount;
  if (matedCount === 0) throw new InvalidArgument('no mated probes: identification rates are undefined');

  const mateRanks = new Float64Array(matedCount);
  // The mate's score where it is the rank-1 candidate, -Infinity otherwise: what open-set search can return.
  const rankOneMateScores = new Float64Array(matedCount);
  const nonMatedTopScores = new Float64Array(nonMatedCount);
  let mated = 0;
  let nonMated = 0;
  for (let p = 0; p < probeCount; p++) {
    const row = p * galleryCount;
    const mate = probeTruth[p]!;
    if (mate < 0) {
      let top = -Infinity;
      for (let g = 0; g < galleryCount; g++) top = Math.max(top, scores[row + g]!);
      nonMatedTopScores[nonMated++] = top;
      continue;
    }
    const mateScore = scores[row + mate]!;
    let ahead = 0;
    for (let g = 0; g < galleryCount; g++) if (g !== mate && scores[row + g]! >= mateScore) ahead++;
    const rank = mateScore === -Infinity ? NEVER_FOUND : ahead + 1;
    mateRanks[mated] = rank;
    rankOneMateScores[mated] = rank === 1 ? mateScore : -Infinity;
    mated++;
  }
  const sortedRanks = mateRanks.sort();
  const sortedRankOneMateScores = sortedScores(rankOneMateScores);
  // Validates the non-mated scores too (NaN would corrupt the threshold search).
  const sortedNonMatedTopScores = sortedScores(nonMatedTopScores);

  const cmc = (maxRank: number): number[] => {
    if (!Number.isInteger(maxRank) || maxRank < 1) throw new InvalidArgument(`maxRank must be a positive integer, got ${maxRank}`);
    const rates: number[] = [];
    let found = 0;
    for (let rank = 1; rank <= maxRank; rank++) {
      while (found < matedCount && sortedRanks[found]! <= rank) found++;
      rates.push(found / matedCount);
    }
    return rates;
  };

  const fnirAtFpir = (targetFpir: number): FnirAtFpir => {
    if (nonMatedCount === 0) throw new InvalidArgument('no non-mated probes: FPIR is undefined');
    const { threshold, achievedFmr, reliable } = thresholdForFmr(sortedNonMatedTopScores, targetFpir);
    return { fnir: countBelow(sortedRankOneMateScores, threshold) / matedCount, threshold, fpirAchieved: achievedFmr, reliable };
  };

  return { matedCount, nonMatedCount, rank1: cmc(1)[0]!, cmc, fnirAtFpir };
}
