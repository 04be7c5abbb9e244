import type { Human as HumanInstance } from '@vladmandic/human';
import type { Box } from './face-analysis.js';

/** One face as BlazeFace found it, before any per-face model ran: its box in image pixels. */
export interface FaceCandidate {
  readonly box: Box;
  readonly detectionScore: number;
}

/**
 * Chooses the one candidate worth the per-face models, or null to analyse every candidate.
 * Candidates arrive largest first.
 */
export type CandidatePicker = (candidates: readonly FaceCandidate[]) => FaceCandidate | null;

/** BlazeFace's call to non-max suppression, as Human 3.3.6 makes it (src/face/blazeface.ts). */
export interface DetectorNmsCall {
  readonly maxOutputSize: number;
  readonly iouThreshold: number;
  readonly scoreThreshold: number;
}

interface Armed {
  readonly call: DetectorNmsCall;
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly detectorInputSize: number;
  readonly pick: CandidatePicker;
  candidates?: number;
  picked?: boolean;
}

type TfLike = HumanInstance['tf'];
type NmsFunction = TfLike['image']['nonMaxSuppressionAsync'];
type NmsTensor = Awaited<ReturnType<NmsFunction>>;
type NmsArgs = Parameters<NmsFunction>;

const gates = new WeakMap<object, DetectorCandidateGate>();

/**
 * Human runs the mesh, antispoof, liveness and faceres models on every box that leaves BlazeFace's
 * non-max suppression, and offers no step between detection and those models. A group photo then
 * pays for every face although only one is selected and embedded. The gate sits exactly there: it
 * wraps `tf.image.nonMaxSuppressionAsync` (the one call that decides which boxes go on), lets the
 * caller pick one candidate from the boxes and scores, and hands Human only that box's index. The
 * box, its keypoints and the image are untouched, so the chosen face's mesh, pose and PAD scores
 * are exactly what analysing every face gives for it.
 *
 * The wrapper passes every call through unchanged unless armed. Every Human `detect` over the same
 * tfjs goes through `run`, one at a time (the WASM backend runs one op at a time anyway), so an
 * unarmed analysis never meets another's arming; an arming fires once, and only on a call with
 * the detector's own NMS arguments, so another model's NMS in the same process is never filtered.
 */
export class DetectorCandidateGate {
  private armed: Armed | null = null;

  private constructor(private readonly tf: TfLike) {}

  /** The gate over this Human's tfjs (one per tfjs instance: Human instances may share it). */
  static for(human: HumanInstance): DetectorCandidateGate {
    const image = human.tf.image as unknown as Record<string, unknown>;
    const existing = gates.get(image);
    if (existing) return existing;
    const gate = new DetectorCandidateGate(human.tf);
    const original = human.tf.image.nonMaxSuppressionAsync;
    image['nonMaxSuppressionAsync'] = async (...args: NmsArgs): Promise<NmsTensor> => {
      const kept = await original(...args);
      return gate.filter(kept, args);
    };
    gates.set(image, gate);
    return gate;
  }

  /** Human `detect` calls over this tfjs, one at a time (all of them, so none consumes another's arming). */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Runs `detect` once the calls before it are done, armed with `setting` (null: unfiltered).
   * `candidates` is how many faces the detector found when the picker ran (null when it did not
   * run, e.g. nothing reached NMS), `picked` whether it chose one.
   */
  run<T>(
    setting: Omit<Armed, 'candidates' | 'picked'> | null,
    detect: () => Promise<T>,
  ): Promise<{ result: T; candidates: number | null; picked: boolean }> {
    const run = this.queue.then(async () => {
      const armed: Armed | null = setting ? { ...setting } : null;
      this.armed = armed;
      try {
        const result = await detect();
        return { result, candidates: armed?.candidates ?? null, picked: armed?.picked ?? false };
      } finally {
        this.armed = null;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async filter(kept: NmsTensor, [boxes, scores, maxOutputSize, iouThreshold, scoreThreshold]: NmsArgs): Promise<NmsTensor> {
    const armed = this.armed;
    if (
      !armed ||
      !isDetectorCall(armed.call, maxOutputSize as number, iouThreshold as number | undefined, scoreThreshold as number | undefined)
    )
      return kept;
    this.armed = null; // one detector pass per arming
    const indices = Array.from((await kept.data()) as Int32Array);
    const boxData = (await (boxes as NmsTensor).data()) as Float32Array;
    const scoreData = (await (scores as NmsTensor).data()) as Float32Array;
    const scaleX = armed.imageWidth / armed.detectorInputSize;
    const scaleY = armed.imageHeight / armed.detectorInputSize;
    const candidates = indices
      // Human drops a box whose score does not exceed the threshold; so do we, before counting.
      .filter((index) => scoreData[index]! > armed.call.scoreThreshold)
      .map((index) => {
        const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => boxData[index * 4 + k]!) as [number, number, number, number];
        const candidate: FaceCandidate = {
          box: { x: x1 * scaleX, y: y1 * scaleY, width: (x2 - x1) * scaleX, height: (y2 - y1) * scaleY },
          detectionScore: scoreData[index]!,
        };
        return { index, candidate };
      })
      .sort((a, b) => b.candidate.box.width * b.candidate.box.height - a.candidate.box.width * a.candidate.box.height);
    armed.candidates = candidates.length;
    if (candidates.length === 0) return kept;
    const choice = armed.pick(candidates.map((c) => c.candidate));
    const chosen = choice === null ? undefined : candidates.find((c) => c.candidate === choice);
    if (!chosen) return kept;
    armed.picked = true;
    kept.dispose();
    return this.tf.tensor1d([chosen.index], 'int32');
  }
}

function isDetectorCall(call: DetectorNmsCall, maxOutputSize: number, iouThreshold?: number, scoreThreshold?: number): boolean {
  return maxOutputSize === call.maxOutputSize && iouThreshold === call.iouThreshold && scoreThreshold === call.scoreThreshold;
}
