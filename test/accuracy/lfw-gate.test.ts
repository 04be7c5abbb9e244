import test from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { readLfwPairs } from '../../src/eval/lfw-pairs.js';
import { computeEngineOutcomes } from '../../src/eval/engine-outcomes.js';
import { outcomeScore } from '../../src/eval/comparison-scores.js';
import { Calibration } from '../../src/matcher/calibration/calibration-table.js';
import { DEFAULT_ENGINE_ID } from '../../src/engines/engine-registry.js';
import { LFW_DIR, sharedDataMissingReason } from '../shared-data.js';

/**
 * Regression gate: the first 150 same-person and 150 different-person pairs of LFW-dev fold 1,
 * decided exactly as production decides (the calibrated threshold for a target FMR), at FMR 1e-2
 * and at checkout's FMR 1e-5. Measured for faceplugin-arcface when the floors were set: at 1e-2
 * accuracy 99.0% (149/150 genuine accepted, 148/150 impostors rejected), at 1e-5 145/150 genuine
 * accepted and 150/150 impostors rejected, no failure to enroll. The floors leave room for numeric
 * noise, not for a broken detector, alignment, engine or calibration table.
 */
const PER_CLASS = 150;
const TARGET_FMR = 1e-2;
const FLOOR = { accuracy: 0.97, genuineAccepted: 0.95, impostorRejected: 0.97 };
/** Checkout's operating point: most genuine customers must still pass, no impostor may. */
const CHECKOUT_FMR = 1e-5;
const CHECKOUT_FLOOR = { genuineAccepted: 0.92, impostorRejected: 0.99 };

test('accuracy gate on a fixed LFW subset', { skip: sharedDataMissingReason(), timeout: 1_200_000 }, async () => {
  const { folds } = readLfwPairs(path.join(LFW_DIR, 'pairs.txt'), path.join(LFW_DIR, 'images'));
  const fold = folds[0]!;
  const pairs = [...fold.filter((p) => p.same).slice(0, PER_CLASS), ...fold.filter((p) => !p.same).slice(0, PER_CLASS)];
  const files = [...new Set(pairs.flatMap((p) => [p.left, p.right]))];
  const cacheFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-gate-')), 'cache.sqlite');
  const [run] = await computeEngineOutcomes({ files, engineIds: [DEFAULT_ENGINE_ID], cacheFile });
  const index = new Map(files.map((f, i) => [f, i]));
  const { threshold } = Calibration.load().thresholdFor(run!.engine, run!.version, TARGET_FMR);

  const decide = (t: number) => {
    let correct = 0;
    let genuineAccepted = 0;
    let impostorRejected = 0;
    for (const p of pairs) {
      const match = outcomeScore(run!.outcomes[index.get(p.left)!], run!.outcomes[index.get(p.right)!]) >= t;
      if (match === p.same) correct++;
      if (p.same && match) genuineAccepted++;
      if (!p.same && !match) impostorRejected++;
    }
    return { correct, genuineAccepted, impostorRejected };
  };
  const { correct, genuineAccepted, impostorRejected } = decide(threshold);
  const checkoutThreshold = Calibration.load().thresholdFor(run!.engine, run!.version, CHECKOUT_FMR).threshold;
  const checkout = decide(checkoutThreshold);
  const failures = run!.outcomes.filter((o) => !o.ok).length;
  const accuracy = correct / pairs.length;
  console.log(
    `LFW gate (${pairs.length} pairs, ${files.length} images, ${run!.engine}@${run!.version}, FMR ${TARGET_FMR} → threshold ${threshold.toFixed(4)}): accuracy ${(100 * accuracy).toFixed(2)}%, genuine accepted ${genuineAccepted}/${PER_CLASS}, impostors rejected ${impostorRejected}/${PER_CLASS}, FTE ${failures}; ` +
      `FMR ${CHECKOUT_FMR} → threshold ${checkoutThreshold.toFixed(4)}: genuine accepted ${checkout.genuineAccepted}/${PER_CLASS}, impostors rejected ${checkout.impostorRejected}/${PER_CLASS}`,
  );
  assert.ok(accuracy >= FLOOR.accuracy, `accuracy ${accuracy} < ${FLOOR.accuracy}`);
  assert.ok(genuineAccepted / PER_CLASS >= FLOOR.genuineAccepted, `genuine accepted ${genuineAccepted}/${PER_CLASS}`);
  assert.ok(impostorRejected / PER_CLASS >= FLOOR.impostorRejected, `impostors rejected ${impostorRejected}/${PER_CLASS}`);
  assert.ok(
    checkout.genuineAccepted / PER_CLASS >= CHECKOUT_FLOOR.genuineAccepted,
    `at FMR ${CHECKOUT_FMR}: genuine accepted ${checkout.genuineAccepted}/${PER_CLASS}`,
  );
  assert.ok(
    checkout.impostorRejected / PER_CLASS >= CHECKOUT_FLOOR.impostorRejected,
    `at FMR ${CHECKOUT_FMR}: impostors rejected ${checkout.impostorRejected}/${PER_CLASS}`,
  );
  assert.equal(failures, 0, 'no image of the subset may fail to enroll');
});
