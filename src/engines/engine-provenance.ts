/**
 * What is known about where an engine's weights come from and on what terms they may be used.
 * Plain data, so a registry listing can be printed, logged at start-up or served as JSON as is.
 */
export type WeightTerms = 'permitted' | 'research-only' | 'unknown';

export const WEIGHT_TERMS: readonly WeightTerms[] = ['permitted', 'research-only', 'unknown'];

export interface EngineProvenance {
  /** The npm package the weights are taken from, or null when the engine has no learned weights or the operator supplied the file. */
  readonly package: { readonly name: string; readonly version: string; readonly licence: string } | null;
  /** What the weights are: architecture and who trained them, as far as it is known. */
  readonly weights: string;
  /** What is known of the training data. */
  readonly trainingData: string;
  /** Whether the weights' own terms permit commercial use, as far as facekey can tell. */
  readonly terms: WeightTerms;
  /** Why the terms are what they are: the evidence, in one or two sentences. */
  readonly termsNote: string;
}

const TERMS_ORDER: Record<WeightTerms, number> = { permitted: 0, unknown: 1, 'research-only': 2 };

/** The terms of something built from several weight sets: the most restrictive of them. */
export function mostRestrictiveTerms(terms: readonly WeightTerms[]): WeightTerms {
  return terms.reduce<WeightTerms>((worst, t) => (TERMS_ORDER[t] > TERMS_ORDER[worst] ? t : worst), 'permitted');
}
