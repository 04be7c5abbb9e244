import { sha256Hex } from '../crypto/sha256.js';

/**
 * Embedded ICC profiles that say "these pixels are sRGB", recognised by their exact bytes (SHA-256).
 *
 * Decoding an image that carries a profile, libvips converts its pixels to sRGB through lcms
 * (into the profile connection space and out again). For a profile that already is sRGB that
 * conversion is a no-op in principle and an expensive one in practice: 40 of the 50 ms it took to
 * decode the bundled 1920×1280 sample on this project's 2-core machine (2026-11-30). Skipping it
 * is the same picture:
 * - on the ten photos here that carry the profile below (five deepface fixtures, five bundled
 *   samples; 59 million values) the pixels are bit-identical with and without the conversion;
 * - over all 2^24 colours the conversion changes 142,622 of them (0.85 %), each by +1 in red, all with
 *   red < 32: lcms's rounding, not colour management (`srgb-profile.test.ts` measures both).
 *
 * Only exact byte matches count: any other profile, including other sRGB variants, a Display P3 or
 * an Adobe RGB one, is converted as before.
 */
const STANDARD_SRGB_PROFILES: ReadonlySet<string> = new Set([
  // "sRGB IEC61966-2.1", Hewlett-Packard, ICC v2.1, 3,144 bytes: what cameras, phones and editors write.
  '2b3aa1645779a9e634744faf9b01e9102b0c9b88fd6deced7934df86b949af7e',
]);

/** The byte sizes of the profiles above: most profiles are ruled out without hashing. */
const PROFILE_SIZES: ReadonlySet<number> = new Set([3144]);

/** Whether an embedded ICC profile is one of the standard sRGB profiles whose conversion to sRGB can be skipped. */
export function isStandardSrgbProfile(icc: Uint8Array | undefined): boolean {
  if (!icc || !PROFILE_SIZES.has(icc.byteLength)) return false;
  return STANDARD_SRGB_PROFILES.has(sha256Hex(icc));
}
