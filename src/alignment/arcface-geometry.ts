import type { Point2 } from '../analysis/face-analysis.js';

/**
 * insightface's ArcFace reference for a 112×112 chip (`arcface_dst` in insightface's face_align.py):
 * the image-left eye centre, image-right eye centre, nose tip, image-left and image-right mouth
 * corner. ArcFace-style nets are trained on chips warped so these five points land here.
 */
export const ARCFACE_112_REFERENCE: readonly Point2[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];
export const ARCFACE_112_SIZE = 112;

/** The MediaPipe mesh's contour of the eye on the image's left (the subject's right eye). */
const IMAGE_LEFT_EYE_CONTOUR = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246];
/** The contour of the eye on the image's right (the subject's left eye). */
const IMAGE_RIGHT_EYE_CONTOUR = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466];
const NOSE_TIP = 1;
const IMAGE_LEFT_MOUTH_CORNER = 61;
const IMAGE_RIGHT_MOUTH_CORNER = 291;

function centroid(mesh: readonly Point2[], indices: readonly number[]): Point2 {
  let x = 0,
    y = 0;
  for (const i of indices) {
    const p = mesh[i];
    if (!p) throw new RangeError(`mesh has no point ${i}`);
    x += p.x;
    y += p.y;
  }
  return { x: x / indices.length, y: y / indices.length };
}

function point(mesh: readonly Point2[], index: number): Point2 {
  const p = mesh[index];
  if (!p) throw new RangeError(`mesh has no point ${index}`);
  return p;
}

/**
 * The five ArcFace landmarks from Human's 468-point mesh, in the reference's order. Eye centres are
 * the centroids of the 16-point eye contours (the mesh has no pupil without iris refinement, and the
 * contour centroid is what 5-point detectors such as RetinaFace are trained to mark).
 */
export function arcfaceFivePoints(mesh: readonly Point2[]): Point2[] {
  return [
    centroid(mesh, IMAGE_LEFT_EYE_CONTOUR),
    centroid(mesh, IMAGE_RIGHT_EYE_CONTOUR),
    point(mesh, NOSE_TIP),
    point(mesh, IMAGE_LEFT_MOUTH_CORNER),
    point(mesh, IMAGE_RIGHT_MOUTH_CORNER),
  ];
}
