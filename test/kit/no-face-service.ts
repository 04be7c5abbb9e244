import type { FaceService } from '../../src/pipeline/face-service.js';

const unused = (): Promise<never> => Promise.reject(new Error('the face pipeline is not used here: device templates only'));

/** For tests that enroll and match device templates only: any call into the pipeline fails loudly. */
export const noFaceService: FaceService = {
  detect: unused,
  process: unused,
  assessBurst: unused,
  analyzeFrame: unused,
  assessAnalysedBurst: unused,
  isReady: () => false,
  close: async () => {},
};
