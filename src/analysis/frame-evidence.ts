import type { Box, FaceAnalysis, HeadPose, PresentationScores } from './face-analysis.js';

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
