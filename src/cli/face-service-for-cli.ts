import os from 'node:os';
import type { FaceService } from '../pipeline/face-service.js';
import { createPooledFaceService } from '../pipeline/pooled-face-service.js';

/** A worker pool sized to the work: no more workers than images, no more than cores. */
export function faceServiceForCli(engineIds: readonly string[], imageCount: number): Promise<FaceService> {
  const size = Math.max(1, Math.min(imageCount, os.availableParallelism()));
  return createPooledFaceService(engineIds, { size });
}
