import type { RgbImage } from '../../imaging/rgb-image.js';
import { warpImage } from './image-warp.js';

/**
 * Presentation attack instrument (PAI) species built from one still photo: each makes the frames of
 * a burst by moving or distorting the flat picture the way an attacker holding a print or a screen can.
 * Every frame differs from its neighbours (no two are the same picture) except in 'still', which
 * replays the photo as it is. 'shuffle' draws each frame at random from the other species' frames
 * (a mixed replay); a shuffle of bona fide frames is no attack on geometry (they are a real 3-D
 * face) and belongs to the challenge-order check, not here.
 */
export const ATTACK_SPECIES = ['still', 'mirror', 'rotation', 'squeeze', 'tilt', 'bend', 'replay', 'shuffle'] as const;
export type AttackSpecies = (typeof ATTACK_SPECIES)[number];

type FrameMaker = (photo: RgbImage, t: number, index: number) => RgbImage;

const centre = (image: RgbImage): [number, number] => [image.width / 2, image.height / 2];

/** Identity at t = 0; t runs over [−1, 1] across the burst. */
const MAKERS: Record<Exclude<AttackSpecies, 'shuffle'>, FrameMaker> = {
  still: (photo) => photo,
  // [photo, mirror, photo, mirror…]: a turned face flips its apparent yaw (the attack).
  mirror: (photo, t, index) => (index % 2 === 1 ? warpImage(photo, (x, y) => [photo.width - x, y]) : shift(photo, t)),
  rotation: (photo, t) => {
    const [cx, cy] = centre(photo);
    const angle = (t * 15 * Math.PI) / 180;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    return warpImage(photo, (x, y) => [cx + c * (x - cx) + s * (y - cy), cy - s * (x - cx) + c * (y - cy)]);
  },
  // Sideways squeeze, as a print turned about its vertical axis far from the camera (affine).
  squeeze: (photo, t) => {
    const [cx] = centre(photo);
    const k = 1 - 0.25 * Math.abs(t);
    return warpImage(photo, (x, y) => [cx + (x - cx) / k + 8 * t, y]);
  },
  // A print turned about its vertical axis close to the camera: a true perspective tilt (homography).
  tilt: (photo, t) => {
    const [cx, cy] = centre(photo);
    const angle = (t * 30 * Math.PI) / 180;
    const f = 1.2 * Math.max(photo.width, photo.height);
    return warpImage(photo, (x, y) => {
      // Ray through (x, y) meets the plane z = f rotated by `angle` about the vertical axis through the centre.
      const dx = x - cx;
      const dy = y - cy;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const lambda = f / (c * f - s * dx);
      const px = lambda * dx;
      const pz = lambda * f - f;
      const u = c * px + s * pz;
      return [cx + u, cy + lambda * dy];
    });
  },
  // A print bent round a vertical cylinder (radius = image width × 1.5), turned a little.
  bend: (photo, t) => {
    const [cx, cy] = centre(photo);
    const radius = 1.5 * photo.width;
    const turn = (t * 12 * Math.PI) / 180;
    const f = 3 * Math.max(photo.width, photo.height);
    return warpImage(photo, (x, y) => {
      // Orthographic-ish view: image x = R sin(φ + turn) for arc length s = R φ on the print.
      const dx = x - cx;
      const ratio = Math.max(-1, Math.min(1, dx / radius));
      const phi = Math.asin(ratio) - turn;
      const depth = radius * (1 - Math.cos(phi + turn));
      const perspective = (f + depth) / f;
      return [cx + radius * phi, cy + (y - cy) * perspective];
    });
  },
  // A screen replay: the photo shown on a display and filmed (blur, gamma, moiré), moved a little.
  replay: (photo, t) => screenReplay(shift(photo, t), t),
};

function shift(photo: RgbImage, t: number): RgbImage {
  const dx = 6 * t;
  const dy = -4 * t;
  return warpImage(photo, (x, y) => [x - dx, y - dy]);
}

function screenReplay(image: RgbImage, t: number): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  const gamma = 1.4;
  const period = 3.1 + 0.3 * t;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const moire = 1 + 0.08 * Math.sin((2 * Math.PI * (x + 0.37 * y)) / period);
      for (let c = 0; c < 3; c += 1) {
        // 3×3 box blur
        let sum = 0;
        let n = 0;
        for (let oy = -1; oy <= 1; oy += 1) {
          for (let ox = -1; ox <= 1; ox += 1) {
            const xx = Math.min(width - 1, Math.max(0, x + ox));
            const yy = Math.min(height - 1, Math.max(0, y + oy));
            sum += data[(yy * width + xx) * 3 + c]!;
            n += 1;
          }
        }
        const v = 255 * Math.pow(sum / n / 255, gamma) * moire;
        out[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width, height, data: out };
}

/** The frames of one attack burst of `frames` frames (t spread over [−1, 1]). */
export function attackBurst(photo: RgbImage, species: AttackSpecies, frames: number, random: () => number): RgbImage[] {
  const times = Array.from({ length: frames }, (_, i) => (frames === 1 ? 0 : -1 + (2 * i) / (frames - 1)));
  if (species === 'shuffle') {
    const pool = ATTACK_SPECIES.filter((s): s is Exclude<AttackSpecies, 'shuffle' | 'still'> => s !== 'shuffle' && s !== 'still');
    return times.map((_, index) => MAKERS[pool[Math.floor(random() * pool.length)]!](photo, random() * 2 - 1, index));
  }
  return times.map((t, index) => MAKERS[species](photo, t, index));
}
