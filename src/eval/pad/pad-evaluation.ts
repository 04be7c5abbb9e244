import fs from 'node:fs';
import sharp from 'sharp';
import path from 'node:path';
import type { FaceAnalysis } from '../../analysis/face-analysis.js';
import type { RgbImage } from '../../imaging/rgb-image.js';
import { decodeImage } from '../../imaging/decode-image.js';
import { assessBurstLiveness, type BurstLivenessPolicy } from '../../pad/burst-liveness.js';
import { trackLandmarks, type BurstTracks } from '../../pad/burst-tracks.js';
import { PadTallies, type ErrorCount } from './pad-tallies.js';
import { ATTACK_SPECIES, attackBurst, type AttackSpecies } from './attack-species.js';
import { bonaFidePoses, buildHeadModel, headRemovedBackdrop, renderHead } from './synthetic-head-render.js';
import { analyseBurstFrames, cameraRoundTrip, type FrameAnalyzer } from './pad-features.js';

export type { ErrorCount } from './pad-tallies.js';

/**
 * ISO/IEC 30107-3 presentation attack detection figures for the burst liveness check:
 *  - APCER per PAI species: attack presentations of that species classified bona fide / all of them;
 *  - BPCER: bona fide presentations classified as attacks / all of them.
 * A presentation whose frames show no face in some frame cannot be judged and is counted apart
 * (`notJudged`, as the standard's failure-to-acquire), never silently dropped.
 */
export interface PadReport {
  /** 'synthetic' when the bona fide presentations are renders of stills; 'recorded' for --bursts. */
  readonly bonaFideSource: 'synthetic' | 'recorded';
  readonly apcer: Record<string, ErrorCount>;
  /** BPCER per bona fide kind (synthetic: 'turn' and 'blink'; recorded: 'live'). */
  readonly bpcer: Record<string, ErrorCount>;
  readonly images: number;
  readonly imagesWithoutFace: number;
}

export interface PadEvaluationOptions {
  readonly analyse: FrameAnalyzer;
  readonly policy?: Partial<BurstLivenessPolicy>;
  readonly onStep?: () => void;
  /** Sees every judged burst's analyses (for a study of the thresholds out of this run). */
  readonly onBurst?: (
    label: { readonly source: string; readonly kind: string; readonly bonaFide: boolean },
    analyses: readonly FaceAnalysis[],
    tracks: BurstTracks | null,
  ) => void;
  /** Judge from the mesh model's landmarks alone, as for a kiosk that sends no pixels (no tracking). */
  readonly meshOnly?: boolean;
}

const ATTACK_FRAMES = 3;
/** A burst of a turn or a blink: 7 frames (a terminal's 5–9 frame burst). */
const BONA_FIDE_FRAMES = 7;

export function listStills(dir: string, limit: number): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(jpe?g|png|webp)$/i.test(entry.name)) found.push(full);
    }
  };
  walk(dir);
  return spread(found, limit);
}

/** `limit` files spread evenly over the sorted list (not the first ones: one person per folder in LFW). */
function spread(files: readonly string[], limit: number): string[] {
  if (!(limit > 0) || limit >= files.length) return [...files];
  return Array.from({ length: limit }, (_, i) => files[Math.floor((i * files.length) / limit)]!);
}

/** Progress steps per still: one per attack species and per bona fide kind. */
export const stepsPerStill = ATTACK_SPECIES.length + 2;

/** Attack bursts of every species and synthetic bona fide bursts from each still. */
export async function evaluateStills(files: readonly string[], options: PadEvaluationOptions): Promise<PadReport> {
  const tallies = new PadTallies();
  let withoutFace = 0;
  let seed = 12345;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const [index, file] of files.entries()) {
    const decoded = { image: await terminalFrame(new Uint8Array(fs.readFileSync(file))) };
    const faces = await options.analyse(decoded.image);
    if (faces.length === 0) {
      withoutFace += 1;
      for (let s = 0; s < stepsPerStill; s += 1) options.onStep?.();
      continue;
    }
    const face = largest(faces);
    const head = buildHeadModel(decoded.image, face);
    const backdrop = headRemovedBackdrop(head, await blurred(decoded.image));
    for (const species of ATTACK_SPECIES) {
      const label = { source: file, kind: species, bonaFide: false };
      tallies.record(label, await judge(attackBurst(decoded.image, species, ATTACK_FRAMES, random), options, label));
      options.onStep?.();
    }
    // Turn away from the pose photographed, alternating the side for frontal faces.
    const direction: 1 | -1 = Math.abs(face.pose.yaw) > 3 ? (face.pose.yaw > 0 ? -1 : 1) : index % 2 === 0 ? 1 : -1;
    for (const kind of ['turn', 'blink'] as const) {
      const frames = bonaFidePoses(kind, BONA_FIDE_FRAMES, direction).map((pose) => renderHead(head, pose, backdrop));
      const label = { source: file, kind, bonaFide: true };
      tallies.record(label, await judge(frames, options, label));
      options.onStep?.();
    }
  }
  return {
    bonaFideSource: 'synthetic',
    ...tallies.result(),
    images: files.length,
    imagesWithoutFace: withoutFace,
  };
}

/** Recorded bursts: DIR/live/<burst>/<frames> and DIR/attack/<species>/<burst>/<frames>, frames in name order. */
export function listRecordedBursts(dir: string): { live: string[]; attack: Record<string, string[]> } {
  const subdirs = (d: string): string[] =>
    fs.existsSync(d)
      ? fs
          .readdirSync(d, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => path.join(d, e.name))
          .sort()
      : [];
  const attack: Record<string, string[]> = {};
  for (const speciesDir of subdirs(path.join(dir, 'attack'))) attack[path.basename(speciesDir)] = subdirs(speciesDir);
  return { live: subdirs(path.join(dir, 'live')), attack };
}

export async function evaluateRecordedBursts(dir: string, options: PadEvaluationOptions): Promise<PadReport> {
  const { live, attack } = listRecordedBursts(dir);
  const tallies = new PadTallies();
  const framesOf = (burstDir: string): Uint8Array[] =>
    fs
      .readdirSync(burstDir)
      .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
      .sort()
      .map((f) => new Uint8Array(fs.readFileSync(path.join(burstDir, f))));
  for (const burstDir of live) {
    const label = { source: burstDir, kind: 'live', bonaFide: true };
    tallies.record(label, await judgeBytes(framesOf(burstDir), options, label));
    options.onStep?.();
  }
  for (const [species, bursts] of Object.entries(attack)) {
    for (const burstDir of bursts) {
      const label = { source: burstDir, kind: species, bonaFide: false };
      tallies.record(label, await judgeBytes(framesOf(burstDir), options, label));
      options.onStep?.();
    }
  }
  return {
    bonaFideSource: 'recorded',
    ...tallies.result(),
    images: live.length + Object.values(attack).flat().length,
    imagesWithoutFace: 0,
  };
}

type BurstLabel = Parameters<NonNullable<PadEvaluationOptions['onBurst']>>[0];

/**
 * Stills become frames of a terminal camera: the longer side resized to TERMINAL_FRAME_SIDE px (LFW's
 * 250 px stills are enlarged, deepface's large photos reduced), so the attacks and the stand-ins are
 * judged at one realistic resolution: the mesh model reports whole pixels, so a tiny face's landmarks
 * are too coarse for parallax.
 */
export const TERMINAL_FRAME_SIDE = 480;

async function terminalFrame(bytes: Uint8Array): Promise<RgbImage> {
  const decoded = await decodeImage(bytes);
  const { width, height, data } = decoded.image;
  const factor = TERMINAL_FRAME_SIDE / Math.max(width, height);
  const { data: resized, info } = await sharp(Buffer.from(data), { raw: { width, height, channels: 3 } })
    .resize(Math.round(width * factor), Math.round(height * factor), { kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(resized) };
}

async function blurred(image: RgbImage): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
    .blur(Math.max(4, image.width / 30))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

async function judge(frames: readonly RgbImage[], options: PadEvaluationOptions, label: BurstLabel) {
  return judgeBytes(await Promise.all(frames.map(cameraRoundTrip)), options, label);
}

async function judgeBytes(frames: readonly Uint8Array[], options: PadEvaluationOptions, label: BurstLabel) {
  const analysed = await analyseBurstFrames(frames, options.analyse);
  if (!analysed) return null;
  const tracks = options.meshOnly ? null : trackLandmarks(analysed.images, analysed.analyses);
  options.onBurst?.(label, analysed.analyses, tracks);
  return assessBurstLiveness(analysed.analyses, options.policy, tracks);
}

function largest(faces: readonly FaceAnalysis[]): FaceAnalysis {
  return faces.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a));
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export function padMarkdown(report: PadReport, command: string): string {
  const lines: string[] = [];
  lines.push(`\`${command}\``, '');
  if (report.bonaFideSource === 'synthetic') {
    lines.push(
      "Bona fide presentations are SYNTHETIC: renders of each still's head (its own face mesh and a fitted head shape) turning or blinking. They are stand-ins, not people; real bursts (`--bursts DIR`) replace them the day they exist.",
      '',
    );
  }
  lines.push(`stills: ${report.images} (no face: ${report.imagesWithoutFace})`, '');
  const row = (name: string, c: ErrorCount, kind: string): string =>
    `| ${name} | ${kind} | ${c.presentations} | ${c.notJudged} | ${c.errors} | ${pct(c.rate)} | ${Object.entries(c.reasons)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ')} |`;
  lines.push('| presentations | metric | count | not judged | errors | rate | reasons given |', '|---|---|---|---|---|---|---|');
  for (const [species, c] of Object.entries(report.apcer)) lines.push(row(species, c, 'APCER'));
  for (const [kind, c] of Object.entries(report.bpcer))
    lines.push(row(`bona fide ${report.bonaFideSource === 'synthetic' ? `(synthetic ${kind})` : kind}`, c, 'BPCER'));
  return lines.join('\n');
}
