/**
 * Camera clips made at test time from the shared face photos (never committed: they go to a temp dir).
 *
 *  - The BONA FIDE STAND-IN: a photographed head rendered as a textured 3-D surface that turns and
 *    blinks (src/eval/pad/synthetic-head-render.ts, the renderer the PAD evaluation uses), performing
 *    a script of actions. It is a rigid head with a painted eyelid, not a person (docs/liveness.md).
 *  - The FLAT STILL: the same photo not moving, or moved as a flat picture (shifted, rotated, mirrored):
 *    what a photo held up to the camera looks like.
 *
 * Directions are the subject's own, as the server's challenge evaluation reads them
 * (src/pad/challenge-evaluation.ts): turning to one's left moves the nose towards the image's right.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { FaceAnalysis } from '../../../src/analysis/face-analysis.js';
import { HumanFaceAnalyzer } from '../../../src/analysis/human-analyzer.js';
import type { RgbImage } from '../../../src/imaging/rgb-image.js';
import type { ChallengeAction } from '../../../src/pad/challenge-evaluation.js';
import { buildHeadModel, headRemovedBackdrop, renderHead, type HeadModel, type HeadPose3 } from '../../../src/eval/pad/synthetic-head-render.js';
import { warpImage } from '../../../src/eval/pad/image-warp.js';
import { DEEPFACE_DIR, LFW_DIR } from '../../shared-data.js';
import { CLIP_HEIGHT, CLIP_WIDTH, frameFromImage, writeY4m } from './y4m.js';

export type StandInAction = ChallengeAction;

/**
 * Faces whose stand-in the server's burst liveness judges live (a 3-D head: planar/rigid ratio ≥ 3 on
 * some pair of frames) and whose turns meet the challenge, checked by face-clips.test.ts. Chosen by
 * name so every run uses the same photos. Most faces do not pass: the mesh model re-fits a rendered
 * turn with its own shape prior, so the stand-ins' ratio sits at 2–3 (docs/liveness.md). Of 24 faces
 * scanned (8 deepface, 16 lfw-dev, turn left then right, 40°, face 0.35 of the frame), these reached
 * 3.85 (Darvis Patton) and 3.17 (img20); Aron Ralston reached 3.15 on one side in the scan, 2.98 here.
 */
/**
 * What a kiosk suite asks of the stand-in: the actions it performs convincingly (its painted eyelid is
 * not read as a blink, and a symmetric synthetic head turning both ways trips the mirrored-frames
 * check), in tight rounds of about 3 s, so that any two of them, in any order, come round within two
 * loops. The service is started with FACEKEY_LIVENESS_ACTIONS set to these.
 */
export const KIOSK_CHALLENGE_ACTIONS = ['turn_left', 'look_up', 'look_down'] as const;
/**
 * What the kiosk clip performs: the actions three times over (about 9 s). Chromium loops the clip, and a
 * frame a loop later is the very same picture, which the kiosk rightly skips (a real camera never
 * repeats a frame exactly); three rounds keep the frames of a capture distinct.
 */
export const KIOSK_CLIP_PERFORMANCE = [...KIOSK_CHALLENGE_ACTIONS, ...KIOSK_CHALLENGE_ACTIONS, ...KIOSK_CHALLENGE_ACTIONS];
export const KIOSK_LOOP_TIMING = { leadSeconds: 0.2, moveSeconds: 0.35, holdSeconds: 0.15, restSeconds: 0.1 } as const;
/** The face whose stand-in passes the server's burst liveness reliably (see the face-clips tests). */
export const KIOSK_SHOPPER_FACE = 'lfw:Darvis_Patton/Darvis_Patton_0001.jpg';

export const STAND_IN_FACES: readonly string[] = ['lfw:Darvis_Patton/Darvis_Patton_0001.jpg', 'deepface:img20.jpg'];

/** `deepface:<file>` or `lfw:<Person_Name>/<file>`: a photo in ../shared/datasets. */
export function sharedFacePath(name: string): string {
  const [set, file] = name.split(':', 2);
  if (set === 'deepface' && file) return path.join(DEEPFACE_DIR, file);
  if (set === 'lfw' && file) return path.join(LFW_DIR, 'images', file);
  throw new Error(`a shared face is "deepface:<file>" or "lfw:<Person>/<file>", got "${name}"`);
}

/** Where the clips of this process go (one temp dir, removed with `removeClipDir`). */
export function makeClipDir(label = 'clips'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `facekey-${label}-`));
}

export function removeClipDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

let analyzer: Promise<HumanFaceAnalyzer> | undefined;
/** The server's analyzer (Human's detector + mesh), loaded once per process. */
export function sharedAnalyzer(): Promise<HumanFaceAnalyzer> {
  analyzer ??= HumanFaceAnalyzer.create();
  return analyzer;
}

/** A photo ready to be animated: the 640×480 frame, its face as the server's analyzer sees it, the 3-D head. */
export interface StandInHead {
  readonly name: string;
  readonly photo: RgbImage;
  readonly face: FaceAnalysis;
  readonly model: HeadModel;
  readonly backdrop: RgbImage;
}

/**
 * How wide the face is in the clip, as a fraction of the frame's width: a shopper at a kiosk's arm's
 * length fills about a third of a VGA frame. Photos are framed to it (cropped around the face, then
 * letterboxed), so every clip shows its face at one size whatever the photo's framing.
 */
export const KIOSK_FACE_WIDTH_FRACTION = 0.35;

export async function prepareHead(name: string, faceWidthFraction = KIOSK_FACE_WIDTH_FRACTION): Promise<StandInHead> {
  const photo = await framedPhoto(name, faceWidthFraction);
  const face = largestFace(await (await sharedAnalyzer()).analyze(photo), name);
  const model = buildHeadModel(photo, face);
  const { data, info } = await sharp(Buffer.from(photo.data), { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .blur(Math.max(4, photo.width / 30))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const backdrop = headRemovedBackdrop(model, { width: info.width, height: info.height, data: new Uint8Array(data) });
  return { name, photo, face, model, backdrop };
}

function largestFace(faces: readonly FaceAnalysis[], name: string): FaceAnalysis {
  if (faces.length === 0) throw new Error(`no face found in ${name}`);
  return faces.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a));
}

/** The photo as a 640×480 frame in which its face is `faceWidthFraction` of the width, centred. */
export async function framedPhoto(name: string, faceWidthFraction = KIOSK_FACE_WIDTH_FRACTION): Promise<RgbImage> {
  const file = sharedFacePath(name);
  const whole = await frameFromImage(file);
  const face = largestFace(await (await sharedAnalyzer()).analyze(whole), name);
  const { data: pixels, info } = await sharp(file).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const [sourceWidth, sourceHeight] = [info.width, info.height];
  // From the letterboxed frame back to the photo's pixels.
  const scale = Math.min(CLIP_WIDTH / sourceWidth, CLIP_HEIGHT / sourceHeight);
  const offsetX = (CLIP_WIDTH - sourceWidth * scale) / 2;
  const offsetY = (CLIP_HEIGHT - sourceHeight * scale) / 2;
  const cropWidth = Math.round(face.box.width / scale / faceWidthFraction);
  const cropHeight = Math.round((cropWidth * CLIP_HEIGHT) / CLIP_WIDTH);
  const left = Math.round((face.box.x + face.box.width / 2 - offsetX) / scale - cropWidth / 2);
  const top = Math.round((face.box.y + face.box.height / 2 - offsetY) / scale - cropHeight / 2);
  // Parts of the crop beyond the photo are black, as the letterbox is: pad by a crop's size on every side first.
  const pad = Math.max(cropWidth, cropHeight);
  const padded = await sharp(pixels, { raw: { width: sourceWidth, height: sourceHeight, channels: 3 } })
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { data } = await sharp(padded.data, { raw: { width: padded.info.width, height: padded.info.height, channels: 3 } })
    .extract({ left: left + pad, top: top + pad, width: cropWidth, height: cropHeight })
    .resize(CLIP_WIDTH, CLIP_HEIGHT, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: CLIP_WIDTH, height: CLIP_HEIGHT, data: new Uint8Array(data) };
}

export interface PerformanceTiming {
  readonly fps: number;
  /** Looking straight at the camera before the first action, seconds. */
  readonly leadSeconds: number;
  /** Out to the turn (or look) and back again, seconds each way. */
  readonly moveSeconds: number;
  /** Held at the turn's extreme, seconds. */
  readonly holdSeconds: number;
  /** Lids down and up again, seconds. */
  readonly blinkSeconds: number;
  /** Looking straight between actions, seconds. */
  readonly restSeconds: number;
  readonly turnDeg: number;
  readonly lookDeg: number;
}

/**
 * 10 fps (a kiosk samples a burst at 5–10 fps); turns of 40° (the mesh model reads a rendered turn as
 * about half of it, and the server asks ≥ 10° from where the previous action completed and a rigid
 * 3-D fit clearly better than a planar one); looks of 20° (server: ≥ 8°).
 */
export const DEFAULT_TIMING: PerformanceTiming = {
  fps: 10,
  leadSeconds: 0.5,
  moveSeconds: 0.5,
  holdSeconds: 0.2,
  blinkSeconds: 0.4,
  restSeconds: 0.2,
  turnDeg: 40,
  lookDeg: 20,
};

/**
 * Every action a session can ask, once each. The rendered blink is performed but the server does not
 * see it as one (the mesh model reads a 10–20 % eye-aspect drop, it needs 40 %: docs/liveness.md), so a
 * challenge with a blink cannot be met by any stand-in; the turns and looks are.
 */
export const FULL_PERFORMANCE: readonly StandInAction[] = ['turn_left', 'turn_right', 'blink', 'look_up', 'look_down'];

/** Where in the clip each action happens (frame indices, end exclusive). */
export interface PerformedAction {
  readonly action: StandInAction;
  readonly fromFrame: number;
  readonly toFrame: number;
}

export interface Performance {
  readonly poses: HeadPose3[];
  readonly actions: PerformedAction[];
  readonly fps: number;
}

/** The head poses of a performance: straight, then each action in order, back to straight after each. */
export function performancePoses(actions: readonly StandInAction[], timing: Partial<PerformanceTiming> = {}): Performance {
  const t = { ...DEFAULT_TIMING, ...timing };
  const frames = (seconds: number): number => Math.max(1, Math.round(seconds * t.fps));
  const poses: HeadPose3[] = [];
  const straight: HeadPose3 = { yawDeg: 0, pitchDeg: 0, eyesClosed: 0 };
  const hold = (pose: HeadPose3, seconds: number): void => {
    for (let i = 0; i < frames(seconds); i += 1) poses.push(pose);
  };
  // Smooth out and back (a cosine ease): a head accelerates and slows down, it does not jump.
  const move = (to: (s: number) => HeadPose3, seconds: number, outward: boolean): void => {
    const n = frames(seconds);
    for (let i = 1; i <= n; i += 1) {
      const s = (1 - Math.cos((Math.PI * i) / n)) / 2;
      poses.push(to(outward ? s : 1 - s));
    }
  };
  const performed: PerformedAction[] = [];
  hold(straight, t.leadSeconds);
  for (const action of actions) {
    const fromFrame = poses.length;
    if (action === 'blink') {
      // Open → closed → open over the blink's frames, the lids' course in a real blink.
      const n = Math.max(3, frames(t.blinkSeconds));
      const middle = (n - 1) / 2;
      for (let i = 0; i < n; i += 1) poses.push({ ...straight, eyesClosed: Math.max(0, 1 - Math.abs(i - middle) / Math.max(1, middle)) });
    } else {
      // turn_left: the nose goes to the image's right, which is the renderer's negative yaw.
      const at = (s: number): HeadPose3 =>
        action === 'turn_left'
          ? { yawDeg: -t.turnDeg * s, pitchDeg: 0, eyesClosed: 0 }
          : action === 'turn_right'
            ? { yawDeg: t.turnDeg * s, pitchDeg: 0, eyesClosed: 0 }
            : action === 'look_down'
              ? { yawDeg: 0, pitchDeg: t.lookDeg * s, eyesClosed: 0 }
              : { yawDeg: 0, pitchDeg: -t.lookDeg * s, eyesClosed: 0 };
      move(at, t.moveSeconds, true);
      hold(at(1), t.holdSeconds);
      move(at, t.moveSeconds, false);
    }
    performed.push({ action, fromFrame, toFrame: poses.length });
    hold(straight, t.restSeconds);
  }
  return { poses, actions: performed, fps: t.fps };
}

/**
 * A camera's sensor noise (seeded, so a clip is the same every run): no two real frames are identical,
 * and the server refuses a burst with two identical frames ('duplicate_frames', a replayed still).
 */
export function withSensorNoise(frame: RgbImage, seed: number, amplitude = 3): RgbImage {
  let state = (seed * 2654435761 + 1) >>> 0 || 1;
  const data = new Uint8Array(frame.data.length);
  for (let i = 0; i < data.length; i += 1) {
    // xorshift32: cheap, deterministic; the sum of two uniforms gives a triangular, roughly bell-shaped noise.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const a = state & 0xff;
    const b = (state >>> 8) & 0xff;
    const n = ((a + b) / 510 - 0.5) * 2 * amplitude;
    const v = frame.data[i]! + n;
    data[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
  return { width: frame.width, height: frame.height, data };
}

/**
 * The frames a kiosk would send for `actions` (consecutive in the performance): evenly spaced from just
 * before the first to the end of the last, at most `maxFrames` (the checkout API takes 3–15).
 */
export function burstWindow(performance: Performance, actions: readonly StandInAction[], maxFrames = 15): number[] {
  const first = performance.actions.findIndex((a) => a.action === actions[0]);
  const performed = performance.actions.slice(first, first + actions.length);
  if (first < 0 || performed.map((a) => a.action).join() !== actions.join())
    throw new Error(`the performance does not do ${actions.join(', ')} in a row`);
  const from = Math.max(0, performed[0]!.fromFrame - 1);
  const to = performed.at(-1)!.toFrame - 1;
  const count = Math.min(maxFrames, to - from + 1);
  return Array.from({ length: count }, (_, i) => Math.round(from + (i * (to - from)) / Math.max(1, count - 1)));
}

/** The stand-in's frames for a performance, with sensor noise (rendered on demand: a frame is 640×480×3 bytes). */
export function* renderPerformance(head: StandInHead, performance: Performance): Generator<RgbImage> {
  for (const [i, pose] of performance.poses.entries()) yield withSensorNoise(renderHead(head.model, pose, head.backdrop), i + 1);
}

export interface Clip {
  readonly file: string;
  readonly fps: number;
  readonly frameCount: number;
  readonly face: string;
  /** What the clip performs and when (empty for a flat still). */
  readonly actions: readonly PerformedAction[];
}

export interface StandInClipOptions {
  /** A shared face name (default: the first of STAND_IN_FACES). */
  readonly face?: string;
  /** The actions, in order (default: FULL_PERFORMANCE). */
  readonly actions?: readonly StandInAction[];
  readonly timing?: Partial<PerformanceTiming>;
  /** File name inside `dir`. */
  readonly fileName?: string;
}

/**
 * The bona fide stand-in as a y4m clip: looks straight, then performs `actions` (by default turn left,
 * blink, turn right, blink). Chromium's fake camera loops it, so a capture window of one loop
 * contains every action.
 */
export async function standInClip(dir: string, options: StandInClipOptions = {}): Promise<Clip> {
  const face = options.face ?? STAND_IN_FACES[0]!;
  const head = await prepareHead(face);
  const performance = performancePoses(options.actions ?? FULL_PERFORMANCE, options.timing);
  const file = path.join(dir, options.fileName ?? `stand-in-${(options.actions ?? FULL_PERFORMANCE).join('-')}.y4m`);
  writeY4m(file, { width: CLIP_WIDTH, height: CLIP_HEIGHT, fps: performance.fps }, renderPerformance(head, performance));
  return { file, fps: performance.fps, frameCount: performance.poses.length, face, actions: performance.actions };
}

/** How a flat picture moves in front of the camera: not at all, slid, turned in its plane, or flipped. */
export type FlatMotion = 'still' | 'shift' | 'rotate' | 'mirror';

/** Frames of a photo held up as a flat picture: every one a planar map of the photo. */
export function flatPictureFrames(photo: RgbImage, motion: FlatMotion, count: number): RgbImage[] {
  return Array.from({ length: count }, (_, i) => withSensorNoise(flatPictureAt(photo, motion, i, count), i + 1));
}

function flatPictureAt(photo: RgbImage, motion: FlatMotion, i: number, count: number): RgbImage {
  const cx = photo.width / 2;
  const cy = photo.height / 2;
  const s = count === 1 ? 0 : Math.sin((2 * Math.PI * i) / count);
  if (motion === 'still') return photo;
  if (motion === 'shift') return warpImage(photo, (x, y) => [x - 30 * s, y - 10 * s]);
  if (motion === 'rotate') {
    const a = (-12 * s * Math.PI) / 180;
    return warpImage(photo, (x, y) => [cx + (x - cx) * Math.cos(a) - (y - cy) * Math.sin(a), cy + (x - cx) * Math.sin(a) + (y - cy) * Math.cos(a)]);
  }
  // Mirror: every other half-second the picture is shown flipped (what a replayed mirrored video shows).
  return Math.floor(i / 5) % 2 === 1 ? warpImage(photo, (x, y) => [photo.width - x, y]) : photo;
}

export interface FlatClipOptions {
  readonly face?: string;
  readonly motion?: FlatMotion;
  readonly fps?: number;
  readonly seconds?: number;
  readonly fileName?: string;
}

/** The photo attack as a y4m clip (default: the stand-in's own photo, not moving, 3 s at 10 fps). */
export async function flatPhotoClip(dir: string, options: FlatClipOptions = {}): Promise<Clip> {
  const face = options.face ?? STAND_IN_FACES[0]!;
  const motion = options.motion ?? 'still';
  const fps = options.fps ?? 10;
  const photo = await framedPhoto(face);
  const frames = flatPictureFrames(photo, motion, Math.round((options.seconds ?? 3) * fps));
  const file = path.join(dir, options.fileName ?? `flat-${motion}.y4m`);
  writeY4m(file, { width: CLIP_WIDTH, height: CLIP_HEIGHT, fps }, frames);
  return { file, fps, frameCount: frames.length, face, actions: [] };
}

/** An RGB frame as the JPEG a kiosk would send (quality 90, as the PAD evaluation's camera round trip). */
export async function jpegOf(frame: RgbImage, quality = 90): Promise<Uint8Array> {
  const bytes = await sharp(Buffer.from(frame.data), { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
  return new Uint8Array(bytes);
}
