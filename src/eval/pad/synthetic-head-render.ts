import type { FaceAnalysis } from '../../analysis/face-analysis.js';
import type { RgbImage } from '../../imaging/rgb-image.js';
import { MESH_POINTS, MESH_TRIANGLES } from '../../pad/face-mesh-topology.js';
import { frameShape } from '../../pad/burst-geometry.js';
import { sampleBilinear } from './image-warp.js';

/**
 * SYNTHETIC bona fide stand-in: the face's own 468-point mesh (image x, y and the mesh model's depth)
 * becomes a textured 3-D surface (texture = the photo itself, each vertex at its own pixel), turned
 * about the vertical and horizontal axes through its centre and drawn by a z-buffered triangle
 * rasteriser over the photo as background. A blink moves the upper eyelid vertices onto the lower lid.
 * It is a rigid head with a stretched-texture eyelid, not a person: it shows parallax and lid motion
 * the way a real head does, but says nothing about skin, light or the network's response to a real face.
 */
export interface HeadPose3 {
  readonly yawDeg: number;
  readonly pitchDeg: number;
  /** 0 = eyes as photographed, 1 = upper lids on the lower lids. */
  readonly eyesClosed: number;
}

const UPPER_LIDS = [246, 161, 160, 159, 158, 157, 173, 466, 388, 387, 386, 385, 384, 398];
const LOWER_LIDS = [7, 163, 144, 145, 153, 154, 155, 249, 390, 373, 374, 380, 381, 382];
const UPPER_LIDS_OUTER = [247, 30, 29, 27, 28, 56, 190, 467, 260, 259, 257, 258, 286, 414];

/**
 * `backdrop`: what shows where the turned face no longer covers the face photographed (the caller
 * passes the photo with the face region blurred away); the photo itself when absent.
 */
export function renderHead(photo: RgbImage, face: FaceAnalysis, pose: HeadPose3, backdrop: RgbImage = photo): RgbImage {
  const shape = frameShape(face);
  const texture = face.mesh.slice(0, MESH_POINTS);
  const closed = shape.map((p) => ({ ...p }));
  UPPER_LIDS.forEach((upper, k) => {
    const lower = shape[LOWER_LIDS[k]!]!;
    const u = shape[upper]!;
    closed[upper] = { x: u.x, y: u.y + pose.eyesClosed * 0.92 * (lower.y - u.y), z: u.z };
    const outer = shape[UPPER_LIDS_OUTER[k]!]!;
    closed[UPPER_LIDS_OUTER[k]!] = { x: outer.x, y: outer.y + pose.eyesClosed * 0.35 * (lower.y - u.y), z: outer.z };
  });
  const cx = closed.reduce((s, p) => s + p.x, 0) / closed.length;
  const cy = closed.reduce((s, p) => s + p.y, 0) / closed.length;
  const cz = closed.reduce((s, p) => s + p.z, 0) / closed.length;
  const yaw = (pose.yawDeg * Math.PI) / 180;
  const pitch = (pose.pitchDeg * Math.PI) / 180;
  const projected = closed.map((p) => {
    const x = p.x - cx;
    const y = p.y - cy;
    const z = p.z - cz;
    const x1 = x * Math.cos(yaw) + z * Math.sin(yaw);
    const z1 = -x * Math.sin(yaw) + z * Math.cos(yaw);
    const y2 = y * Math.cos(pitch) - z1 * Math.sin(pitch);
    const z2 = y * Math.sin(pitch) + z1 * Math.cos(pitch);
    return { x: cx + x1, y: cy + y2, z: z2 };
  });
  const out = new Uint8Array(backdrop.data);
  const depth = new Float32Array(photo.width * photo.height).fill(Infinity);
  for (let t = 0; t < MESH_TRIANGLES.length; t += 3) {
    const ids = [MESH_TRIANGLES[t]!, MESH_TRIANGLES[t + 1]!, MESH_TRIANGLES[t + 2]!] as const;
    const [a, b, c] = ids.map((i) => projected[i]!) as [(typeof projected)[0], (typeof projected)[0], (typeof projected)[0]];
    const [ta, tb, tc] = ids.map((i) => texture[i]!) as [(typeof texture)[0], (typeof texture)[0], (typeof texture)[0]];
    const area = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
    if (Math.abs(area) < 1e-9) continue;
    const minX = Math.max(0, Math.floor(Math.min(a.x, b.x, c.x)));
    const maxX = Math.min(photo.width - 1, Math.ceil(Math.max(a.x, b.x, c.x)));
    const minY = Math.max(0, Math.floor(Math.min(a.y, b.y, c.y)));
    const maxY = Math.min(photo.height - 1, Math.ceil(Math.max(a.y, b.y, c.y)));
    for (let y = minY; y <= maxY; y += 1) {
      for (let x = minX; x <= maxX; x += 1) {
        const px = x + 0.5;
        const py = y + 0.5;
        const w0 = ((b.x - px) * (c.y - py) - (c.x - px) * (b.y - py)) / area;
        const w1 = ((c.x - px) * (a.y - py) - (a.x - px) * (c.y - py)) / area;
        const w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        const z = w0 * a.z + w1 * b.z + w2 * c.z;
        const k = y * photo.width + x;
        if (z >= depth[k]!) continue;
        depth[k] = z;
        const u = w0 * ta.x + w1 * tb.x + w2 * tc.x;
        const v = w0 * ta.y + w1 * tb.y + w2 * tc.y;
        sampleBilinear(photo, u - 0.5, v - 0.5, out, k * 3);
      }
    }
  }
  return { width: photo.width, height: photo.height, data: out };
}

/** The photo with the face's mesh area replaced by a heavily blurred copy: no second face behind the render. */
export function faceRemovedBackdrop(photo: RgbImage, face: FaceAnalysis, blurred: RgbImage): RgbImage {
  const out = new Uint8Array(photo.data);
  const mesh = face.mesh;
  const grow = 1.08;
  const cx = mesh.slice(0, MESH_POINTS).reduce((s, p) => s + p.x, 0) / MESH_POINTS;
  const cy = mesh.slice(0, MESH_POINTS).reduce((s, p) => s + p.y, 0) / MESH_POINTS;
  const at = (i: number) => ({ x: cx + grow * (mesh[i]!.x - cx), y: cy + grow * (mesh[i]!.y - cy) });
  for (let t = 0; t < MESH_TRIANGLES.length; t += 3) {
    const a = at(MESH_TRIANGLES[t]!);
    const b = at(MESH_TRIANGLES[t + 1]!);
    const c = at(MESH_TRIANGLES[t + 2]!);
    const area = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
    if (Math.abs(area) < 1e-9) continue;
    for (
      let y = Math.max(0, Math.floor(Math.min(a.y, b.y, c.y)));
      y <= Math.min(photo.height - 1, Math.ceil(Math.max(a.y, b.y, c.y)));
      y += 1
    ) {
      for (
        let x = Math.max(0, Math.floor(Math.min(a.x, b.x, c.x)));
        x <= Math.min(photo.width - 1, Math.ceil(Math.max(a.x, b.x, c.x)));
        x += 1
      ) {
        const w0 = ((b.x - x) * (c.y - y) - (c.x - x) * (b.y - y)) / area;
        const w1 = ((c.x - x) * (a.y - y) - (a.x - x) * (c.y - y)) / area;
        if (w0 < 0 || w1 < 0 || 1 - w0 - w1 < 0) continue;
        const k = (y * photo.width + x) * 3;
        out[k] = blurred.data[k]!;
        out[k + 1] = blurred.data[k + 1]!;
        out[k + 2] = blurred.data[k + 2]!;
      }
    }
  }
  return { width: photo.width, height: photo.height, data: out };
}

/** The bona fide stand-in bursts: a head turn (one way or the other, from the pose photographed) and a blink. */
export function bonaFidePoses(kind: 'turn' | 'blink', frames: number, direction: 1 | -1): HeadPose3[] {
  return Array.from({ length: frames }, (_, i) => {
    const t = frames === 1 ? 0 : i / (frames - 1);
    if (kind === 'turn') return { yawDeg: direction * 25 * t, pitchDeg: 2 * Math.sin(Math.PI * t), eyesClosed: 0 };
    const closed = i === Math.floor(frames / 2) ? 1 : i === Math.floor(frames / 2) - 1 ? 0.5 : 0;
    return { yawDeg: 1.5 * t, pitchDeg: 0, eyesClosed: closed };
  });
}
