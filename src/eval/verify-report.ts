import fs from 'node:fs';
import path from 'node:path';
import { renderDetPng, renderDetSvg } from './metrics/index.js';
import { OPERATING_FMRS, REPORTED_FARS, type VerificationRun } from './verify-evaluation.js';

const pct = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;

/** The `--json` shape: one entry per engine, the DET points left to the report files. */
export function verificationSummary(run: VerificationRun): object {
  return {
    pairs: run.pairCount,
    folds: run.foldCount,
    engines: run.engines.map(({ det: _det, ...rest }) => rest),
  };
}

export function verificationMarkdown(run: VerificationRun, command: string): string {
  const lines = [
    '# Verification evaluation',
    '',
    `Command: \`${command}\``,
    '',
    `Pairs: ${run.pairCount} in ${run.foldCount} folds (threshold for each fold chosen on the other folds). ` +
      `All-vs-all: every pair of the ${run.engines[0]?.images ?? 0} images; failures to enroll count as errors.`,
    '',
    `| engine | version | accuracy | ${REPORTED_FARS.map((f) => `TAR@FAR ${f}`).join(' | ')} | EER | FTE | genuine / impostor pairs |`,
    `|---|---|---|${REPORTED_FARS.map(() => '---').join('|')}|---|---|---|`,
    ...run.engines.map((e) =>
      [
        e.engine,
        `\`${e.version}\``,
        `${pct(e.accuracy)} ± ${pct(e.accuracyStd)}`,
        ...REPORTED_FARS.map((f) => `${pct(e.tarAtFarDetail[f].tar)}${e.tarAtFarDetail[f].reliable ? '' : ' *'}`),
        pct(e.eer),
        `${pct(e.fte)} (${e.fteCount})`,
        `${e.genuinePairs} / ${e.impostorPairs}`,
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .concat(' |'),
    ),
    '',
    '\\* fewer than 10 impostor scores above the threshold: too little data for a reliable figure.',
    '',
    `Operating points (threshold as calibration picks it on this data; † = extrapolated from the impostor tail, not observed):`,
    '',
    `| engine | ${OPERATING_FMRS.map((f) => `TAR@FMR ${f} | FNMR@FMR ${f}`).join(' | ')} |`,
    `|---|${OPERATING_FMRS.map(() => '---|---').join('|')}|`,
    ...run.engines.map(
      (e) =>
        `| ${e.engine} | ${e.operatingPoints
          .map((p) => {
            const mark = p.method === 'empirical' ? '' : ' †';
            return `${pct(p.tar)}${mark} | ${pct(p.fnmr)}${mark}`;
          })
          .join(' | ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

export async function writeVerificationReport(run: VerificationRun, dir: string, command: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files = {
    markdown: path.join(dir, 'verify.md'),
    json: path.join(dir, 'verify.json'),
    svg: path.join(dir, 'det.svg'),
    png: path.join(dir, 'det.png'),
  };
  fs.writeFileSync(files.markdown, verificationMarkdown(run, command));
  fs.writeFileSync(files.json, JSON.stringify({ command, ...run }, null, 2));
  const svg = renderDetSvg(
    run.engines.map((e) => ({ label: `${e.engine} (EER ${pct(e.eer)})`, points: e.det })),
    { title: `DET — ${path.basename(path.dirname(run.pairsFile))}, all-vs-all` },
  );
  fs.writeFileSync(files.svg, svg);
  await renderDetPng(svg, files.png);
  return Object.values(files);
}
