import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, listEngines, reloadEngineRegistry } from '../../src/engines/engine-registry.js';
import { bundledModelCardsDir, MODEL_CARDS_ENV } from '../../src/engines/onnx-arcface/model-card-files.js';
import { calibrateEngines } from '../../src/eval/calibrate.js';
import { computeEngineOutcomes } from '../../src/eval/engine-outcomes.js';
import { outcomeScore } from '../../src/eval/comparison-scores.js';
import { cosineSimilarity } from '../../src/matcher/similarity.js';
import { EngineMismatch } from '../../src/errors/domain-errors.js';
import { DEEPFACE_DIR, sharedDataMissingReason } from '../shared-data.js';

const BUNDLED_MODEL = path.join(bundledModelCardsDir(), 'faceplugin-arcface.onnx');

function skipReason(): string | false {
  return sharedDataMissingReason() || (fs.existsSync(BUNDLED_MODEL) ? false : `bundled model missing (${BUNDLED_MODEL}): run npm install`);
}

/**
 * An operator's model, not bundled: the bundled net copied under another name with its own card
 * in a folder named by FACEKEY_MODEL_CARDS. No code knows "operator-net"; it must be listed,
 * embed, stay apart from the bundled engine's templates, and be calibrated by the eval harness.
 */
test(
  'a model registered only by a model card is served and calibrated without code changes',
  { skip: skipReason(), timeout: 300_000 },
  async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-operator-model-'));
    const cards = path.join(work, 'cards');
    fs.mkdirSync(cards);
    fs.copyFileSync(BUNDLED_MODEL, path.join(cards, 'operator-net.onnx'));
    const bundledCard = JSON.parse(fs.readFileSync(path.join(bundledModelCardsDir(), 'faceplugin-arcface.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const card = {
      ...bundledCard,
      id: 'operator-net',
      description: 'an operator-licensed net (a copy of the bundled one, for the test)',
      file: 'operator-net.onnx',
      source: null,
      provenance: {
        package: null,
        weights: 'trained by the operator',
        trainingData: 'the operator’s licensed data',
        terms: 'permitted',
        termsNote: 'licensed by the operator',
      },
    };
    fs.writeFileSync(path.join(cards, 'operator-net.json'), JSON.stringify(card));

    // Three people, two photos each (pairs of the same person in deepface's master.csv): 12 impostor
    // scores, the fewest the tail fit behind the extrapolated thresholds accepts.
    const images = path.join(work, 'images');
    for (const [person, files] of [
      ['person-a', ['img1.jpg', 'img2.jpg']],
      ['person-b', ['img20.jpg', 'img21.jpg']],
      ['person-c', ['img16.jpg', 'img17.jpg']],
    ] as const) {
      fs.mkdirSync(path.join(images, person), { recursive: true });
      for (const f of files) fs.copyFileSync(path.join(DEEPFACE_DIR, f), path.join(images, person, f));
    }

    const previous = process.env[MODEL_CARDS_ENV];
    process.env[MODEL_CARDS_ENV] = cards;
    reloadEngineRegistry();
    try {
      const listed = listEngines().find((e) => e.id === 'operator-net');
      assert.ok(listed, 'operator-net is listed');
      assert.equal(listed.origin, 'operator-model-card');
      assert.equal(listed.dimension, 512);
      assert.equal(listed.provenance.terms, 'permitted');
      assert.equal(listed.version, createEngine('faceplugin-arcface').version, 'same file and preprocessing, same version string');

      const cacheFile = path.join(work, 'cache.sqlite');
      const calibrated = await calibrateEngines({
        imagesDir: images,
        command: 'test',
        engineIds: ['operator-net'],
        cacheFile,
        workers: 1,
        outputRoot: work,
      });
      const entry = calibrated.table.engines.find((e) => e.engine === 'operator-net');
      assert.ok(entry, 'the calibration table has an entry for operator-net');
      assert.equal(entry.genuineCount, 3);
      assert.equal(entry.impostorCount, 12);
      assert.equal(entry.thresholds.length, 5);
      assert.ok(fs.existsSync(path.join(work, 'calibration', 'thresholds.json')));

      const files = ['person-a/img1.jpg', 'person-a/img2.jpg', 'person-b/img20.jpg'].map((f) => path.join(images, f));
      const [run] = await computeEngineOutcomes({ files, engineIds: ['operator-net'], cacheFile, workers: 1 });
      const [a1, a2, b1] = run!.outcomes;
      assert.ok(a1?.ok && a2?.ok && b1?.ok, 'every face enrolls');
      const vector = a1.template.vector;
      const norm = Math.sqrt(vector.reduce((s, x) => s + x * x, 0));
      assert.ok(Math.abs(norm - 1) < 1e-4, `L2-normalized (norm ${norm})`);
      const same = outcomeScore(a1, a2);
      const different = outcomeScore(a1, b1);
      assert.ok(same > different + 0.2, `same person ${same.toFixed(3)} must beat different people ${different.toFixed(3)}`);

      // Same weights, other engine id: its templates are still not comparable with the bundled engine's.
      const bundledTemplate = { ...a1.template, engineId: 'faceplugin-arcface' };
      assert.throws(() => cosineSimilarity(a1.template, bundledTemplate), EngineMismatch);
    } finally {
      if (previous === undefined) delete process.env[MODEL_CARDS_ENV];
      else process.env[MODEL_CARDS_ENV] = previous;
      reloadEngineRegistry();
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
);
