import type { FaceAnalysis } from '../analysis/face-analysis.js';
import { InvalidArgument } from '../errors/domain-errors.js';

/**
 * What the kiosk's in-browser analyzer saw in one frame, in that frame's pixel coordinates: a
 * FaceAnalysis with its points as [x, y] pairs (JSON has no objects to spare for 468 points).
 */
export interface FrameEvidence {
  readonly width: number;
  readonly height: number;
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly detectionScore: number;
  readonly mesh: ReadonlyArray<readonly [number, number]>;
  readonly meshDepth: readonly number[];
  readonly pose: { readonly yaw: number; readonly pitch: number; readonly roll: number };
  readonly presentation: { readonly antispoof: number; readonly liveness: number };
}

/** The face mesh, and the mesh with iris refinement. */
const MESH_SIZES = [468, 478];

/** The analysis the pad evaluations take; InvalidArgument for a mesh they could not judge. */
export function analysisOf(frame: FrameEvidence, index: number): FaceAnalysis {
  if (!MESH_SIZES.includes(frame.mesh.length) || frame.meshDepth.length !== frame.mesh.length) {
    throw new InvalidArgument(`frame ${index}: "mesh" and "meshDepth" hold 468 (or 478) points each`);
  }
  const inside = (x: number, y: number) => x >= -frame.width && x <= 2 * frame.width && y >= -frame.height && y <= 2 * frame.height;
  if (!frame.mesh.every(([x, y]) => inside(x, y))) throw new InvalidArgument(`frame ${index}: mesh points lie far outside the frame`);
  return {
    box: frame.box,
    detectionScore: frame.detectionScore,
    mesh: frame.mesh.map(([x, y]) => ({ x, y })),
    meshDepth: frame.meshDepth,
    pose: frame.pose,
    presentation: frame.presentation,
  };
}
