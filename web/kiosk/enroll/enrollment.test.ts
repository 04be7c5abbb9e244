import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserFace, FaceEnginePort } from '../../shared/face-engine-port';
import { bestFaceIndex, pixelsOf, templateEvidence, tracksOf } from './enrollment';
import { cardTokenFrom } from './card-token';

const face = (yaw: number, detectionScore = 0.95): BrowserFace => ({
  width: 640,
  height: 480,
  box: { x: 200, y: 120, width: 220, height: 260 },
  detectionScore,
  mesh: [[1, 2]],
  meshDepth: [0.5],
  pose: { yaw, pitch: 0, roll: 0 },
  presentation: { antispoof: 0.9, liveness: 0.9 },
});

describe('enrollment evidence', () => {
  it('enrolls the most frontal confident frame', () => {
    assert.equal(bestFaceIndex([face(20), undefined, face(2), face(30)]), 2);
    assert.equal(bestFaceIndex([undefined, undefined]), -1);
  });

  it('sends the frames as evidence and a template of the best one, no image', async () => {
    const frames = [0, 1, 2, 3].map((i) => ({ i }) as unknown as HTMLCanvasElement);
    const yaws = [25, 3, 15, 40];
    let templated: unknown;
    const engine: FaceEnginePort = {
      analyze: async (frame) => [face(yaws[(frame as unknown as { i: number }).i]!)],
      template: async (frame) => {
        templated = frame;
        return new Uint8Array([70, 75, 84, 49]);
      },
      guidance: () => [],
    };
    const evidence = await templateEvidence(engine, frames);
    assert.equal(evidence?.template, 'RktUMQ==');
    assert.equal(evidence?.frames.length, 4);
    assert.deepEqual(evidence?.frames[0]?.mesh, [[1, 2]]);
    assert.equal(templated, frames[1]);
  });

  it('gives up when fewer than three frames show exactly one face', async () => {
    const engine: FaceEnginePort = { analyze: async () => [face(0), face(1)], template: async () => new Uint8Array(), guidance: () => [] };
    assert.equal(await templateEvidence(engine, [1, 2, 3, 4].map(() => ({}) as HTMLCanvasElement)), undefined);
  });

  it('takes a card token only from the network origin and in the agreed shape', () => {
    const data = { type: 'facekey.card-token', tokenRef: 'tok_abc', last4: '4242' };
    assert.deepEqual(cardTokenFrom({ origin: 'http://127.0.0.1:8081', data }, 'http://127.0.0.1:8081'), data);
    assert.equal(cardTokenFrom({ origin: 'http://evil.example', data }, 'http://127.0.0.1:8081'), undefined);
    assert.equal(cardTokenFrom({ origin: 'http://127.0.0.1:8081', data: { type: 'other', tokenRef: 'x' } }, 'http://127.0.0.1:8081'), undefined);
  });
});

describe('tracks the kiosk sends (its frames stay with it)', () => {
  it('reads RGB from RGBA pixels, and nothing from a frame it cannot read', () => {
    const data = new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 255]);
    assert.deepEqual(pixelsOf({ width: 2, height: 1, data }), { width: 2, height: 1, data: new Uint8Array([10, 20, 30, 40, 50, 60]) });
    assert.equal(pixelsOf({} as HTMLVideoElement), undefined);
  });

  it('sends no tracks when the faces carry no full mesh or the pixels are unreadable', () => {
    const frames = [0, 1, 2].map(() => ({ width: 2, height: 1, data: new Uint8ClampedArray(8) }) as unknown as ImageData);
    assert.equal(tracksOf(frames, [face(0), face(1), face(2)]), undefined);
  });
});
