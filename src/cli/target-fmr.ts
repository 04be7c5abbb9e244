import { InvalidArgument } from '../errors/domain-errors.js';

/** 1 false match in 10,000 comparisons unless the caller asks for another operating point. */
export const DEFAULT_TARGET_FMR = 1e-4;

export function parseTargetFmr(text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new InvalidArgument(`--target-fmr must be a number in (0, 1), e.g. 1e-4; got "${text}"`);
  }
  return value;
}
