/** Every registered engine runs the FaceEngine contract: adding an engine to the registry adds its tests. */
import { createEngine, engineIds } from '../../src/engines/engine-registry.js';
import { runFaceEngineContract } from '../kit/contracts/face-engine-contract.js';

for (const id of engineIds()) runFaceEngineContract(id, () => createEngine(id));
