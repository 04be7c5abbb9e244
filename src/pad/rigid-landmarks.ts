import { MESH_MIRROR, MESH_POINTS } from './face-mesh-topology.js';

/**
 * Mesh points that move with the skull: everything but the eyelids and lips (Human's meshAnnotations
 * eye rings 0–1 and all lip rings), which move on their own when a person blinks or speaks. Geometry
 * across frames (planar versus 3-D, mirror) is fitted on these; the eyelids are then judged against
 * that fit. Closed under MESH_MIRROR, so a mirrored correspondence uses the same set.
 */
const NON_RIGID: readonly number[] = [
  // lips
  185, 40, 39, 37, 0, 267, 269, 270, 409, 61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 191, 80, 81, 82, 13, 312, 311, 310, 415, 78,
  95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 76, 77, 90, 180, 85, 16, 315, 404, 320, 307, 306, 62, 96, 89, 179, 86, 15, 316, 403, 319,
  325, 292, 183, 42, 41, 38, 12, 268, 271, 272, 407, 184, 74, 73, 72, 11, 302, 303, 304, 408,
  // right eye, lid rings 0 and 1
  246, 161, 160, 159, 158, 157, 173, 33, 7, 163, 144, 145, 153, 154, 155, 133, 247, 30, 29, 27, 28, 56, 190, 130, 25, 110, 24, 23, 22, 26,
  112, 243,
  // left eye, lid rings 0 and 1
  466, 388, 387, 386, 385, 384, 398, 263, 249, 390, 373, 374, 380, 381, 382, 362, 467, 260, 259, 257, 258, 286, 414, 359, 255, 339, 254,
  253, 252, 256, 341, 463,
];

const excluded = new Set<number>();
for (const i of NON_RIGID) {
  excluded.add(i);
  excluded.add(MESH_MIRROR[i]!);
}

export const RIGID_LANDMARKS: readonly number[] = Array.from({ length: MESH_POINTS }, (_, i) => i).filter((i) => !excluded.has(i));
