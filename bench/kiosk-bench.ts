/**
 * `npm run bench:kiosk`: the two kiosks as a shopper meets them, through the real apps in Chromium
 * (Debian's, headless, a fake camera playing a stand-in clip) against the built service on embedded
 * defaults. Measures, and says in its output what each figure is:
 *  - the enrollment kiosk's first load on a cold profile (bytes over the wire and time until the face
 *    engine is ready), and the second, cached visit in the same profile (the first page closed);
 *  - N enrollments and N checkouts: performedMs (liveness session issued → the capture accepted: the
 *    browser's judgement for enrollment, the server's for checkout), answerMs (last frame captured →
 *    the server's answer shown) and the total ("look at the camera" pressed → answer shown), and each
 *    capture's phases from the kiosk's User Timing marks (test/kit/browser/capture-phases.ts);
 *    BENCH_TRACE=1 prints every capture's timeline.
 * The stand-in is one face; each enrollment is erased after it is measured, so the next one is not
 * refused as a duplicate. Challenges are drawn from turn_left, look_up, look_down (the stand-in cannot
 * blink convincingly; see test/web/pay-by-face-journey.test.ts). Run with tsx: it uses the browser kit
 * in test/kit/browser/, which the node build does not compile.
 * BENCH_CAMERA: `shopper` (default) puts the REACTIVE SHOPPER in front of the kiosks
 * (test/kit/browser/reactive-shopper.ts): the same stand-in, rendered into a canvas camera, performing
 * each prompted action once after a 300 ms reaction at a person's pace (SHOPPER_PACE), as a person
 * following the prompts would. `clip` is
 * Chromium's fake camera looping a y4m clip of the stand-in performing every action in turn: it cannot
 * react, so its performance time is mostly the wait for the loop to come round to the action asked.
 * BENCH_N (default 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { serveFacekey } from '../test/kit/browser/serve-facekey.js';
import { launchKioskProfile } from '../test/kit/browser/launch-chromium.js';
import { installReactiveShopper, shopperEvents, type ReactiveShopper } from '../test/kit/browser/reactive-shopper.js';
import { capturePhases, medianPhases, type CapturePhases } from '../test/kit/browser/capture-phases.js';
import { KIOSK_CHALLENGE_ACTIONS, KIOSK_CLIP_PERFORMANCE, KIOSK_LOOP_TIMING, KIOSK_SHOPPER_FACE, makeClipDir, removeClipDir, standInClip } from '../test/kit/browser/face-clips.js';
import {
  captureCheckout,
  captureEnrollment,
  consentToEnrollment,
  medianAndP90,
  openPairedKiosk,
  readCaptureTrace,
  readEnrollTiming,
  startCheckout,
  waitForCameraWithEngine,
  type KioskTiming,
} from '../test/kit/browser/kiosk-driver.js';

const N = Number(process.env.BENCH_N ?? 5);
const TRACE = process.env.BENCH_TRACE === '1';
const CAMERA = process.env.BENCH_CAMERA ?? 'shopper';
if (CAMERA !== 'shopper' && CAMERA !== 'clip') throw new Error(`BENCH_CAMERA is "shopper" (default) or "clip", got "${CAMERA}"`);
const ACTIONS = KIOSK_CHALLENGE_ACTIONS;
const FACE = KIOSK_SHOPPER_FACE;

const clipDir = makeClipDir('kiosk-bench');
const clip =
  CAMERA === 'clip'
    ? await standInClip(clipDir, {
        face: FACE,
        actions: KIOSK_CLIP_PERFORMANCE,
        timing: KIOSK_LOOP_TIMING,
        fileName: 'bench.y4m',
      })
    : undefined;
const served = await serveFacekey({ env: { FACEKEY_LIVENESS_ACTIONS: ACTIONS.join(','), FACEKEY_RATE_LIMIT: '100000000' } });
const profileDir = mkdtempSync(path.join(tmpdir(), 'kiosk-bench-profile-'));
const context = await launchKioskProfile(profileDir, served.url, clip ? { cameraClip: clip.file } : {});
// Installed before any page opens: every page's camera is the shopper.
const shopper: ReactiveShopper | undefined = CAMERA === 'shopper' ? await installReactiveShopper(context, { face: FACE, actions: ACTIONS }) : undefined;
const cameraLine = shopper
  ? `camera: shopper — ${shopper.describe()}`
  : `camera: clip — Chromium's fake camera looping a y4m clip of the stand-in ${FACE} performing ${KIOSK_CLIP_PERFORMANCE.join(', ')} (${clip!.frameCount} frames at ${clip!.fps} fps, ${(clip!.frameCount / clip!.fps).toFixed(1)} s); it does not react to the prompts`;
console.log(cameraLine);

/** Bytes the page fetched over the network (cache hits count 0) per the Resource Timing entries. */
const transferredBytes = (page: Page) =>
  page.evaluate(() => performance.getEntriesByType('resource').reduce((sum, e) => sum + (e as PerformanceResourceTiming).transferSize, 0));

/** The face engine's load, from the kiosk's marks: ms since the page's navigation began. */
const engineLoad = async (page: Page) => {
  const { marks } = await readCaptureTrace(page);
  const at = (event: string) => {
    const found = marks.find((m) => m.event === event);
    return found ? `${Math.round(found.at)}` : '-';
  };
  return `engine asked for at ${at('engine:requested')} ms, Human (detector, mesh, PAD) ready at ${at('engine:human')}, recognition net at ${at('engine:recognizer')}, engine ready at ${at('engine:ready')} (ms from navigation)`;
};

/** Total minus performance, per run that has both: the time the shopper waits on the system. */
const systemShare = (runs: readonly KioskTiming[]): number[] =>
  runs.flatMap((t) => (t.performedMs !== undefined ? [t.totalMs - t.performedMs] : []));

/** Per page, how much of the shopper's log has been counted; what the shopper did, summed over the bench. */
const logSeen = new Map<Page, number>();
const shopperTally = {
  enrollment: { asked: 0, performed: 0, repeats: 0, startToTick: [] as number[] },
  checkout: { asked: 0, performed: 0, repeats: 0, startToTick: [] as number[] },
};
const tallyShopper = async (page: Page, kind: 'enrollment' | 'checkout', challenge: readonly string[] | undefined) => {
  if (!shopper) return;
  const events = await shopperEvents(page);
  const seen = logSeen.get(page) ?? 0;
  // A reloaded page starts a new log.
  const fresh = events.slice(seen > events.length ? 0 : seen);
  logSeen.set(page, events.length);
  shopperTally[kind].asked += challenge?.length ?? 0;
  shopperTally[kind].performed += fresh.filter((e) => e.kind === 'start').length;
  shopperTally[kind].repeats += fresh.filter((e) => e.kind === 'retry').length;
  // The shopper began the movement → the kiosk ticked that step (the last start before each tick).
  let started: number | undefined;
  for (const e of fresh) {
    if (e.kind === 'start') started = e.at;
    if (e.kind === 'ticked' && started !== undefined) {
      shopperTally[kind].startToTick.push(Math.round(e.at - started));
      started = undefined;
    }
  }
};

/** Each capture's phases (test/kit/browser/capture-phases.ts); BENCH_TRACE=1 also prints its whole timeline. */
const phases = { enrollment: [] as CapturePhases[], checkout: [] as CapturePhases[] };
const tracePhases = async (page: Page, kind: 'enrollment' | 'checkout', label: string) => {
  const { marks, requests } = await readCaptureTrace(page);
  const events = shopper ? await shopperEvents(page) : [];
  phases[kind].push(capturePhases(marks, requests, events));
  // Resource Timing keeps 250 entries by default: a page that captures all day must not fill it.
  await page.evaluate(() => performance.clearResourceTimings());
  if (!TRACE) return;
  const t0 = marks.find((m) => m.event === 'capture:pressed')?.at ?? 0;
  const rows: Array<[number, string]> = [
    ...marks.filter((m) => m.at >= t0).map((m): [number, string] => [m.at, `${m.event} ${m.detail ? JSON.stringify(m.detail) : ''}`]),
    ...requests.filter((r) => r.startAt >= t0).map((r): [number, string] => [r.startAt, `request ${r.path} wait ${Math.round(r.waitMs)} ms, done at ${Math.round(r.endAt - t0)}`]),
    ...events.filter((e) => e.at >= t0).map((e): [number, string] => [e.at, `shopper ${e.kind} ${e.action ?? ''}`]),
  ];
  rows.sort((a, b) => a[0] - b[0]);
  console.log(`--- trace ${label}`);
  for (const [at, text] of rows) console.log(`${String(Math.round(at - t0)).padStart(6)}  ${text}`);
};

/** What each phase means, in the order a capture goes through them. */
const PHASES: ReadonlyArray<[key: string, what: string]> = [
  ['issued', 'liveness session in hand, prompts shown (ms from "look at the camera")'],
  ['prompted', 'the shopper saw the first prompt'],
  ['lastMoveStarted', 'the shopper began the last movement'],
  ['lastStepMet', 'the browser saw the last step met'],
  ['lastMoveEnded', 'the shopper was back facing the camera'],
  ['accepted', 'the capture accepted (the judgement that ends it)'],
  ['ended', 'tracking ended (last frame grabbed)'],
  ['streamFinished', 'every streamed frame held by the server (analysed, or its evidence judged)'],
  ['template', 'template made in the browser'],
  ['answerSent', 'checkout / enrollment request sent'],
  ['answerReceived', 'answer received'],
  ['answerWaitMs', 'duration: that request, sent → first byte of the answer (the server)'],
  ['streamRequests', 'count: stream requests (frames or evidence)'],
  ['streamWaitMedianMs', 'duration: a stream request, sent → answered'],
  ['encodeMedianMs', 'duration: a streamed frame, pushed → ready to send (a checkout its JPEG, made in a worker; an enrollment its evidence)'],
  ['frames', 'count: frames tracked'],
  ['kept', 'count: of them, new pictures kept (a repeated camera picture is not)'],
  ['analyzeMedianMs', 'duration: browser analysis of a frame'],
  ['judgeMedianMs', "duration: the browser's judgement after a frame"],
  ['grabIntervalMedianMs', 'duration: between two grabs'],
];
const printPhases = (kind: 'enrollment' | 'checkout') => {
  const medians = medianPhases(phases[kind]);
  console.log(`${kind} phases (medians over the captures that have them):`);
  for (const [key, what] of PHASES) if (medians[key]) console.log(`  ${key.padEnd(22)} ${String(medians[key].median).padStart(6)}  (n=${medians[key].n})  ${what}`);
};

const line = (label: string, values: readonly number[], what: string) => {
  const s = medianAndP90(values);
  console.log(`${label.padEnd(34)} ${s ? `median ${String(s.median).padStart(6)} ms  p90 ${String(s.p90).padStart(6)} ms  (n=${s.n})` : 'no data'}  — ${what}`);
};

try {
  const admin = await served.createTenant('kiosk bench');
  const enrollClaim = await served.createClaim(admin, { kind: 'enrollment_kiosk', maxUses: 5 });
  const checkoutClaim = await served.createClaim(admin, { kind: 'checkout', maxUses: 5 });

  // First load, cold profile: the page, its scripts and the 24 MB of models, until the engine is ready.
  const cold = await context.newPage();
  const coldStart = Date.now();
  await openPairedKiosk(cold, served.url, 'kiosk/enroll', enrollClaim.token);
  await consentToEnrollment(cold);
  await waitForCameraWithEngine(cold);
  const coldMs = Date.now() - coldStart;
  const coldBytes = await transferredBytes(cold);
  const coldEngine = await engineLoad(cold);
  // Closed first: its camera and live guidance would otherwise share the CPU with the second load.
  await cold.close();
  // Second visit in the same profile (the pairing is kept): the browser's cache (assets immutable; models a day, ETag).
  const page = await context.newPage();
  const warmStart = Date.now();
  await page.goto(`${served.url}/kiosk/enroll`);
  await consentToEnrollment(page);
  await waitForCameraWithEngine(page);
  const warmMs = Date.now() - warmStart;
  const warmBytes = await transferredBytes(page);
  const warmEngine = await engineLoad(page);

  const enrollments: KioskTiming[] = [];
  const enrollFailures: string[] = [];
  for (let i = 0; i < N; i += 1) {
    if (i > 0) {
      await consentToEnrollment(page);
      await waitForCameraWithEngine(page);
    }
    const outcome = await captureEnrollment(page);
    await tracePhases(page, 'enrollment', `enrollment ${i + 1} ${outcome.challenge?.join(',') ?? ''}`);
    await tallyShopper(page, 'enrollment', outcome.challenge);
    if (!outcome.ok) {
      enrollFailures.push(`${outcome.error ?? 'refused'} (${String(outcome.response?.detail ?? '')})`);
      // Back to the consent step for the next try.
      await page.reload();
      logSeen.delete(page);
      continue;
    }
    await page.click('[data-testid=card-skip]');
    await page.click('[data-testid=pin-skip]');
    enrollments.push(await readEnrollTiming(page));
    // Erased, so the next enrollment of the same stand-in is not refused as a duplicate.
    await served.call('DELETE', `/v1/subjects/${String(outcome.response!.subjectId)}`, admin.adminKey);
    await page.click('[data-testid=next-person]');
  }

  // One enrollment kept (with a card token through the admin API) for the checkouts.
  await consentToEnrollment(page);
  await waitForCameraWithEngine(page);
  const kept = await captureEnrollment(page);
  await tallyShopper(page, 'enrollment', kept.challenge);
  if (!kept.ok) throw new Error(`the enrollment for the checkouts was refused: ${kept.error}`);
  await served.call('POST', `/v1/subjects/${String(kept.response!.subjectId)}/tokens`, admin.adminKey, { tokenRef: 'tok_kiosk_bench_00000001' });

  const till = await context.newPage();
  await openPairedKiosk(till, served.url, 'kiosk/checkout', checkoutClaim.token);
  const checkouts: KioskTiming[] = [];
  const checkoutOutcomes: string[] = [];
  for (let i = 0; i < N; i += 1) {
    await startCheckout(till, '9.90');
    await waitForCameraWithEngine(till);
    const outcome = await captureCheckout(till);
    await tracePhases(till, 'checkout', `checkout ${i + 1} ${outcome.challenge?.join(',') ?? ''}`);
    await tallyShopper(till, 'checkout', outcome.challenge);
    checkoutOutcomes.push(outcome.outcome === 'approved' ? 'approved' : `${outcome.outcome}:${outcome.error ?? outcome.reasons.join('+')}`);
    if (outcome.timing) checkouts.push(outcome.timing);
    if (await till.$('[data-testid=checkout-next]')) await till.click('[data-testid=checkout-next]');
    else if (await till.$('[data-testid=checkout-cancel]')) await till.click('[data-testid=checkout-cancel]');
  }

  console.log(`\nkiosk bench (BENCH_CAMERA=${CAMERA}) — ${N} enrollments, ${N} checkouts, Chromium headless (software, no GPU), stand-in ${FACE}, one machine for browser and service`);
  console.log(cameraLine);
  console.log(`enrollment kiosk first load (cold profile): ${(coldBytes / 1e6).toFixed(1)} MB transferred, ${coldMs} ms from opening the page to the camera step with the face engine ready (pairing and the consent clicks included)`);
  console.log(`  ${coldEngine}`);
  console.log(`enrollment kiosk second visit (cached):    ${(warmBytes / 1e6).toFixed(2)} MB transferred, ${warmMs} ms from opening the page to the camera step with the face engine ready (the first page closed; consent clicks included)`);
  console.log(`  ${warmEngine}`);
  console.log(`enrollments: ${enrollments.length} accepted, refused: ${enrollFailures.length ? enrollFailures.join(', ') : 'none'}`);
  line('enrollment performedMs', enrollments.flatMap((t) => (t.performedMs !== undefined ? [t.performedMs] : [])), `liveness session issued → the browser's judgement accepted the capture (the shopper's own pace and the tracking; ${shopper ? "the simulated shopper's here" : "the looping clip's here"})`);
  line('enrollment answerMs', enrollments.flatMap((t) => (t.answerMs !== undefined ? [t.answerMs] : [])), 'last frame captured → enrollment answered (template in the browser, the last evidence streamed, signing, server liveness + enroll)');
  line('enrollment total', enrollments.map((t) => t.totalMs), '"look at the camera" pressed → enrollment answered');
  line('enrollment system share', systemShare(enrollments), 'the total minus the shopper\'s performance: what the kiosk and the service add around it');
  if (shopper) console.log(`shopper in the ${N + 1} enrollment captures (${N} measured + 1 kept for the checkouts): ${shopperTally.enrollment.performed} actions performed for ${shopperTally.enrollment.asked} steps asked, ${shopperTally.enrollment.repeats} of them repeats of a step the kiosk had not ticked`);
  if (shopper) line('enrollment step start → ticked', shopperTally.enrollment.startToTick, `per step: the shopper began the movement → the kiosk ticked it (the out-movement takes ${Object.values(shopper.movement)[0]?.outMs ?? '?'} ms; the rest is the kiosk's tracking)`);
  printPhases('enrollment');
  console.log(`checkouts: ${checkoutOutcomes.join(', ')}`);
  line('checkout performedMs', checkouts.flatMap((t) => (t.performedMs !== undefined ? [t.performedMs] : [])), 'liveness session issued → the server said the streamed frames answer the challenge');
  line('checkout answerMs', checkouts.flatMap((t) => (t.answerMs !== undefined ? [t.answerMs] : [])), 'last frame captured → decision shown (the last frames\' upload and analysis, the server\'s word, signing, the burst\'s judgement, embedding, PAD, 1:N, policy, assertion)');
  line('checkout total', checkouts.map((t) => t.totalMs), '"look at the camera" pressed → decision shown');
  line('checkout system share', systemShare(checkouts), 'the total minus the shopper\'s performance: what the kiosk and the service add around it');
  if (shopper) line('checkout step start → ticked', shopperTally.checkout.startToTick, 'per step, as for enrollment');
  if (shopper) console.log(`shopper in the ${N} checkout captures: ${shopperTally.checkout.performed} actions performed for ${shopperTally.checkout.asked} steps asked, ${shopperTally.checkout.repeats} of them repeats of a step the kiosk had not ticked`);
  printPhases('checkout');
} finally {
  await context.close().catch(() => undefined);
  await served.close();
  removeClipDir(clipDir);
  rmSync(profileDir, { recursive: true, force: true });
}
