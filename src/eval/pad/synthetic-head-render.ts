import type { FaceAnalysis } from '../../analysis/face-analysis.js';
import type { RgbImage } from '../../imaging/rgb-image.js';
import { MESH_TRIANGLES } from '../../pad/face-mesh-topology.js';
import { frameShape } from '../../pad/burst-geometry.js';
import { sampleBilinear } from './image-warp.js';

/**
 * SYNTHETIC bona fide stand-in: the photographed head becomes a textured 3-D surface and turns in front
 * of a still background, seen by a perspective camera at about 40 cm.
 *  - Surface: the face's own 468-point mesh (image x, y and the mesh model's depth) inside the face, an
 *    ellipsoid fitted to the face's outline depth for the rest of the head (hair, ears, temples), so
 *    the whole head turns as one body instead of a face patch sliding over an unturned head.
 *  - Camera: true perspective (a terminal camera at arm's length sees the near cheek larger than the far
 *    one); the photo is taken as that camera's frame at pose 0, so frame 0 reproduces the photo.
 *  - Blink: the upper eyelid skin is stretched down over the eye (texture from just above the lid, the
 *    lash line carried to the lower lid), the way a closing lid covers the eye.
 * Where the turned head uncovers what it hid, a blurred copy of the photo shows (no second face behind).
 * It is a rigid head with a painted eyelid, not a person: it shows parallax and lid motion the way a real
 * head does, but says nothing about skin, light, hair moving or the network's response to a real face.
 */
export interface HeadPose3 {
  readonly yawDeg: number;
  readonly pitchDeg: number;
  /** 0 = eyes as photographed, 1 = upper lids on the lower lids. */
  readonly eyesClosed: number;
}

/** A terminal camera at ≈ 40 cm sees a ≈ 14 cm wide face: the camera stands ≈ 2.9 face widths away. */
const CAMERA_DISTANCE_FACE_WIDTHS = 2.9;
/** Grid step of the head surface, pixels. */
const GRID_STEP = 2;

/** Face outline (MediaPipe FACE_OVAL): where the face mesh meets the rest of the head. */
const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93,
  234, 127, 162, 21, 54, 103, 67, 109,
];

/** Eyelid rings (ring 0), corners first: [outer corner, upper lid…, inner corner] and the lower lid between the same corners. */
const EYES = [
  { upper: [33, 246, 161, 160, 159, 158, 157, 173, 133], lower: [33, 7, 163, 144, 145, 153, 154, 155, 133] },
  { upper: [263, 466, 388, 387, 386, 385, 384, 398, 362], lower: [263, 249, 390, 373, 374, 380, 381, 382, 362] },
] as const;

export interface HeadModel {
  readonly photo: RgbImage;
  /** Grid vertices (image x, y; depth z in pixels, growing away from the camera). */
  readonly vertices: Float64Array;
  readonly triangles: Uint32Array;
  /** Rotation centre: the head ellipsoid's centre. */
  readonly centre: { readonly x: number; readonly y: number; readonly z: number };
  readonly cameraDistance: number;
  /** Head ellipse in the image (outside it nothing moves). */
  readonly ellipse: { readonly cx: number; readonly cy: number; readonly a: number; readonly b: number };
  readonly face: FaceAnalysis;
}

export function buildHeadModel(photo: RgbImage, face: FaceAnalysis): HeadModel {
  const shape = frameShape(face);
  const xs = shape.map((p) => p.x);
  const ys = shape.map((p) => p.y);
  const faceWidth = Math.max(...xs) - Math.min(...xs);
  const faceHeight = Math.max(...ys) - Math.min(...ys);
  const top = Math.min(...ys) - 0.4 * faceHeight;
  const bottom = Math.max(...ys) + 0.02 * faceHeight;
  const ellipse = {
    cx: (Math.max(...xs) + Math.min(...xs)) / 2,
    cy: (top + bottom) / 2,
    a: 0.66 * faceWidth,
    b: (bottom - top) / 2,
  };
  const u2 = (x: number, y: number): number => ((x - ellipse.cx) / ellipse.a) ** 2 + ((y - ellipse.cy) / ellipse.b) ** 2;
  // Ellipsoid depth z = zc − c·√(1 − u²), fitted (least squares, 2 unknowns) to the face outline's depth.
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let t1 = 0;
  let t2 = 0;
  for (const i of FACE_OVAL) {
    const p = shape[i]!;
    const w = -Math.sqrt(Math.max(0, 1 - u2(p.x, p.y)));
    s11 += 1;
    s12 += w;
    s22 += w * w;
    t1 += p.z;
    t2 += w * p.z;
  }
  const det = s11 * s22 - s12 * s12;
  let zc = (s22 * t1 - s12 * t2) / det;
  let c = (s11 * t2 - s12 * t1) / det;
  // A head is about as deep as it is wide: keep the fit from going flat or inside out.
  if (!(c > 0.5 * ellipse.a) || !Number.isFinite(zc)) {
    c = 0.9 * ellipse.a;
    zc = FACE_OVAL.reduce((s, i) => s + shape[i]!.z, 0) / FACE_OVAL.length + 0.3 * c;
  }
  const ellipsoid = (x: number, y: number): number => zc - c * Math.sqrt(Math.max(0, 1 - Math.min(0.98, u2(x, y))));
  // Where the ellipsoid misses the face outline's depth, shift it to meet the outline (inverse-distance
  // weights over the outline points), fading to the plain ellipsoid at the head's edge: no step, no crack.
  const outline = FACE_OVAL.map((i) => ({ x: shape[i]!.x, y: shape[i]!.y, miss: shape[i]!.z - ellipsoid(shape[i]!.x, shape[i]!.y) }));
  const outlineU2 = FACE_OVAL.reduce((sum, i) => sum + u2(shape[i]!.x, shape[i]!.y), 0) / FACE_OVAL.length;
  const ellipsoidDepth = (x: number, y: number): number => {
    let weights = 0;
    let miss = 0;
    for (const o of outline) {
      const w = 1 / ((x - o.x) ** 2 + (y - o.y) ** 2 + 1);
      weights += w;
      miss += w * o.miss;
    }
    const fade = Math.max(0, Math.min(1, (1 - u2(x, y)) / Math.max(1e-6, 1 - outlineU2)));
    return ellipsoid(x, y) + fade * (miss / weights);
  };

  // Face depth per pixel from the mesh triangles; elsewhere the ellipsoid, shifted to meet the face at its outline.
  const faceDepth = rasteriseMeshDepth(shape, photo.width, photo.height);
  const minX = Math.max(0, Math.floor(ellipse.cx - 1.05 * ellipse.a));
  const maxX = Math.min(photo.width - 1, Math.ceil(ellipse.cx + 1.05 * ellipse.a));
  const minY = Math.max(0, Math.floor(ellipse.cy - 1.05 * ellipse.b));
  const maxY = Math.min(photo.height - 1, Math.ceil(ellipse.cy + 1.05 * ellipse.b));
  const columns = Math.floor((maxX - minX) / GRID_STEP) + 1;
  const rows = Math.floor((maxY - minY) / GRID_STEP) + 1;
  const vertices = new Float64Array(columns * rows * 3);
  const inside = new Uint8Array(columns * rows);
  for (let r = 0; r < rows; r += 1) {
    for (let q = 0; q < columns; q += 1) {
      const x = minX + q * GRID_STEP;
      const y = minY + r * GRID_STEP;
      const k = r * columns + q;
      const d = faceDepth[Math.round(y) * photo.width + Math.round(x)]!;
      vertices[k * 3] = x;
      vertices[k * 3 + 1] = y;
      vertices[k * 3 + 2] = Number.isFinite(d) ? d : ellipsoidDepth(x, y);
      // A little beyond the blurred ellipse, so that at pose 0 no ring of the backdrop shows.
      inside[k] = u2(x, y) < 1.1 || Number.isFinite(d) ? 1 : 0;
    }
  }
  const triangles: number[] = [];
  for (let r = 0; r + 1 < rows; r += 1) {
    for (let q = 0; q + 1 < columns; q += 1) {
      const a = r * columns + q;
      const b = a + 1;
      const d = a + columns;
      const e = d + 1;
      if (inside[a] && inside[b] && inside[d]) triangles.push(a, b, d);
      if (inside[b] && inside[e] && inside[d]) triangles.push(b, e, d);
    }
  }
  return {
    photo,
    vertices,
    triangles: Uint32Array.from(triangles),
    centre: { x: ellipse.cx, y: ellipse.cy, z: zc },
    cameraDistance: CAMERA_DISTANCE_FACE_WIDTHS * faceWidth,
    ellipse,
    face,
  };
}

/**
 * The head at `pose` over `backdrop` (the photo with the head region blurred away, see
 * `headRemovedBackdrop`; the photo itself when absent).
 */
export function renderHead(model: HeadModel, pose: HeadPose3, backdrop: RgbImage = model.photo): RgbImage {
  const { photo, vertices, triangles, centre, cameraDistance: distance } = model;
  const texture = pose.eyesClosed > 0 ? closeEyes(photo, model.face, pose.eyesClosed) : photo;
  const yaw = (pose.yawDeg * Math.PI) / 180;
  const pitch = (pose.pitchDeg * Math.PI) / 180;
  const count = vertices.length / 3;
  const projected = new Float64Array(count * 3);
  for (let k = 0; k < count; k += 1) {
    // Back-project through the camera (principal point at the head centre, depth relative to it)…
    const z = vertices[k * 3 + 2]! - centre.z;
    const perspective = (distance + z) / distance;
    const x = (vertices[k * 3]! - centre.x) * perspective;
    const y = (vertices[k * 3 + 1]! - centre.y) * perspective;
    // …turn the head about its centre (yaw about the vertical, then pitch)…
    const x1 = x * Math.cos(yaw) + z * Math.sin(yaw);
    const z1 = -x * Math.sin(yaw) + z * Math.cos(yaw);
    const y2 = y * Math.cos(pitch) - z1 * Math.sin(pitch);
    const z2 = y * Math.sin(pitch) + z1 * Math.cos(pitch);
    // …and project again.
    const back = distance / (distance + z2);
    projected[k * 3] = centre.x + x1 * back;
    projected[k * 3 + 1] = centre.y + y2 * back;
    projected[k * 3 + 2] = z2;
  }
  const out = new Uint8Array(backdrop.data);
  const depth = new Float32Array(photo.width * photo.height).fill(Infinity);
  for (let t = 0; t < triangles.length; t += 3) {
    const i0 = triangles[t]!;
    const i1 = triangles[t + 1]!;
    const i2 = triangles[t + 2]!;
    const ax = projected[i0 * 3]!;
    const ay = projected[i0 * 3 + 1]!;
    const bx = projected[i1 * 3]!;
    const by = projected[i1 * 3 + 1]!;
    const cx = projected[i2 * 3]!;
    const cy = projected[i2 * 3 + 1]!;
    const area = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (Math.abs(area) < 1e-9) continue;
    for (let y = Math.max(0, Math.floor(Math.min(ay, by, cy))); y <= Math.min(photo.height - 1, Math.ceil(Math.max(ay, by, cy))); y += 1) {
      for (let x = Math.max(0, Math.floor(Math.min(ax, bx, cx))); x <= Math.min(photo.width - 1, Math.ceil(Math.max(ax, bx, cx))); x += 1) {
        const px = x + 0.5;
        const py = y + 0.5;
        const w0 = ((bx - px) * (cy - py) - (cx - px) * (by - py)) / area;
        const w1 = ((cx - px) * (ay - py) - (ax - px) * (cy - py)) / area;
        const w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        const z = w0 * projected[i0 * 3 + 2]! + w1 * projected[i1 * 3 + 2]! + w2 * projected[i2 * 3 + 2]!;
        const k = y * photo.width + x;
        if (z >= depth[k]!) continue;
        depth[k] = z;
        const u = w0 * vertices[i0 * 3]! + w1 * vertices[i1 * 3]! + w2 * vertices[i2 * 3]!;
        const v = w0 * vertices[i0 * 3 + 1]! + w1 * vertices[i1 * 3 + 1]! + w2 * vertices[i2 * 3 + 1]!;
        sampleBilinear(texture, u - 0.5, v - 0.5, out, k * 3);
      }
    }
  }
  return { width: photo.width, height: photo.height, data: out };
}

/** The photo with the head ellipse replaced by a heavily blurred copy: what a turned head uncovers. */
export function headRemovedBackdrop(model: HeadModel, blurred: RgbImage): RgbImage {
  const { photo, ellipse } = model;
  const out = new Uint8Array(photo.data);
  for (let y = 0; y < photo.height; y += 1) {
    for (let x = 0; x < photo.width; x += 1) {
      if (((x + 0.5 - ellipse.cx) / ellipse.a) ** 2 + ((y + 0.5 - ellipse.cy) / ellipse.b) ** 2 >= 1) continue;
      const k = (y * photo.width + x) * 3;
      out[k] = blurred.data[k]!;
      out[k + 1] = blurred.data[k + 1]!;
      out[k + 2] = blurred.data[k + 2]!;
    }
  }
  return { width: photo.width, height: photo.height, data: out };
}

/**
 * The photo with both upper eyelids lowered by `amount` (0–1) of the eye's opening: each column of the
 * eye takes the skin band just above the upper lid, stretched down to the lowered lid (carrying the lash
 * line with it), and squeezes what stays of the eye between the lowered lid and the lower lid.
 */
export function closeEyes(photo: RgbImage, face: FaceAnalysis, amount: number): RgbImage {
  const out = new Uint8Array(photo.data);
  for (const eye of EYES) {
    const upper = eye.upper.map((i) => face.mesh[i]!);
    const lower = eye.lower.map((i) => face.mesh[i]!);
    const xs = upper.map((p) => p.x);
    const minX = Math.ceil(Math.min(...xs));
    const maxX = Math.floor(Math.max(...xs));
    const eyeWidth = Math.max(1, maxX - minX);
    for (let x = minX; x <= maxX; x += 1) {
      const yu = curveAt(upper, x + 0.5);
      const yl = curveAt(lower, x + 0.5);
      if (!(yl > yu)) continue;
      const opening = yl - yu;
      // The closed lid is smooth skin: the row just above the lashes, repeated down to the lowered lid edge,
      // where the lash line (the few rows at the lid's edge) is drawn again.
      const band = Math.max(2, 0.3 * eyeWidth);
      const lash = Math.max(1, 0.08 * eyeWidth);
      const lid = yu + amount * 0.95 * opening;
      const from = Math.max(0, Math.floor(yu - band));
      const to = Math.min(photo.height - 1, Math.ceil(yl));
      for (let y = from; y <= to; y += 1) {
        const py = y + 0.5;
        let sourceY: number;
        const top = yu - band;
        if (py <= top) continue;
        const skinEnd = Math.max(top, lid - lash);
        // Half closed: the skin stretches; fully closed: the top row is repeated (smooth lid, no lashes on it).
        if (py <= skinEnd) sourceY = top + ((py - top) / Math.max(1e-6, skinEnd - top)) * (band - lash) * (1 - amount);
        else if (py <= lid) sourceY = yu - lash + ((py - skinEnd) * lash) / Math.max(1e-6, lid - skinEnd);
        else if (py <= yl) sourceY = yl - ((yl - py) * opening) / Math.max(1e-6, yl - lid);
        else continue;
        sampleBilinear(photo, x, sourceY - 0.5, out, (y * photo.width + x) * 3);
      }
    }
  }
  return { width: photo.width, height: photo.height, data: out };
}

/** Piecewise-linear y of a lid curve (points ordered along x either way) at abscissa x. */
function curveAt(points: readonly { x: number; y: number }[], x: number): number {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  if (x <= sorted[0]!.x) return sorted[0]!.y;
  for (let i = 1; i < sorted.length; i += 1) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (x <= b.x) return b.x > a.x ? a.y + ((x - a.x) * (b.y - a.y)) / (b.x - a.x) : b.y;
  }
  return sorted[sorted.length - 1]!.y;
}

/** Depth of the face mesh at every pixel it covers (Infinity elsewhere), interpolated over its triangles. */
function rasteriseMeshDepth(shape: ReturnType<typeof frameShape>, width: number, height: number): Float32Array {
  const depth = new Float32Array(width * height).fill(Infinity);
  for (let t = 0; t < MESH_TRIANGLES.length; t += 3) {
    const a = shape[MESH_TRIANGLES[t]!]!;
    const b = shape[MESH_TRIANGLES[t + 1]!]!;
    const c = shape[MESH_TRIANGLES[t + 2]!]!;
    const area = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
    if (Math.abs(area) < 1e-9) continue;
    for (let y = Math.max(0, Math.floor(Math.min(a.y, b.y, c.y))); y <= Math.min(height - 1, Math.ceil(Math.max(a.y, b.y, c.y))); y += 1) {
      for (let x = Math.max(0, Math.floor(Math.min(a.x, b.x, c.x))); x <= Math.min(width - 1, Math.ceil(Math.max(a.x, b.x, c.x))); x += 1) {
        const px = x + 0.5;
        const py = y + 0.5;
        const w0 = ((b.x - px) * (c.y - py) - (c.x - px) * (b.y - py)) / area;
        const w1 = ((c.x - px) * (a.y - py) - (a.x - px) * (c.y - py)) / area;
        const w2 = 1 - w0 - w1;
        if (w0 < -1e-6 || w1 < -1e-6 || w2 < -1e-6) continue;
        const z = w0 * a.z + w1 * b.z + w2 * c.z;
        const k = y * width + x;
        // The surface nearest the camera (a fold of the mesh never hides the skin in front).
        if (z < depth[k]!) depth[k] = z;
      }
    }
  }
  return depth;
}

/** Turn amplitude of the stand-in: real challenge turns are 20–35°. */
export const STAND_IN_TURN_DEG = 30;

/** The bona fide stand-in bursts: a head turn (one way or the other, from the pose photographed) and a blink. */
export function bonaFidePoses(kind: 'turn' | 'blink', frames: number, direction: 1 | -1): HeadPose3[] {
  return Array.from({ length: frames }, (_, i) => {
    const t = frames === 1 ? 0 : i / (frames - 1);
    if (kind === 'turn') return { yawDeg: direction * STAND_IN_TURN_DEG * t, pitchDeg: 2 * Math.sin(Math.PI * t), eyesClosed: 0 };
    // Open, closing, closed, opening, open…: the lids' course over a blink of a few frames.
    const middle = (frames - 1) / 2;
    const closed = Math.max(0, 1 - Math.abs(i - middle) / Math.max(1, middle / 1.5));
    return { yawDeg: 1.5 * t, pitchDeg: 0, eyesClosed: closed };
  });
}
