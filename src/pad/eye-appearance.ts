import type { Point2 } from '../analysis/face-analysis.js';
import { sampleGray, type GrayImage } from '../imaging/gray-pyramid.js';
import { LEFT_EYE_LANDMARKS, RIGHT_EYE_LANDMARKS, eyeCentre, type EyeLandmarks } from '../quality/eye-openness.js';
import { applyHomography, type Matrix3 } from './planar-homography.js';

/**
 * How much the eyes changed between frame 0 and frame k *beyond* what the rest of the face did, from
 * the pixels: each eye's patch of frame 0 is compared with the patch of frame k that the planar map
 * of the face (fitted to the tracked rigid landmarks) puts on it, by normalised cross-correlation
 * (gain and offset free, so exposure and a screen's gamma do not count); the same is done for a
 * control patch of rigid skin and brows above the nose. The measure is the eyes' loss of correlation
 * minus the control's, 0 when the eyes changed no more than the face around them.
 *
 * Why: a flat picture, however it is moved, keeps its eyes as they are relative to its face; lids
 * that close cover iris and sclera with skin and change the patch completely. The mesh model's eye
 * aspect ratio does not see a closed lid reliably (docs/liveness.md: renders of closed lids read as a
 * 10–30 % narrower eye), the pixels do.
 */
export function eyeAppearanceChange(first: GrayImage, later: GrayImage, mesh: readonly Point2[], firstToLater: Matrix3): number {
  const eyes = [RIGHT_EYE_LANDMARKS, LEFT_EYE_LANDMARKS].map((eye) => eyePatch(mesh, eye));
  const right = eyeCentre(mesh, RIGHT_EYE_LANDMARKS);
  const left = eyeCentre(mesh, LEFT_EYE_LANDMARKS);
  const between = { x: (right.x + left.x) / 2, y: (right.y + left.y) / 2 };
  const span = { x: left.x - right.x, y: left.y - right.y };
  // Up the face, perpendicular to the eye line: the brows and the forehead between them.
  const up = { x: span.y, y: -span.x };
  const control: Patch = {
    centre: { x: between.x + 0.35 * up.x, y: between.y + 0.35 * up.y },
    axis: span,
    halfLength: 0.45,
    halfHeight: 0.22,
  };
  const eyeLoss = eyes.map((patch) => 1 - correlation(first, later, patch, firstToLater));
  const controlLoss = 1 - correlation(first, later, control, firstToLater);
  const change = (eyeLoss[0]! + eyeLoss[1]!) / 2 - controlLoss;
  return Number.isFinite(change) ? Math.max(0, change) : 0;
}

/** A rectangle along `axis` (whose length is the unit of both half-sizes) around `centre`. */
interface Patch {
  readonly centre: Point2;
  readonly axis: Point2;
  readonly halfLength: number;
  readonly halfHeight: number;
}

function eyePatch(mesh: readonly Point2[], eye: EyeLandmarks): Patch {
  const a = mesh[eye.corners[0]]!;
  const b = mesh[eye.corners[1]]!;
  // Corner to corner and a little beyond; up to the crease and down to the lower lid's edge.
  return { centre: eyeCentre(mesh, eye), axis: { x: b.x - a.x, y: b.y - a.y }, halfLength: 0.6, halfHeight: 0.35 };
}

const GRID_LONG = 20;
const GRID_SHORT = 12;

function correlation(first: GrayImage, later: GrayImage, patch: Patch, map: Matrix3): number {
  const { centre, axis } = patch;
  const normal = { x: -axis.y, y: axis.x };
  const a: number[] = [];
  const b: number[] = [];
  for (let j = 0; j < GRID_SHORT; j += 1) {
    const v = (2 * (j + 0.5)) / GRID_SHORT - 1;
    for (let i = 0; i < GRID_LONG; i += 1) {
      const u = (2 * (i + 0.5)) / GRID_LONG - 1;
      const p = {
        x: centre.x + u * patch.halfLength * axis.x + v * patch.halfHeight * normal.x,
        y: centre.y + u * patch.halfLength * axis.y + v * patch.halfHeight * normal.y,
      };
      const q = applyHomography(map, p);
      a.push(sampleGray(first, p.x, p.y));
      b.push(sampleGray(later, q.x, q.y));
    }
  }
  const n = a.length;
  const meanA = a.reduce((s, x) => s + x, 0) / n;
  const meanB = b.reduce((s, x) => s + x, 0) / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i += 1) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  // A patch without contrast (a flat colour) correlates with nothing: count it as unchanged.
  return aa > 1e-6 && bb > 1e-6 ? ab / Math.sqrt(aa * bb) : 1;
}
