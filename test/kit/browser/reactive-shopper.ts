/**
 * The REACTIVE SHOPPER: a simulated person in front of the kiosk who follows the prompts, instead of
 * a looping camera clip that performs on its own schedule. A fixed clip cannot react, so with it the
 * kiosk's "look at the camera → answer" time is mostly waiting for the loop to come round to the
 * action asked; this shopper does what was asked, after a person's reaction time.
 *
 * How: before any page script runs (an init script, which the apps' CSP does not govern),
 * `navigator.mediaDevices.getUserMedia` is replaced by a stream captured from a canvas
 * (`canvas.captureStream`). A page-side loop draws, at the performance's frame rate, frames the test
 * pre-rendered with the stand-in renderer (src/eval/pad/synthetic-head-render.ts, the same face and
 * renderer as the kiosk clip): looking straight at the camera (sensor-noise variants), and for each
 * action its out-hold-back pose sequence. The loop watches the kiosk's first unmet challenge step
 * (`[data-testid=challenge-steps] li[data-done=false]`); a reaction time after it appears (or after the
 * shopper is back facing the camera, if it appeared mid-movement) the shopper performs that action once,
 * then looks straight again. A step still unmet a while after the shopper performed it is performed
 * again, as a person would when the tick does not come.
 *
 * The pose on screen follows the clock from the moment the movement was due, as a person's head does:
 * the kiosk's own analysis runs on the page's thread, and a busy thread drops camera frames, it does not
 * slow the shopper down (drawing frame after frame on each tick did, which made the kiosk look slower).
 *
 * It is a rigid synthetic head with scripted timings, not a person: what it measures is what the
 * kiosk and the service add around a shopper who reacts in `reactionMs` and moves at SHOPPER_PACE.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { HeadPose3 } from '../../../src/eval/pad/synthetic-head-render.js';
import { renderHead } from '../../../src/eval/pad/synthetic-head-render.js';
import type { RgbImage } from '../../../src/imaging/rgb-image.js';
import { DEFAULT_TIMING, jpegOf, performancePoses, prepareHead, withSensorNoise, KIOSK_SHOPPER_FACE, type PerformanceTiming, type StandInAction } from './face-clips.js';

export interface ReactiveShopperOptions {
  /** A shared face name (default: the kiosk stand-in, KIOSK_SHOPPER_FACE). */
  readonly face?: string;
  /** The actions the shopper can perform (the service's FACEKEY_LIVENESS_ACTIONS). */
  readonly actions: readonly StandInAction[];
  /** Prompt shown → the shopper starts to move, ms (default 300: a person's simple reaction time). */
  readonly reactionMs?: number;
  /** Back facing the camera with the step still unmet → performed again, ms (default twice the reaction). */
  readonly retryAfterMs?: number;
  /** Movement timing and amplitude (default: SHOPPER_PACE). */
  readonly timing?: Partial<PerformanceTiming>;
  /** How many straight-ahead frames (sensor-noise variants) the shopper cycles through while idle. */
  readonly straightFrames?: number;
  /** JPEG quality of the frames handed to the page (they are decoded once per page). */
  readonly jpegQuality?: number;
}

export interface ReactiveShopper {
  readonly face: string;
  readonly fps: number;
  readonly reactionMs: number;
  readonly retryAfterMs: number;
  /** Per action: how far the head goes (degrees, as rendered) and the time out, held and back (at `fps`). */
  readonly movement: Readonly<Record<string, { degrees: number; outMs: number; holdMs: number; backMs: number }>>;
  readonly frameCount: number;
  readonly payloadBytes: number;
  /** One line saying what the simulation is, for a bench's output. */
  describe(): string;
}

/** What the page-side script gets through the binding. */
interface ShopperPayload {
  readonly fps: number;
  readonly reactionMs: number;
  readonly retryAfterMs: number;
  /** Base64 JPEGs. */
  readonly straight: readonly string[];
  readonly actions: Readonly<Record<string, readonly string[]>>;
}

const BINDING = '__facekeyShopperFrames';

/**
 * How the shopper moves: at a person's pace, not faster. A person asked to turn their head turns it
 * 20–30° in about 0.4–0.8 s (and blinks in about 0.3 s); the shopper turns 25° (looks up or down 20°)
 * out in 0.4 s, holds 0.2 s and comes back in 0.4 s: 62.5 °/s and 50 °/s on average, inside that range.
 * The mesh model reads the rendered turn as about 15° (the server asks 10° from where the previous step
 * ended, 8° for a look). 10 fps, as the kiosk clip. (The clip itself, KIOSK_LOOP_TIMING, turns 40° in
 * 0.4 s: faster than a person, fine for the journey suite, which times nothing.)
 */
export const SHOPPER_PACE: Partial<PerformanceTiming> = { fps: 10, moveSeconds: 0.4, holdSeconds: 0.2, turnDeg: 25, lookDeg: 20 };

/**
 * Renders the shopper's frames and installs it in every page of `context` opened from now on (call it
 * before `newPage`). Pages then get the shopper instead of a camera.
 */
export async function installReactiveShopper(context: BrowserContext, options: ReactiveShopperOptions): Promise<ReactiveShopper> {
  const face = options.face ?? KIOSK_SHOPPER_FACE;
  const reactionMs = options.reactionMs ?? 300;
  const retryAfterMs = options.retryAfterMs ?? 2 * reactionMs;
  const timing: Partial<PerformanceTiming> = { ...SHOPPER_PACE, ...options.timing };
  const quality = options.jpegQuality ?? 92;
  const head = await prepareHead(face);
  let seed = 1;
  const frame = async (pose: HeadPose3): Promise<string> => {
    const image: RgbImage = withSensorNoise(renderHead(head.model, pose, head.backdrop), seed++);
    return Buffer.from(await jpegOf(image, quality)).toString('base64');
  };
  const straightPose: HeadPose3 = { yawDeg: 0, pitchDeg: 0, eyesClosed: 0 };
  const straightImage = renderHead(head.model, straightPose, head.backdrop);
  const straight: string[] = [];
  for (let i = 0; i < (options.straightFrames ?? 24); i += 1)
    straight.push(Buffer.from(await jpegOf(withSensorNoise(straightImage, seed++), quality)).toString('base64'));
  const actions: Record<string, string[]> = {};
  const movement: Record<string, { degrees: number; outMs: number; holdMs: number; backMs: number }> = {};
  let fps = 10;
  for (const action of new Set(options.actions)) {
    const performance = performancePoses([action], timing);
    fps = performance.fps;
    const performed = performance.actions[0]!;
    const poses = performance.poses.slice(performed.fromFrame, performed.toFrame);
    const frames: string[] = [];
    for (const pose of poses) frames.push(await frame(pose));
    actions[action] = frames;
    // Out and back take the same number of frames; the rest is the hold.
    const moveFrames = Math.max(1, Math.round((timing.moveSeconds ?? 0.5) * fps));
    const frameMs = 1000 / fps;
    const degrees = action === 'turn_left' || action === 'turn_right' ? (timing.turnDeg ?? DEFAULT_TIMING.turnDeg) : action === 'blink' ? 0 : (timing.lookDeg ?? DEFAULT_TIMING.lookDeg);
    movement[action] = { degrees, outMs: moveFrames * frameMs, holdMs: (poses.length - 2 * moveFrames) * frameMs, backMs: moveFrames * frameMs };
  }
  const payload: ShopperPayload = { fps, reactionMs, retryAfterMs, straight, actions };
  const frameCount = straight.length + Object.values(actions).reduce((n, f) => n + f.length, 0);
  const payloadBytes = [...straight, ...Object.values(actions).flat()].reduce((n, s) => n + s.length, 0);
  await context.exposeBinding(BINDING, () => payload);
  await context.addInitScript({ content: PAGE_SCRIPT });
  const describe = (): string => {
    const moves = Object.entries(movement)
      .map(([action, m]) => `${action} ${m.degrees}° out in ${m.outMs} ms (${Math.round((m.degrees * 1000) / m.outMs)} °/s), ${m.holdMs} ms held, ${m.backMs} ms back`)
      .join('; ');
    return (
      `simulated reactive shopper (not a person): the stand-in ${face} rendered at ${fps} fps into a canvas camera; ` +
      `reacts ${reactionMs} ms after a prompt appears (or as soon as back facing the camera), performs each asked action once (${moves}), ` +
      `repeats a step still unmet ${retryAfterMs} ms after it; moves by the clock (a busy page drops frames, it does not slow the movement); ${frameCount} pre-rendered frames`
    );
  };
  return { face, fps, reactionMs, retryAfterMs, movement, frameCount, payloadBytes, describe };
}

/**
 * What the shopper did in a page, oldest first (the page-side log): `prompt` when a new unmet step
 * appeared, `start`/`end` of each performed action, `retry` when a step was performed again, `ticked`
 * when the kiosk showed the step asked as met.
 */
export interface ShopperEvent {
  readonly at: number;
  readonly kind: 'prompt' | 'start' | 'end' | 'retry' | 'ticked';
  readonly action?: string;
}

/**
 * The page side, as plain source (an init script is serialised as text: a compiled function could carry
 * the bundler's helpers). Runs before the page's own scripts in every frame of every page.
 */
const PAGE_SCRIPT = String.raw`(() => {
  if (window.top !== window || !navigator.mediaDevices) return;
  const binding = ${JSON.stringify(BINDING)};
  let loaded;
  const decode = async (b64) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
    return createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
  };
  const load = () => {
    loaded ??= (async () => {
      const p = await window[binding]();
      const straight = await Promise.all(p.straight.map(decode));
      const actions = {};
      for (const [name, frames] of Object.entries(p.actions)) actions[name] = await Promise.all(frames.map(decode));
      return { fps: p.fps, reactionMs: p.reactionMs, retryAfterMs: p.retryAfterMs, straight, actions };
    })();
    return loaded;
  };
  const log = [];
  Object.defineProperty(window, '__facekeyShopperLog', { value: log });
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 480;
  const ctx = canvas.getContext('2d');
  let running = false;
  const run = (s) => {
    if (running) return;
    running = true;
    let straightIndex = 0;
    let playing;          // { action, frames, startedAt, shown }
    let pendingKey;       // the first unmet step, as "index:action"
    let pendingAction;
    let seenAt = 0;       // when pendingKey appeared
    let performedKey;     // the step last performed
    let backAt = 0;       // when the shopper last came back facing the camera
    const watch = () => {
      const li = document.querySelector('[data-testid=challenge-steps] li[data-done=false]');
      const listed = document.querySelector('[data-testid=challenge-steps]') !== null;
      const items = li ? Array.from(li.parentElement ? li.parentElement.children : []) : [];
      const key = li ? items.indexOf(li) + ':' + (li.getAttribute('data-step') || '') : undefined;
      // The step the shopper was asked for is ticked: the next one is asked, or the list shows all done.
      if (pendingKey && key !== pendingKey && (li || listed)) log.push({ at: performance.now(), kind: 'ticked', action: pendingAction });
      // The list gone: that capture is over, and the next one's first step is a new prompt, answered after
      // the reaction time, even when it is the same action at the same place (as every one-step challenge is).
      if (!listed) performedKey = undefined;
      if (!li) { pendingKey = undefined; pendingAction = undefined; return; }
      if (key !== pendingKey) {
        pendingKey = key;
        pendingAction = li.getAttribute('data-step') || undefined;
        seenAt = performance.now();
        log.push({ at: seenAt, kind: 'prompt', action: pendingAction });
      }
    };
    const frameMs = 1000 / s.fps;
    const decide = (now) => {
      if (playing || !pendingKey || !pendingAction || !s.actions[pendingAction]) return false;
      const fresh = pendingKey !== performedKey;
      const due = fresh ? Math.max(seenAt + s.reactionMs, backAt) : backAt + s.retryAfterMs;
      if (now < due) return false;
      // Started when it was due, not when this tick got round to it: a busy page delays the picture, not the person.
      const at = due;
      if (!fresh) log.push({ at, kind: 'retry', action: pendingAction });
      log.push({ at, kind: 'start', action: pendingAction });
      performedKey = pendingKey;
      playing = { action: pendingAction, frames: s.actions[pendingAction], startedAt: at, shown: -1 };
      return true;
    };
    let lastDrawAt = -Infinity;
    // The pose on screen follows the clock, as a person does: when the page is busy (the kiosk's own analysis
    // runs on this thread) frames are dropped, the movement is not slowed down.
    const draw = (now) => {
      let bitmap;
      if (playing) {
        const index = Math.floor((now - playing.startedAt) / frameMs);
        if (index >= playing.frames.length) {
          const endedAt = playing.startedAt + playing.frames.length * frameMs;
          log.push({ at: endedAt, kind: 'end', action: playing.action });
          playing = undefined;
          backAt = endedAt;
        } else {
          if (index === playing.shown) return;
          playing.shown = index;
          bitmap = playing.frames[index];
        }
      }
      if (!bitmap) {
        if (now - lastDrawAt < frameMs - 1) return;
        bitmap = s.straight[straightIndex % s.straight.length];
        straightIndex += 1;
      }
      lastDrawAt = now;
      ctx.globalAlpha = 1;
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      // A faint exposure flicker: no two frames identical even when a straight variant comes round again.
      ctx.globalAlpha = 0.01;
      ctx.fillStyle = 'rgb(' + Math.floor(Math.random() * 256) + ',' + Math.floor(Math.random() * 256) + ',' + Math.floor(Math.random() * 256) + ')';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    };
    // One fine-grained tick: the picture is redrawn whenever the pose the clock asks for changes (or every
    // 1/fps while looking straight), and a movement that has come due starts.
    const tick = () => {
      const now = performance.now();
      watch();
      decide(now);
      draw(now);
    };
    tick();
    setInterval(tick, 10);
    // A prompt is seen when the page shows it, not when a timer on this (maybe busy) thread comes round:
    // the DOM change is noticed at once; the kiosk paints it before it goes back to work.
    new MutationObserver(() => watch()).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-done'] });
  };
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.video) return original(constraints);
    const s = await load();
    run(s);
    return canvas.captureStream(30);
  };
})();`;

/** The shopper's log in `page` (empty where no shopper is installed). */
export async function shopperEvents(page: Page): Promise<ShopperEvent[]> {
  return page.evaluate(() => [...((window as unknown as { __facekeyShopperLog?: ShopperEvent[] }).__facekeyShopperLog ?? [])]);
}
