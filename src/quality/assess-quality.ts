import type { Box, FaceAnalysis } from '../analysis/face-analysis.js';
import { InvalidArgument, QualityTooLow } from '../errors/domain-errors.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import { eyeAspectRatios, interEyeDistance } from './eye-openness.js';
import { exposure, sharpness } from './image-metrics.js';

export { interEyeDistance };

export interface QualityPolicy {
  /** Minimum distance between the eye centres (pupils when the mesh has iris points), in pixels of the decoded image. */
  readonly minInterEyePx: number;
  readonly maxAbsYaw: number;
  readonly maxAbsPitch: number;
  /** In-plane rotation is undone by alignment, so this is lenient. */
  readonly maxAbsRoll: number;
  /** Minimum `sharpness()` of the face-mesh region (Laplacian variance at 112 px wide). */
  readonly minSharpness: number;
  readonly minMeanLuma: number;
  readonly maxMeanLuma: number;
  /** Largest fraction of the face box allowed to be clipped to black, or to white. */
  readonly maxClippedFraction: number;
  /** Minimum mean eye aspect ratio of the two eyes. */
  readonly minEyeAspectRatio: number;
}

/**
 * Defaults, checked against the analyzer's output on the 3,318 faces it finds in the LFW dev set
 * (250×250 JPEGs) and the 64 deepface fixtures (phone/web photos, decoded at ≤ 1920 px):
 * - minSharpness 10 (face-mesh region at 112 px wide): accepts 99.2% of LFW faces (p1 = 10.6,
 *   median 42; the ~26 below are visibly soft) and every fixture (min 158); refuses 97.4% of LFW
 *   faces blurred with a Gaussian σ = 2 px, 66% at σ = 1.5 px, and 70% of fixtures blurred with
 *   σ = 2% of the face width.
 * - minEyeAspectRatio 0.12: LFW median 0.32, p0.5 0.156, fixtures min 0.22; the 3 LFW faces under
 *   0.12 are all eyes closed or cast fully down.
 * - minInterEyePx 30: fixtures min 48; 1.9% of LFW faces (250 px images) fall below it.
 * - meanLuma 40–220: LFW 57–186, fixtures 90–186 on the mesh region; clipped fractions stay ≤ 0.15.
 * - yaw/pitch 25°: 2.3% / 0.1% of LFW faces exceed them; roll 45°: none.
 * With all defaults, 96% of LFW faces and 100% of fixtures are acceptable.
 */
export const DEFAULT_QUALITY_POLICY: QualityPolicy = Object.freeze({
  minInterEyePx: 30,
  maxAbsYaw: 25,
  maxAbsPitch: 25,
  maxAbsRoll: 45,
  minSharpness: 10,
  minMeanLuma: 40,
  maxMeanLuma: 220,
  maxClippedFraction: 0.5,
  minEyeAspectRatio: 0.12,
});

/** Stable machine-readable reason codes (messages are for people and may change). */
export type QualityReasonCode =
  'face_too_small' | 'yaw_too_large' | 'pitch_too_large' | 'roll_too_large' | 'too_blurry' | 'underexposed' | 'overexposed' | 'eyes_closed';

export interface QualityReason {
  readonly code: QualityReasonCode;
  readonly message: string;
}

export interface QualityMetrics {
  readonly interEyePx: number;
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
  readonly sharpness: number;
  readonly meanLuma: number;
  readonly clippedDark: number;
  readonly clippedBright: number;
  /** Mean of the two eyes' aspect ratios. */
  readonly eyeAspectRatio: number;
}

/**
 * Normalized sub-scores in [0, 1]. Each maps its policy threshold to exactly 0.5 and is linear
 * (clamped) around it, so a sub-score < 0.5 ⇔ that check fails:
 * - size      = interEye / (2·minInterEyePx)
 * - pose      = 1 − max(|yaw|/(2·maxAbsYaw), |pitch|/(2·maxAbsPitch), |roll|/(2·maxAbsRoll))
 * - sharpness = sharpness / (2·minSharpness)
 * - exposure  = min(meanLuma/(2·minMeanLuma), (255−meanLuma)/(2·(255−maxMeanLuma)),
 *                   1 − clippedDark/(2·maxClipped), 1 − clippedBright/(2·maxClipped))
 * - eyes      = eyeAspectRatio / (2·minEyeAspectRatio)
 */
export interface QualitySubScores {
  readonly size: number;
  readonly pose: number;
  readonly sharpness: number;
  readonly exposure: number;
  readonly eyes: number;
}

export interface QualityReport {
  /**
   * The weakest sub-score: a face is only as usable as its worst aspect. Because every sub-score
   * puts its threshold at 0.5, `acceptable` ⇔ `score ≥ 0.5` (up to rounding at the exact threshold).
   */
  readonly score: number;
  /** True when no check failed (`reasons` is empty). */
  readonly acceptable: boolean;
  /** Failed checks in a fixed order: size, yaw, pitch, roll, blur, exposure, eyes. */
  readonly reasons: QualityReason[];
  readonly subScores: QualitySubScores;
  readonly metrics: QualityMetrics;
}

/**
 * Judges whether a detected face is good enough to enrol or verify. Pure: no I/O, never throws for
 * a bad face (it reports), only for malformed input (mesh under 468 points, box outside the image).
 */
export function assessQuality(image: RgbImage, face: FaceAnalysis, policy: Partial<QualityPolicy> = {}): QualityReport {
  const p = resolvePolicy(policy);
  const ear = eyeAspectRatios(face.mesh);
  const region = faceRegion(face);
  const light = exposure(image, region);
  const metrics: QualityMetrics = {
    interEyePx: interEyeDistance(face.mesh),
    yaw: face.pose.yaw,
    pitch: face.pose.pitch,
    roll: face.pose.roll,
    sharpness: sharpness(image, region),
    meanLuma: light.meanLuma,
    clippedDark: light.clippedDark,
    clippedBright: light.clippedBright,
    eyeAspectRatio: (ear.left + ear.right) / 2,
  };

  const reasons: QualityReason[] = [];
  const fail = (code: QualityReasonCode, message: string): void => {
    reasons.push({ code, message });
  };
  if (metrics.interEyePx < p.minInterEyePx) {
    fail('face_too_small', `face too small: inter-eye ${fmt(metrics.interEyePx)} px < ${fmt(p.minInterEyePx)} px`);
  }
  if (Math.abs(metrics.yaw) > p.maxAbsYaw) {
    fail('yaw_too_large', `head turned too far sideways: yaw ${fmt(Math.abs(metrics.yaw))}° > ${fmt(p.maxAbsYaw)}°`);
  }
  if (Math.abs(metrics.pitch) > p.maxAbsPitch) {
    fail('pitch_too_large', `head tilted too far up or down: pitch ${fmt(Math.abs(metrics.pitch))}° > ${fmt(p.maxAbsPitch)}°`);
  }
  if (Math.abs(metrics.roll) > p.maxAbsRoll) {
    fail('roll_too_large', `head tilted too far sideways: roll ${fmt(Math.abs(metrics.roll))}° > ${fmt(p.maxAbsRoll)}°`);
  }
  if (metrics.sharpness < p.minSharpness) {
    fail('too_blurry', `image too blurry: sharpness ${fmt(metrics.sharpness)} < ${fmt(p.minSharpness)}`);
  }
  const dark: string[] = [];
  if (metrics.meanLuma < p.minMeanLuma) dark.push(`mean brightness ${fmt(metrics.meanLuma)} < ${fmt(p.minMeanLuma)}`);
  if (metrics.clippedDark > p.maxClippedFraction) {
    dark.push(`${percent(metrics.clippedDark)} of the face is black > ${percent(p.maxClippedFraction)}`);
  }
  if (dark.length > 0) fail('underexposed', `underexposed: ${dark.join('; ')}`);
  const bright: string[] = [];
  if (metrics.meanLuma > p.maxMeanLuma) bright.push(`mean brightness ${fmt(metrics.meanLuma)} > ${fmt(p.maxMeanLuma)}`);
  if (metrics.clippedBright > p.maxClippedFraction) {
    bright.push(`${percent(metrics.clippedBright)} of the face is white > ${percent(p.maxClippedFraction)}`);
  }
  if (bright.length > 0) fail('overexposed', `overexposed: ${bright.join('; ')}`);
  if (metrics.eyeAspectRatio < p.minEyeAspectRatio) {
    fail('eyes_closed', `eyes closed: eye aspect ratio ${metrics.eyeAspectRatio.toFixed(2)} < ${p.minEyeAspectRatio.toFixed(2)}`);
  }

  const subScores: QualitySubScores = {
    size: unit(atLeast(metrics.interEyePx, p.minInterEyePx)),
    pose: unit(
      1 -
        Math.max(
          atMost(Math.abs(metrics.yaw), p.maxAbsYaw),
          atMost(Math.abs(metrics.pitch), p.maxAbsPitch),
          atMost(Math.abs(metrics.roll), p.maxAbsRoll),
        ),
    ),
    sharpness: unit(atLeast(metrics.sharpness, p.minSharpness)),
    exposure: unit(
      Math.min(
        atLeast(metrics.meanLuma, p.minMeanLuma),
        atLeast(255 - metrics.meanLuma, 255 - p.maxMeanLuma),
        1 - atMost(metrics.clippedDark, p.maxClippedFraction),
        1 - atMost(metrics.clippedBright, p.maxClippedFraction),
      ),
    ),
    eyes: unit(atLeast(metrics.eyeAspectRatio, p.minEyeAspectRatio)),
  };
  const score = Math.min(subScores.size, subScores.pose, subScores.sharpness, subScores.exposure, subScores.eyes);
  return { score, acceptable: reasons.length === 0, reasons, subScores, metrics };
}

/** Throws `QualityTooLow` (details: reason codes, messages, score) unless the report is acceptable. */
export function requireAcceptableQuality(report: QualityReport): void {
  if (report.acceptable) return;
  throw new QualityTooLow(`face quality too low: ${report.reasons.map((r) => r.message).join('; ')}`, {
    reasons: report.reasons.map((r) => r.code),
    messages: report.reasons.map((r) => r.message),
    score: report.score,
  });
}

/**
 * The region sharpness and exposure are measured on: the bounding box of the 468 face-mesh points
 * (brow to chin, cheek to cheek). The detector's box is looser and includes background, hair and
 * shoulders: a studio portrait on pure white then reads as half clipped (measured 0.49 on a deepface
 * fixture), and a sharp background can hide a blurred face.
 */
export function faceRegion(face: FaceAnalysis): Box {
  const n = Math.min(face.mesh.length, 468);
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const p = face.mesh[i]!;
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  if (!(x1 - x0 >= 1 && y1 - y0 >= 1)) return face.box;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function resolvePolicy(partial: Partial<QualityPolicy>): QualityPolicy {
  const p: QualityPolicy = { ...DEFAULT_QUALITY_POLICY };
  for (const [key, value] of Object.entries(partial) as Array<[keyof QualityPolicy, number | undefined]>) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_QUALITY_POLICY)) throw new InvalidArgument(`unknown quality policy setting "${key}"`, { key });
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidArgument(`quality policy ${key} must be a non-negative number`, { [key]: value });
    }
    (p as Record<keyof QualityPolicy, number>)[key] = value;
  }
  if (p.minMeanLuma > p.maxMeanLuma || p.maxMeanLuma > 255 || p.maxClippedFraction > 1) {
    throw new InvalidArgument('quality policy luma range must lie within 0–255 and maxClippedFraction within 0–1', { ...p });
  }
  return p;
}

/** x / (2·min): 0.5 at the minimum, 1 at twice it. A zero minimum always passes. */
function atLeast(x: number, min: number): number {
  return min > 0 ? x / (2 * min) : 1;
}

/** x / (2·max): 0.5 at the maximum. A zero maximum fails (→ ∞) anything above 0. */
function atMost(x: number, max: number): number {
  if (max > 0) return x / (2 * max);
  return x > 0 ? Infinity : 0;
}

function unit(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.min(1, Math.max(0, x));
}

/** Integer when close to one, else one decimal: "25.4° > 25°" rather than "25° > 25°". */
function fmt(x: number): string {
  const r = Math.round(x);
  return Math.abs(x - r) < 0.05 ? String(r) : x.toFixed(1);
}

function percent(f: number): string {
  return `${Math.round(f * 100)}%`;
}
