/**
 * One behavioural contract for every FaceService (in-process, pooled, and whatever comes next):
 * the same photos give the same answers and the same typed errors, whichever thread runs them.
 * The cases live here once; each implementation's runner opens its service in a few lines.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { createEngine, DEFAULT_ENGINE_ID } from '../../../src/engines/engine-registry.js';
import { FaceNotFound, InvalidImage } from '../../../src/errors/domain-errors.js';
import type { FaceService } from '../../../src/pipeline/face-service.js';
import { decodeTemplate } from '../../../src/templates/template-codec.js';
import { deepface, sharedDataMissingReason } from '../../shared-data.js';

/** The engine every contract service is opened with. */
export const CONTRACT_ENGINE = DEFAULT_ENGINE_ID;

export function runFaceServiceContract(name: string, open: (engineIds: readonly string[]) => Promise<FaceService>): void {
  describe(`FaceService contract: ${name}`, { skip: sharedDataMissingReason(), timeout: 600_000 }, () => {
    let service: FaceService;
    const engine = createEngine(CONTRACT_ENGINE);

    before(async () => {
      service = await open([CONTRACT_ENGINE]);
    });
    after(async () => {
      await service?.close();
    });

    it('is ready once opened', () => {
      assert.equal(service.isReady(), true);
    });

    it('detects the face in a real photo, with its quality and presentation evidence', async () => {
      const result = await service.detect(deepface('img1.jpg'));
      assert.ok(result.faces.length >= 1, `${result.faces.length} faces`);
      const [first] = result.faces;
      assert.ok(first!.quality.score > 0 && first!.quality.score <= 1);
      assert.ok(result.image.width > 0 && result.image.height > 0);
    });

    it("processes a real photo into a template of the requested engine's identity and dimension", async () => {
      const result = await service.process(deepface('img1.jpg'), { engines: [CONTRACT_ENGINE], multipleFaces: 'largest' });
      assert.ok(result.facesFound >= 1);
      const [template] = result.selected.templates;
      assert.equal(template?.engine, engine.id);
      assert.equal(template?.engineVersion, engine.version);
      const decoded = decodeTemplate(template!.template);
      assert.equal(decoded.engineId, engine.id);
      assert.equal(decoded.dimension, engine.dimension);
    });

    it('gives the same template for the same photo twice', async () => {
      const options = { engines: [CONTRACT_ENGINE], multipleFaces: 'largest' } as const;
      const first = await service.process(deepface('img2.jpg'), options);
      const second = await service.process(deepface('img2.jpg'), options);
      assert.deepEqual(Buffer.from(second.selected.templates[0]!.template), Buffer.from(first.selected.templates[0]!.template));
    });

    it('answers with typed errors: InvalidImage for bytes that are no image, FaceNotFound for a blank one', async () => {
      await assert.rejects(service.process(new Uint8Array([1, 2, 3, 4]), { engines: [], multipleFaces: 'largest' }), InvalidImage);
      const blank = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
        .png()
        .toBuffer();
      await assert.rejects(service.process(new Uint8Array(blank), { engines: [], multipleFaces: 'largest' }), FaceNotFound);
    });

    it('assesses a burst as one task and counts its frames', async () => {
      const frame = deepface('img1.jpg');
      const result = await service.assessBurst([frame, frame, frame]);
      assert.equal(result.frames, 3);
      assert.equal(typeof result.liveness.live, 'boolean');
      assert.equal(result.liveness.live, result.liveness.reasons.length === 0, 'not live exactly when it says why');
    });
  });
}
