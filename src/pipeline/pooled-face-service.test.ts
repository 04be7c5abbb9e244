import test from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createPooledFaceService } from './pooled-face-service.js';
import { FaceNotFound } from '../errors/domain-errors.js';

test('the pooled service is ready once its worker has loaded the models, and not after close', { timeout: 120_000 }, async () => {
  const service = await createPooledFaceService([], { size: 1 });
  assert.equal(service.isReady(), true);
  // A typed error from inside the worker arrives as the same class.
  const blank = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  await assert.rejects(service.process(new Uint8Array(blank), { engines: [], multipleFaces: 'largest' }), FaceNotFound);
  await service.close();
  assert.equal(service.isReady(), false);
});
