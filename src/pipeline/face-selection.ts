import type { Box } from '../analysis/face-analysis.js';
import type { FaceCandidate } from '../analysis/detector-candidate-gate.js';
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

/** What selection looks at: a face's box (an analysed face, or a detector candidate before analysis). */
interface Boxed {
  readonly box: Box;
}

type Selector = <F extends Boxed>(faces: readonly F[], image: RgbImage) => F;

/** `faces` arrive largest first. */
const SELECTORS: Record<MultipleFacePolicy, Selector> = {
  largest: (faces) => faces[0]!,
  central: (faces, image) => {
    const distance = (f: Boxed): number =>
      Math.hypot(f.box.x + f.box.width / 2 - image.width / 2, f.box.y + f.box.height / 2 - image.height / 2);
    return faces.reduce((best, f) => (distance(f) < distance(best) ? f : best));
  },
  error: (faces) => {
    if (faces.length > 1) throw new MultipleFaces(`${faces.length} faces found; expected exactly one`, { faces: faces.length });
    return faces[0]!;
  },
};

export function selectFace<F extends Boxed>(faces: readonly F[], image: RgbImage, policy: MultipleFacePolicy): F {
  if (faces.length === 0) throw new FaceNotFound('no face found in the image');
  return SELECTORS[policy](faces, image);
}

/**
 * The detector candidate that alone gets the per-face models, chosen by the same policy from the
 * detector's boxes; null (analyse every face) under `error` with several candidates, so that the
 * refusal counts only faces the mesh confirms, as it always did.
 */
export function pickCandidate(candidates: readonly FaceCandidate[], image: RgbImage, policy: MultipleFacePolicy): FaceCandidate | null {
  if (policy === 'error' && candidates.length > 1) return null;
  return selectFace(candidates, image, policy);
}

export function parseMultipleFacePolicy(text: string): MultipleFacePolicy {
  if (!(MULTIPLE_FACE_POLICIES as readonly string[]).includes(text)) {
    throw new InvalidArgument(`--face must be one of ${MULTIPLE_FACE_POLICIES.join(', ')}; got "${text}"`);
  }
  return text as MultipleFacePolicy;
}
