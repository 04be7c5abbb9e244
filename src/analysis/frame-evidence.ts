import type { Box, FaceAnalysis, HeadPose, PresentationScores } from './face-analysis.js';
import { InvalidArgument } from '../errors/domain-errors.js';

/**
 * What a browser's analyzer saw in one frame, in that frame's pixel coordinates: a `FaceAnalysis`
 * with its points as `[x, y]` pairs (compact JSON) and the frame's size. The enrollment kiosk sends
 * these with its template; the server turns them back into `FaceAnalysis` values for the same burst
 * liveness, challenge and quality code that checkout runs on its own analyses.
 */
export interface FrameEvidence {
  readonly width: number;
  readonly height: number;
  readonly box: Box;
  readonly detectionScore: number;
  readonly mesh: ReadonlyArray<readonly [number, number]>;
  readonly meshDepth: readonly number[];
  readonly pose: HeadPose;
  readonly presentation: PresentationScores;
}

export function toFrameEvidence(face: FaceAnalysis, frame: { readonly width: number; readonly height: number }): FrameEvidence {
  return {
    width: frame.width,
    height: frame.height,
    box: { x: face.box.x, y: face.box.y, width: face.box.width, height: face.box.height },
    detectionScore: face.detectionScore,
    mesh: face.mesh.map((p) => [p.x, p.y] as const),
    meshDepth: [...face.meshDepth],
    pose: { yaw: face.pose.yaw, pitch: face.pose.pitch, roll: face.pose.roll },
    presentation: { antispoof: face.presentation.antispoof, liveness: face.presentation.liveness },
  };
}

/** The evidence as the analysis the server's PAD and quality code take (the frame size is dropped). */
export function fromFrameEvidence(evidence: FrameEvidence): FaceAnalysis {
  return {
    box: evidence.box,
    detectionScore: evidence.detectionScore,
    mesh: evidence.mesh.map(([x, y]) => ({ x, y })),
    meshDepth: evidence.meshDepth,
    pose: evidence.pose,
    presentation: evidence.presentation,
  };
}

/** The face mesh, and the mesh with iris refinement. */
const MESH_SIZES = [468, 478];

/**
 * Evidence a device sent, checked before the PAD evaluations judge it: InvalidArgument (naming the
 * frame) for a mesh they could not judge or points far outside the frame.
 */
export function checkedAnalysisOf(evidence: FrameEvidence, index: number): FaceAnalysis {
  if (!MESH_SIZES.includes(evidence.mesh.length) || evidence.meshDepth.length !== evidence.mesh.length) {
    throw new InvalidArgument(`frame ${index}: "mesh" and "meshDepth" hold 468 (or 478) points each`);
  }
  const { width, height } = evidence;
  const inside = (x: number, y: number) => x >= -width && x <= 2 * width && y >= -height && y <= 2 * height;
  if (!evidence.mesh.every(([x, y]) => inside(x, y))) throw new InvalidArgument(`frame ${index}: mesh points lie far outside the frame`);
  return fromFrameEvidence(evidence);
}
