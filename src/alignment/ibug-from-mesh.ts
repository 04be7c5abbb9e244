/**
 * For each of the 68 iBUG-300W landmarks (the scheme dlib's models use), the MediaPipe face-mesh
 * vertex that sits at the same anatomical place. Index = iBUG landmark number.
 * Jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, outer lips 48–59, inner lips 60–67.
 */
export const IBUG68_FROM_MESH: readonly number[] = [
  127, 234, 93, 132, 58, 136, 150, 176, 152, 400, 379, 365, 288, 361, 323, 454, 356, 70, 63, 105, 66, 107, 336, 296, 334, 293, 300, 168,
  197, 5, 4, 75, 97, 2, 326, 305, 33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380, 61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84,
  181, 78, 82, 13, 312, 308, 317, 14, 87,
];
