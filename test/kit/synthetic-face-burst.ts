import type { FaceAnalysis, Point2 } from '../../src/analysis/face-analysis.js';
import {
  LEFT_EYE_LANDMARKS as LEFT_EYE,
  RIGHT_EYE_LANDMARKS as RIGHT_EYE,
  type EyeLandmarks as EyeIndices,
} from '../../src/quality/eye-openness.js';

/**
 * Test fixtures for burst liveness: a parametric face whose 478 landmarks lie on a head-shaped
 * surface, turned (yaw, pitch) and projected orthographically, with the mesh model's depth per point.
 */
// Points live on a head-shaped surface in units of the inter-eye distance (eye centres at x = ±0.5),
// are rotated by the yaw and projected orthographically at `scale` px per unit. The eyes are flat
// (constant depth) so the lid gap over the eye width — the EAR — equals `ear` at zero yaw.

export interface FaceParams {
  readonly yawDeg?: number;
  /** Nose down when positive. */
  readonly pitchDeg?: number;
  /** Eye aspect ratio of both eyes (open ≈ 0.3, closed ≈ 0.05). */
  readonly ear?: number;
  /** Uniform landmark noise in px (detector jitter, micro-motion of a live subject); 0 for a frozen mesh. */
  readonly jitterPx?: number;
  readonly seed?: number;
  readonly scale?: number;
  readonly antispoof?: number;
  readonly liveness?: number;
}

const CENTRE = { x: 320, y: 240 };
const EYE_WIDTH = 0.45;
const EYE_DEPTH = 0.75;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/** Face surface point i (not an eye landmark): a golden-angle spiral over an ellipse with a domed depth. */
function surfacePoint(i: number): { x: number; y: number; z: number } {
  const r = Math.sqrt((i + 0.5) / 478);
  const theta = i * 2.399963;
  const x = 0.9 * r * Math.cos(theta);
  const y = 1.2 * r * Math.sin(theta);
  return { x, y, z: Math.sqrt(Math.max(0, 1.3 - x * x - 0.5 * y * y)) };
}

function eyePoints(eye: EyeIndices, centreX: number, ear: number): Map<number, { x: number; y: number; z: number }> {
  const points = new Map<number, { x: number; y: number; z: number }>();
  const y = -0.25;
  points.set(eye.corners[0], { x: centreX - EYE_WIDTH / 2, y, z: EYE_DEPTH });
  points.set(eye.corners[1], { x: centreX + EYE_WIDTH / 2, y, z: EYE_DEPTH });
  const offsets = [0, EYE_WIDTH / 5, -EYE_WIDTH / 5];
  eye.lidPairs.forEach(([upper, lower], k) => {
    const x = centreX + offsets[k]!;
    points.set(upper, { x, y: y - (ear * EYE_WIDTH) / 2, z: EYE_DEPTH });
    points.set(lower, { x, y: y + (ear * EYE_WIDTH) / 2, z: EYE_DEPTH });
  });
  return points;
}

/** Point i after the yaw (nose towards the image's right when positive) and pitch (nose down), z towards the camera. */
function posedPoint(i: number, params: FaceParams): { x: number; y: number; z: number } {
  const { yawDeg = 0, pitchDeg = 0, ear = 0.3 } = params;
  const eyes = new Map([...eyePoints(RIGHT_EYE, -0.5, ear), ...eyePoints(LEFT_EYE, 0.5, ear)]);
  const p = i >= 468 ? { x: i < 473 ? -0.5 : 0.5, y: -0.25, z: EYE_DEPTH } : (eyes.get(i) ?? surfacePoint(i));
  const yaw = (yawDeg * Math.PI) / 180;
  const pitch = (pitchDeg * Math.PI) / 180;
  const x = p.x * Math.cos(yaw) + p.z * Math.sin(yaw);
  const z1 = -p.x * Math.sin(yaw) + p.z * Math.cos(yaw);
  const y = p.y * Math.cos(pitch) + z1 * Math.sin(pitch);
  const z = -p.y * Math.sin(pitch) + z1 * Math.cos(pitch);
  return { x, y, z };
}

export function syntheticMesh(params: FaceParams = {}): Point2[] {
  const { jitterPx = 0.6, seed = 1, scale = 100 } = params;
  const random = seededRandom(seed);
  return Array.from({ length: 478 }, (_, i) => {
    const p = posedPoint(i, params);
    return {
      x: CENTRE.x + scale * p.x + jitterPx * (random() * 2 - 1),
      y: CENTRE.y + scale * p.y + jitterPx * (random() * 2 - 1),
    };
  });
}

/**
 * Depth of each point after the pose, in the mesh model's crop units and sign (growing away from the
 * camera): burst-geometry scales depth by the mesh's width over 150 units, so this is the pixel depth
 * divided by that factor.
 */
function syntheticDepth(mesh: readonly Point2[], params: FaceParams = {}): number[] {
  const { scale = 100 } = params;
  const xs = mesh.slice(0, 468).map((p) => p.x);
  const depthScale = (Math.max(...xs) - Math.min(...xs)) / 150;
  return Array.from({ length: 478 }, (_, i) => -(scale * posedPoint(i, params).z) / depthScale);
}

export function frame(params: FaceParams = {}): FaceAnalysis {
  const mesh = syntheticMesh(params);
  return {
    box: { x: 200, y: 100, width: 240, height: 300 },
    detectionScore: 0.98,
    mesh,
    meshDepth: syntheticDepth(mesh, params),
    pose: { yaw: params.yawDeg ?? 0, pitch: params.pitchDeg ?? 0, roll: 0 },
    presentation: { antispoof: params.antispoof ?? 0.9, liveness: params.liveness ?? 0.85 },
  };
}

/** A burst with one frame per entry, each with its own jitter seed. */
export function burst(perFrame: readonly FaceParams[]): FaceAnalysis[] {
  return perFrame.map((params, i) => frame({ seed: 100 + i, ...params }));
}
