import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../runtime/project-root.js';
import type { EngineProvenance } from './engine-provenance.js';

/** The installed version of a package, read from node_modules, so provenance never drifts from the lockfile. */
function installedVersion(name: string): string {
  try {
    const file = path.join(projectRoot(), 'node_modules', name, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export function dlibResnetProvenance(): EngineProvenance {
  return {
    package: { name: '@vladmandic/face-api', version: installedVersion('@vladmandic/face-api'), licence: 'MIT' },
    weights: "dlib's dlib_face_recognition_resnet_model_v1 (29-layer ResNet, 128-d) by Davis King, as face-api's tfjs port",
    trainingData:
      "about 3 million faces of 7,485 people: FaceScrub, the VGG face data set and images scraped from the internet (dlib's model notes)",
    terms: 'permitted',
    termsNote:
      "dlib's author released the weights into the public domain (CC0, dlib-models repository); the training images include research data sets, which the release does not carry over to the weights.",
  };
}

export function humanFaceresProvenance(): EngineProvenance {
  return {
    package: { name: '@vladmandic/human', version: installedVersion('@vladmandic/human'), licence: 'MIT' },
    weights: "Human's `faceres` model (descriptor, age and gender heads), trained by Human's author",
    trainingData: "not stated in Human's documentation",
    terms: 'unknown',
    termsNote: 'The package is MIT-licensed; its documentation does not say what data the descriptor was trained on or on what terms.',
  };
}

export function geometryProvenance(): EngineProvenance {
  return {
    package: null,
    weights: 'none: log distances between 20 landmarks of the face mesh, standardized per face',
    trainingData: 'none (no learned weights)',
    terms: 'permitted',
    termsNote: "facekey's own code; it learns nothing and reads only the shared face mesh.",
  };
}
