/**
 * A second, unseen data set for the calibrated decisions: deepface's fixture pairs (master.csv),
 * decided with the thresholds calibrated on lfw-dev, per engine and target FMR. Nothing here is fit
 * on these pairs. Usage: node dist/eval/deepface-pairs.js [engine …] (default: every calibrated engine).
 */
import fs from 'node:fs';
import path from 'node:path';
import { computeEngineOutcomes, DEFAULT_EMBEDDING_CACHE } from '../src/eval/engine-outcomes.js';
import { outcomeScore } from '../src/eval/comparison-scores.js';
import { Calibration } from '../src/matcher/calibration/calibration-table.js';
import { engineIds } from '../src/engines/engine-registry.js';
import { projectRoot } from '../src/runtime/project-root.js';

const DIR = path.join(projectRoot(), '..', 'shared', 'datasets', 'deepface-fixtures');
const rows = fs.readFileSync(path.join(DIR, 'master.csv'), 'utf8').trim().split('\n').slice(1);
const pairs = rows.map((r) => {
  const [left, right, decision] = r.trim().split(',');
  return { left: path.join(DIR, left!), right: path.join(DIR, right!), same: decision === 'Yes' };
});
const files = [...new Set(pairs.flatMap((p) => [p.left, p.right]))];
const index = new Map(files.map((f, i) => [f, i]));
const calibration = Calibration.load();
const requested = process.argv.slice(2);
const ids = requested.length > 0 ? requested : engineIds().filter((id) => calibration.table.engines.some((e) => e.engine === id));
const runs = await computeEngineOutcomes({ files, engineIds: ids, cacheFile: DEFAULT_EMBEDDING_CACHE, multipleFaces: 'central' });
const genuineCount = pairs.filter((p) => p.same).length;
const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
console.log(
  `deepface master.csv: ${genuineCount} same-person and ${pairs.length - genuineCount} different-person pairs, ${files.length} images; thresholds from calibration/thresholds.json`,
);
console.log(
  '| engine | FTE | TAR@FMR 1e-3 | TAR@FMR 1e-4 | TAR@FMR 1e-5 | impostors accepted at 1e-5 | lowest genuine / highest impostor |',
);
console.log('|---|---|---|---|---|---|---|');
for (const run of runs) {
  const scores = pairs.map((p) => ({
    same: p.same,
    score: outcomeScore(run.outcomes[index.get(p.left)!], run.outcomes[index.get(p.right)!]),
  }));
  const at = (fmr: number) => {
    const { threshold } = calibration.thresholdFor(run.engine, run.version, fmr);
    return {
      tar: scores.filter((s) => s.same && s.score >= threshold).length,
      falseAccepts: scores.filter((s) => !s.same && s.score >= threshold).length,
    };
  };
  const genuine = scores.filter((s) => s.same).map((s) => s.score);
  const impostor = scores.filter((s) => !s.same).map((s) => s.score);
  const fte = run.outcomes.filter((o) => !o.ok).length;
  console.log(
    `| ${run.engine} | ${fte}/${files.length} | ${[1e-3, 1e-4, 1e-5].map((f) => pct(at(f).tar, genuineCount)).join(' | ')} | ${at(1e-5).falseAccepts}/${impostor.length} | ${Math.min(...genuine).toFixed(3)} / ${Math.max(...impostor).toFixed(3)} |`,
  );
}
