import os from 'node:os';
import type { FaceService } from '../pipeline/face-service.js';
import { createPooledFaceService } from '../pipeline/pooled-face-service.js';

/**
 * Runs `work` with a worker pool sized to it — no more workers than images, no more than cores —
 * and always shuts the pool down, so a failed command never leaves threads behind.
 */
export async function withFaceService<T>(
  engineIds: readonly string[],
  imageCount: number,
  work: (service: FaceService) => Promise<T>,
): Promise<T> {
  const size = Math.max(1, Math.min(imageCount, os.availableParallelism()));
  const service = await createPooledFaceService(engineIds, { size });
  try {
    return await work(service);
  } finally {
    await service.close();
  }
}
