import { InvalidArgument } from '../errors/domain-errors.js';
import { SERVICE_DEFAULTS } from '../config/service-config.js';

/** The service's operating point (service-config), so `facekey compare` decides as the service does. */
export const DEFAULT_TARGET_FMR: number = SERVICE_DEFAULTS.targetFmr;

export function parseTargetFmr(text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new InvalidArgument(`--target-fmr must be a number in (0, 1), e.g. 1e-5; got "${text}"`);
  }
  return value;
}
