import type { FaceAnalysis } from '../analysis/face-analysis.js';
import type { RgbImage } from '../imaging/rgb-image.js';
import { FaceNotFound, InvalidArgument, MultipleFaces } from '../errors/domain-errors.js';

/**
 * What to do when an image holds several faces:
 * - `largest`: the biggest face (a kiosk or terminal camera: the shopper is closest);
 * - `central`: the face nearest the image centre (photos cropped around their subject, as in
 *   LFW and most labelled face sets, where the largest face can be a bystander's);
 * - `error`: refuse with MultipleFaces and let the caller decide.
 */
export type MultipleFacePolicy = 'largest' | 'central' | 'error';

export const MULTIPLE_FACE_POLICIES: readonly MultipleFacePolicy[] = ['largest', 'central', 'error'];

type Selector = (faces: readonly FaceAnalysis[], image: RgbImage) => FaceAnalysis;

/** `faces` arrive largest first. */
const SELECTORS: Record<MultipleFacePolicy, Selector> = {
  largest: (faces) => faces[0]!,
  central: (faces, image) => {
    const distance = (f: FaceAnalysis): number =>
      Math.hypot(f.box.x + f.box.width / 2 - image.width / 2, f.box.y + f.box.height / 2 - image.height / 2);
    return faces.reduce((best, f) => (distance(f) < distance(best) ? f : best));
  },
  error: (faces) => {
    if (faces.length > 1) throw new MultipleFaces(`${faces.length} faces found; expected exactly one`, { faces: faces.length });
    return faces[0]!;
  },
};

export function selectFace(faces: readonly FaceAnalysis[], image: RgbImage, policy: MultipleFacePolicy): FaceAnalysis {
  if (faces.length === 0) throw new FaceNotFound('no face found in the image');
  return SELECTORS[policy](faces, image);
}

export function parseMultipleFacePolicy(text: string): MultipleFacePolicy {
  if (!(MULTIPLE_FACE_POLICIES as readonly string[]).includes(text)) {
    throw new InvalidArgument(`--face must be one of ${MULTIPLE_FACE_POLICIES.join(', ')}; got "${text}"`);
  }
  return text as MultipleFacePolicy;
}
