import { fetchBundledModels } from '../src/engines/onnx-arcface/fetch-bundled-models.js';

// Run by `npm install` (prepare): the bundled engines' model files, fetched once and hash-checked.
for (const outcome of fetchBundledModels()) {
  console.log(`facekey: model for engine ${outcome.id} ${outcome.action === 'fetched' ? 'fetched into' : 'already in'} ${outcome.file}`);
}
