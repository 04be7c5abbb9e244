import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RgbImage } from '../imaging/rgb-image.js';
import { frame } from '../../test/kit/synthetic-face-burst.js';
import { BurstTracker, trackLandmarks } from './burst-tracks.js';

/** A smooth random texture (a sum of blobs), moved `dx`, `dy` px: what a tracker can follow. */
function texture(dx: number, dy: number): RgbImage {
  const width = 320;
  const height = 240;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const u = x - dx;
      const v = y - dy;
      const value = 128 + 50 * Math.sin(u / 7) * Math.cos(v / 5) + 40 * Math.sin((u + 2 * v) / 11) + 20 * Math.cos((3 * u - v) / 13);
      data.fill(Math.max(0, Math.min(255, Math.round(value))), (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return { width, height, data };
}

/** Faces whose mesh sits on the texture and moved with it (half scale: the texture is 320 px wide). */
const faceAt = (dx: number, dy: number, seed: number) => {
  const face = frame({ seed, scale: 40 });
  return { ...face, mesh: face.mesh.map((p) => ({ x: p.x / 2 + dx, y: p.y / 2 + dy })) };
};

const moves = [
  [0, 0],
  [1.5, -0.5],
  [3, 1],
  [4.5, 2],
] as const;
const images = moves.map(([dx, dy]) => texture(dx, dy));
const faces = moves.map(([dx, dy], k) => faceAt(dx, dy, k + 1));

test('a tracker fed frame by frame gives the tracks trackLandmarks gives for the whole burst, from any first frame', () => {
  const tracker = new BurstTracker();
  images.forEach((image, k) => {
    tracker.add(image, faces[k]!);
    // Followed as each frame arrives, from the frame the burst will begin at: the kiosk's order.
    if (k >= 1) tracker.follow(1, k);
  });
  assert.equal(tracker.size, 4);
  const whole = trackLandmarks(images, faces);
  assert.deepEqual(tracker.tracksOf([0, 1, 2, 3]), whole);
  assert.deepEqual(tracker.tracksOf([1, 2, 3]), trackLandmarks(images.slice(1), faces.slice(1)));
  assert.deepEqual(tracker.tracksOf([1, 3]), trackLandmarks([images[1]!, images[3]!], [faces[1]!, faces[3]!]));
  // The texture moved rigidly: the landmarks were followed, and to where they went.
  const followed = whole.points[3]!.filter((p) => p !== null);
  assert.ok(followed.length > whole.landmarks.length / 2, `${followed.length} of ${whole.landmarks.length} followed`);
  const first = whole.points[0]!;
  whole.points[3]!.forEach((p, i) => {
    if (p) assert.ok(Math.abs(p.x - first[i]!.x - 4.5) < 0.2 && Math.abs(p.y - first[i]!.y - 2) < 0.2, `landmark ${i} at ${p.x},${p.y}`);
  });
});

test('a pair is followed once, and a frame the tracker does not hold is refused by name', () => {
  const tracker = new BurstTracker();
  tracker.add(images[0]!, faces[0]!);
  tracker.add(images[1]!, faces[1]!);
  assert.equal(tracker.follow(0, 1), tracker.follow(0, 1));
  assert.throws(() => tracker.follow(0, 2), /no frame 2 in the tracker \(2 frames\)/);
  assert.deepEqual(new BurstTracker().tracksOf([]), { landmarks: trackLandmarks([], []).landmarks, points: [], eyeChange: [] });
});
