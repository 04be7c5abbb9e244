import { parseArgs } from 'node:util';
import os from 'node:os';
import type { CliCommand, CliIo } from '../command.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { engineIds } from '../../engines/engine-registry.js';
import { evaluateVerification } from '../../eval/verify-evaluation.js';
import { verificationMarkdown, verificationSummary, writeVerificationReport } from '../../eval/verify-report.js';
import { evaluateIdentification, REPORTED_FPIRS } from '../../eval/identify-evaluation.js';
import { calibrate, calibrateEngines } from '../../eval/calibrate.js';
import type { EngineCalibration } from '../../matcher/calibration/calibration-table.js';
import { DEFAULT_EMBEDDING_CACHE, DEFAULT_EVAL_FACE_POLICY } from '../../eval/engine-outcomes.js';
import { parseMultipleFacePolicy } from '../../pipeline/face-selection.js';
import { evaluatePad } from './eval-pad-command.js';

const COMMON_OPTIONS = {
  images: { type: 'string' },
  engine: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  report: { type: 'string' },
  cache: { type: 'string', default: DEFAULT_EMBEDDING_CACHE },
  workers: { type: 'string', default: String(os.availableParallelism()) },
  face: { type: 'string', default: DEFAULT_EVAL_FACE_POLICY },
} as const;

function workersOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgument(`--workers must be an integer 1…64, got "${text}"`);
  return n;
}

function requireOption(value: string | undefined, name: string): string {
  if (!value) throw new InvalidArgument(`--${name} is required`);
  return value;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

async function verify(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, pairs: { type: 'string' } } });
  const run = await evaluateVerification({
    pairsFile: requireOption(values.pairs, 'pairs'),
    imagesDir: requireOption(values.images, 'images'),
    engineIds: values.engine ?? engineIds(),
    cacheFile: values.cache,
    workers: workersOf(values.workers),
    multipleFaces: parseMultipleFacePolicy(values.face),
  });
  const command = `facekey eval verify ${argv.join(' ')}`;
  if (values.report) {
    const files = await writeVerificationReport(run, values.report, command);
    io.err(`report written: ${files.join(', ')}`);
  }
  io.out(values.json ? JSON.stringify(verificationSummary(run), null, 2) : verificationMarkdown(run, command));
  return 0;
}

async function identify(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: COMMON_OPTIONS });
  const results = await evaluateIdentification({
    imagesDir: requireOption(values.images, 'images'),
    engineIds: values.engine ?? engineIds(),
    cacheFile: values.cache,
    workers: workersOf(values.workers),
    multipleFaces: parseMultipleFacePolicy(values.face),
  });
  if (values.json) {
    io.out(JSON.stringify({ engines: results }, null, 2));
    return 0;
  }
  io.out(`| engine | gallery | mated / non-mated probes | rank-1 | rank-5 | ${REPORTED_FPIRS.map((f) => `FNIR@FPIR ${f}`).join(' | ')} |`);
  io.out(`|---|---|---|---|---|${REPORTED_FPIRS.map(() => '---').join('|')}|`);
  for (const r of results) {
    io.out(
      `| ${r.engine} | ${r.galleryCount} | ${r.matedProbes} / ${r.nonMatedProbes} | ${pct(r.rank1)} | ${pct(r.cmc[4] ?? r.rank1)} | ` +
        `${REPORTED_FPIRS.map((f) => `${pct(r.fnirAtFpir[f].fnir)}${r.fnirAtFpir[f].reliable ? '' : ' *'}`).join(' | ')} |`,
    );
  }
  return 0;
}

async function calibrateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: COMMON_OPTIONS });
  const options = {
    imagesDir: requireOption(values.images, 'images'),
    command: `facekey eval calibrate ${argv.join(' ')}`,
    cacheFile: values.cache,
    workers: workersOf(values.workers),
    multipleFaces: parseMultipleFacePolicy(values.face),
  };
  if (values.engine) {
    const only = await calibrateEngines({ ...options, engineIds: values.engine });
    if (values.json) io.out(JSON.stringify(only, null, 2));
    else {
      for (const e of only.table.engines.filter((x) => values.engine!.includes(x.engine))) io.out(thresholdLine(e));
      io.out(`written: ${only.files.join(', ')}`);
    }
    return 0;
  }
  const result = await calibrate(options);
  if (values.json) io.out(JSON.stringify(result, null, 2));
  else {
    io.out(
      `fusion weights: ${result.fusion.components.map((c) => `${c.engine} ${c.weight}`).join(', ')} (TAR@FAR1e-3 ${pct(result.fit.tarAtFar1e3)})`,
    );
    for (const e of result.table.engines) io.out(thresholdLine(e));
    io.out(`written: ${result.files.join(', ')}`);
  }
  return 0;
}

function thresholdLine(e: EngineCalibration): string {
  return `${e.engine}@${e.version}: ${e.thresholds.map((t) => `FMR ${t.targetFmr} → ${t.threshold.toFixed(4)}${t.method === 'empirical' ? '' : ' (extrapolated)'}`).join(', ')}`;
}

const SUBCOMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  verify,
  identify,
  calibrate: calibrateCommand,
  pad: evaluatePad,
};

export const evalCommand: CliCommand = {
  name: 'eval',
  summary:
    'NIST-style evaluation: verify (k-fold accuracy, TAR@FAR, EER, FTE, DET), identify (CMC, FNIR@FPIR), calibrate (thresholds per target FMR, fusion weights)',
  usage:
    'facekey eval verify --pairs FILE --images DIR [--engine ID]… [--json] [--report DIR]\n' +
    '  facekey eval identify --images DIR [--engine ID]… [--json]\n' +
    '  facekey eval calibrate --images DIR [--engine ID]… (with --engine: only those engines, merged into the table)\n' +
    '  facekey eval pad (--images DIR [--limit N] | --bursts DIR) [--json]   (APCER per attack species, BPCER)\n' +
    '  common: [--face central|largest|error] (default central) [--workers N] [--cache FILE]',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const handler = sub ? SUBCOMMANDS[sub] : undefined;
    if (!handler) throw new InvalidArgument(`eval needs one of: ${Object.keys(SUBCOMMANDS).join(', ')}`);
    return handler(rest, io);
  },
};
