import type { Point2 } from '../analysis/face-analysis.js';
import { IBUG68_FROM_MESH } from './ibug-from-mesh.js';

/**
 * dlib's mean face shape for iBUG landmarks 17–67 in [0,1]² (from dlib's get_face_chip_details),
 * the geometry its ResNet face-recognition net saw during training.
 */
const MEAN_SHAPE_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127, 0.490127, 0.490127,
  0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918, 0.182743, 0.645647, 0.714428,
  0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127,
  0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const MEAN_SHAPE_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805,
  0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733,
  0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
  0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
];

/** Landmark sets the alignment can be fitted on. */
export type AlignmentLandmarks = 'dlib68' | 'eyes-nose-mouth' | 'eyes';

/**
 * The iBUG landmarks each set uses. `dlib68` is dlib's own choice for 68-point shapes: everything
 * from the nose bridge down except the brows and lower lip, which move with expression.
 */
const LANDMARK_SETS: Record<AlignmentLandmarks, readonly number[]> = {
  dlib68: range(27, 55).concat(range(60, 65)),
  'eyes-nose-mouth': [36, 39, 42, 45, 30, 33, 48, 54, 51],
  eyes: [36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47],
};

function range(from: number, toExclusive: number): number[] {
  return Array.from({ length: toExclusive - from }, (_, i) => from + i);
}

export interface ChipGeometry {
  readonly size: number;
  readonly padding: number;
}

/** dlib's face chips: 150×150 with 25% padding, as in its face-recognition example. */
export const DLIB_RESNET_CHIP: ChipGeometry = { size: 150, padding: 0.25 };

export interface LandmarkPairs {
  readonly image: Point2[];
  readonly chip: Point2[];
}

/** Pairs mesh points in the image with their dlib mean-shape targets inside the chip. */
export function chipLandmarkPairs(mesh: readonly Point2[], geometry: ChipGeometry, landmarks: AlignmentLandmarks): LandmarkPairs {
  const image: Point2[] = [];
  const chip: Point2[] = [];
  const span = 2 * geometry.padding + 1;
  for (const ibug of LANDMARK_SETS[landmarks]) {
    const meshPoint = mesh[IBUG68_FROM_MESH[ibug]!];
    if (!meshPoint) throw new RangeError(`mesh has no vertex ${IBUG68_FROM_MESH[ibug]}`);
    image.push(meshPoint);
    chip.push({
      x: ((geometry.padding + MEAN_SHAPE_X[ibug - 17]!) / span) * geometry.size,
      y: ((geometry.padding + MEAN_SHAPE_Y[ibug - 17]!) / span) * geometry.size,
    });
  }
  return { image, chip };
}
