import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HumanFaceAnalyzer } from '../../src/analysis/human-analyzer.js';
import type { FaceAnalysis } from '../../src/analysis/face-analysis.js';
import type { FaceCandidate } from '../../src/analysis/detector-candidate-gate.js';
import { decodeImage } from '../../src/imaging/decode-image.js';
import { bundledSampleImages } from '../../src/cli/commands/demo-command.js';
import { DEEPFACE_DIR, LFW_DIR, sharedDataMissingReason } from '../shared-data.js';

const skip = sharedDataMissingReason();

/** Group photos (where choosing saves work) and single-face LFW photos (where it must change nothing). */
function photos(): string[] {
  const lfw = fs
    .readdirSync(path.join(LFW_DIR, 'images'))
    .sort()
    .slice(0, 4)
    .map((name) => {
      const dir = path.join(LFW_DIR, 'images', name);
      return path.join(dir, fs.readdirSync(dir).sort()[0]!);
    });
  return [bundledSampleImages()[0]!, path.join(DEEPFACE_DIR, 'couple.jpg'), path.join(DEEPFACE_DIR, 'selfie-many-people.jpg'), ...lfw];
}

const centre = (f: { box: FaceAnalysis['box'] }): [number, number] => [f.box.x + f.box.width / 2, f.box.y + f.box.height / 2];

function nearest(faces: readonly FaceAnalysis[], candidate: FaceCandidate): FaceAnalysis {
  const [cx, cy] = centre(candidate);
  const distance = (f: FaceAnalysis): number => Math.hypot(centre(f)[0] - cx, centre(f)[1] - cy);
  return faces.reduce((best, f) => (distance(f) < distance(best) ? f : best));
}

test(
  'a face chosen from the detector boxes is analysed alone, and exactly as analysing every face analyses it',
  { skip, timeout: 600_000 },
  async (t) => {
    const analyzer = await HumanFaceAnalyzer.create();
    let groupPhotos = 0;
    for (const file of photos()) {
      await t.test(path.basename(file), async () => {
        const { image } = await decodeImage(new Uint8Array(fs.readFileSync(file)));
        const every = await analyzer.analyze(image);
        assert.ok(every.length >= 1, 'every test photo shows at least one face');
        let seen: readonly FaceCandidate[] = [];
        await analyzer.analyzeChosen(image, (candidates) => {
          seen = candidates;
          return null;
        });
        assert.equal(seen.length, every.length, 'the detector should find the faces that get a mesh');
        if (every.length > 1) groupPhotos++;
        for (let k = 0; k < seen.length; k++) {
          let candidate: FaceCandidate | undefined;
          const chosen = await analyzer.analyzeChosen(image, (candidates) => (candidate = candidates[k]!));
          assert.equal(chosen.facesFound, every.length);
          assert.equal(chosen.faces.length, 1, 'only the chosen face is analysed');
          // Landmarks, depth, pose, PAD scores and box: identical, not merely close.
          assert.deepEqual(chosen.faces[0], nearest(every, candidate!));
        }
      });
    }
    assert.ok(groupPhotos >= 2, `expected at least two group photos, saw ${groupPhotos}`);
  },
);

test('declining to choose analyses every face, as before', { skip, timeout: 120_000 }, async () => {
  const analyzer = await HumanFaceAnalyzer.create();
  const { image } = await decodeImage(new Uint8Array(fs.readFileSync(path.join(DEEPFACE_DIR, 'couple.jpg'))));
  const every = await analyzer.analyze(image);
  const declined = await analyzer.analyzeChosen(image, () => null);
  assert.equal(declined.facesFound, every.length);
  assert.deepEqual(declined.faces, every);
});

test('two analyzers at once in one thread: a choosing analysis never filters the other one', { skip, timeout: 180_000 }, async () => {
  const [first, second] = await Promise.all([HumanFaceAnalyzer.create(), HumanFaceAnalyzer.create()]);
  const { image } = await decodeImage(new Uint8Array(fs.readFileSync(bundledSampleImages()[0]!)));
  const every = await first.analyze(image);
  assert.ok(every.length > 1, 'the bundled sample is a group photo');
  const [chosen, all, chosenAgain] = await Promise.all([
    first.analyzeChosen(image, (candidates) => candidates[0]!),
    second.analyze(image),
    second.analyzeChosen(image, (candidates) => candidates[1]!),
  ]);
  assert.equal(chosen.faces.length, 1);
  assert.deepEqual(all, every);
  assert.equal(chosenAgain.faces.length, 1);
  assert.notDeepEqual(chosenAgain.faces[0], chosen.faces[0]);
});
