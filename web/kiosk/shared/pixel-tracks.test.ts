import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trackLandmarks } from '../../../src/pad/burst-tracks.js';
import { frame } from '../../../test/kit/synthetic-face-burst.js';
import { pixelsOf, pixelTracks, TracksHere } from './pixel-tracks';

/** An RGBA still of a smooth texture moved `dx` px, in ImageData's shape (node has no ImageData). */
function still(dx: number) {
  const width = 320;
  const height = 240;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = 128 + 60 * Math.sin((x - dx) / 6) * Math.cos(y / 5) + 40 * Math.sin((x - dx + 2 * y) / 9);
      data.set([value, value, value, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data } as unknown as ImageData;
}

const faceAt = (dx: number, seed: number) => {
  const face = frame({ seed, scale: 40 });
  return { mesh: face.mesh.map((p) => ({ x: p.x / 2 + dx, y: p.y / 2 })) };
};

describe('the kiosk follows its kept frames through their pixels', () => {
  it('gives the tracks the service would make of the same frames', async () => {
    const moves = [0, 2, 4];
    const tracks = new TracksHere();
    moves.forEach((dx, k) => {
      assert.equal(tracks.add(still(dx), faceAt(dx, k + 1)), true);
      if (k > 0) tracks.follow(0, k);
    });
    const images = moves.map((dx) => pixelsOf(still(dx))!);
    assert.deepEqual(
      await tracks.tracksOf([0, 1, 2]),
      trackLandmarks(
        images,
        moves.map((dx, k) => faceAt(dx, k + 1)),
      ),
    );
    tracks.close();
  });

  it('gives up for good on a frame whose face has no full mesh or whose pixels cannot be read', async () => {
    const tracks = new TracksHere();
    assert.equal(tracks.add(still(0), faceAt(0, 1)), true);
    assert.equal(tracks.add(still(1), { mesh: faceAt(1, 2).mesh.slice(0, 100) }), false);
    assert.equal(tracks.add(still(2), faceAt(2, 3)), false, 'no tracks from then on');
    assert.equal(await tracks.tracksOf([0]), null);
    const unreadable = new TracksHere();
    assert.equal(unreadable.add({} as HTMLVideoElement, faceAt(0, 1)), false);
    assert.equal(await unreadable.tracksOf([0]), null);
  });

  it('tracks in this thread where there are no workers', () => {
    assert.equal(typeof Worker, 'undefined', 'node has no Worker: the in-thread tracker is what this runtime gets');
    assert.ok(pixelTracks() instanceof TracksHere);
  });
});
