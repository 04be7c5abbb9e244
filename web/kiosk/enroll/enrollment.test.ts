import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserFace, FaceEnginePort } from '../../shared/face-engine-port';
import { bestFaceIndex, TemplateAhead, templateEvidence, trackedEvidence, tracksOf } from './enrollment';
import { pixelsOf } from '../shared/pixel-tracks';
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

  it('sends no tracks when the faces carry no full mesh or the pixels are unreadable', async () => {
    const frames = [0, 1, 2].map(() => ({ width: 2, height: 1, data: new Uint8ClampedArray(8) }) as unknown as ImageData);
    assert.equal(await tracksOf(frames, [face(0), face(1), face(2)]), undefined);
  });
});

describe('the template made while the shopper performs', () => {
  const frames = [0, 1, 2, 3, 4].map((i) => ({ i }) as unknown as HTMLCanvasElement);
  const counting = () => {
    const templated: unknown[] = [];
    const engine: FaceEnginePort = {
      analyze: async () => [],
      template: async (frame) => {
        templated.push(frame);
        return new Uint8Array([templated.length]);
      },
      guidance: () => [],
    };
    return { engine, templated };
  };

  it('is made of the best frame so far, and again only for a clearly better one', async () => {
    const { engine, templated } = counting();
    const ahead = new TemplateAhead(engine);
    await ahead.prepare(frames.slice(0, 2), [face(20), face(6)]);
    assert.deepEqual(templated, [frames[1]]);
    // Two degrees more frontal is as good: no second template.
    await ahead.prepare(frames.slice(0, 3), [face(20), face(6), face(4)]);
    assert.deepEqual(templated, [frames[1]]);
    // Six degrees more frontal is better.
    await ahead.prepare(frames.slice(0, 4), [face(20), face(6), face(4), face(0)]);
    assert.deepEqual(templated, [frames[1], frames[3]]);
  });

  it('is what the enrollment sends when its frame is in the burst and as good as its best; else the best is templated then', async () => {
    const { engine, templated } = counting();
    const ahead = new TemplateAhead(engine);
    await ahead.prepare(frames.slice(0, 2), [face(20), face(2)]);
    const sent = await trackedEvidence(engine, [frames[1]!, frames[2]!, frames[3]!], [face(2), face(15), face(1)], undefined, ahead);
    assert.equal(sent?.template, 'AQ==', 'the template made ahead (the first made)');
    assert.deepEqual(templated, [frames[1]]);
    // Its frame left out of the burst: the burst's best is templated now.
    const other = await trackedEvidence(engine, [frames[2]!, frames[3]!, frames[4]!], [face(15), face(1), face(9)], undefined, ahead);
    assert.equal(other?.template, 'Ag==');
    assert.deepEqual(templated, [frames[1], frames[3]]);
  });

  it('forgets an earlier capture: frames no longer among those offered do not count', async () => {
    const { engine, templated } = counting();
    const ahead = new TemplateAhead(engine);
    await ahead.prepare(frames.slice(0, 2), [face(20), face(0)]);
    await ahead.prepare(frames.slice(2, 4), [face(3), face(20)]);
    assert.deepEqual(templated, [frames[1], frames[2]]);
  });
});
