/** Both FaceService implementations run the FaceService contract (models load: a slow suite). */
import { createInProcessFaceService } from '../../src/pipeline/in-process-face-service.js';
import { createPooledFaceService } from '../../src/pipeline/pooled-face-service.js';
import { runFaceServiceContract } from '../kit/contracts/face-service-contract.js';

runFaceServiceContract('in-process', (engineIds) => createInProcessFaceService(engineIds));
runFaceServiceContract('pooled (one worker)', (engineIds) => createPooledFaceService(engineIds, { size: 1 }));
