import { parseArgs } from 'node:util';
import type { CliIo } from '../command.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { HumanFaceAnalyzer } from '../../analysis/human-analyzer.js';
import { startProgress } from '../../runtime/progress.js';
import { DEFAULT_BURST_LIVENESS_POLICY, type BurstLivenessPolicy } from '../../pad/burst-liveness.js';
import {
  evaluateRecordedBursts,
  evaluateStills,
  listRecordedBursts,
  listStills,
  padMarkdown,
  stepsPerStill,
} from '../../eval/pad/pad-evaluation.js';

/** `facekey eval pad`: APCER per attack species and BPCER of the burst liveness check (docs/liveness.md). */
export async function evaluatePad(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      images: { type: 'string' },
      bursts: { type: 'string' },
      limit: { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
      // Policy overrides as JSON, e.g. '{"minDepthParallax":0.06}' (a study of a threshold, not the default).
      policy: { type: 'string' },
    },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgument(`--limit must be a non-negative integer, got "${values.limit}"`);
  if (!values.images === !values.bursts) throw new InvalidArgument('eval pad needs exactly one of --images DIR or --bursts DIR');
  const policy = parsePolicy(values.policy);
  const analyzer = await HumanFaceAnalyzer.create();
  const analyse = (image: Parameters<HumanFaceAnalyzer['analyze']>[0]) => analyzer.analyze(image);
  let report;
  if (values.images) {
    const files = listStills(values.images, limit);
    const progress = startProgress('pad', files.length * stepsPerStill);
    report = await evaluateStills(files, { analyse, policy, onStep: () => progress.increment() });
    progress.stop();
  } else {
    const listed = listRecordedBursts(values.bursts!);
    const progress = startProgress('pad', listed.live.length + Object.values(listed.attack).flat().length);
    report = await evaluateRecordedBursts(values.bursts!, { analyse, policy, onStep: () => progress.increment() });
    progress.stop();
  }
  const command = `facekey eval pad ${argv.join(' ')}`;
  io.out(values.json ? JSON.stringify({ command, date: new Date().toISOString(), ...report }, null, 2) : padMarkdown(report, command));
  return 0;
}

/** `--policy JSON`: overrides of the burst liveness policy; assessBurstLiveness validates the values. */
function parsePolicy(text: string | undefined): Partial<BurstLivenessPolicy> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidArgument('--policy must be a JSON object of burst liveness policy fields');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidArgument('--policy must be a JSON object of burst liveness policy fields');
  }
  const unknown = Object.keys(parsed).filter((key) => !(key in DEFAULT_BURST_LIVENESS_POLICY));
  if (unknown.length > 0) throw new InvalidArgument(`--policy has unknown fields: ${unknown.join(', ')}`, { unknown });
  return parsed as Partial<BurstLivenessPolicy>;
}
