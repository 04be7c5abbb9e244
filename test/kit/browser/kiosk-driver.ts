/**
 * Driving the real kiosk apps in Chromium as a shopper and a cashier would, through their stable test
 * hooks (web/README.md): pair with a fleet claim, consent, perform the liveness challenge in front of
 * the fake camera, read the receipt or the decision and the timings the apps report. Shared by the
 * journey suite (test/web/) and the kiosk benchmark (bench/kiosk-bench.ts).
 */
import type { Page, Request } from 'playwright-core';
import { capturePhases, type CapturePhases, type TraceMark, type TraceRequest } from './capture-phases.js';

/** How long a page may take to load the browser face engine (24 MB of models, wasm compiled) on a busy machine. */
export const ENGINE_LOAD_TIMEOUT_MS = 120_000;
/** Tracking stops after 8 s; the answer (analysis on the server too, for checkout) follows. */
export const CAPTURE_TIMEOUT_MS = 90_000;

export interface KioskTiming {
  /** "Look at the camera" pressed → the server's answer shown (ms). */
  readonly totalMs: number;
  /** Liveness session issued → the browser saw the last challenge step met (ms); absent when it never did. */
  readonly performedMs?: number;
  /** Last frame captured → the server's answer shown (ms). */
  readonly answerMs?: number;
}

const numberAttr = async (page: Page, selector: string, name: string): Promise<number | undefined> => {
  const value = await page.getAttribute(selector, name);
  return value === null || value === '' ? undefined : Number(value);
};

/** Opens a kiosk page with its fleet claim in the fragment (never logged) and waits for the pairing to take. */
export async function openPairedKiosk(page: Page, baseUrl: string, app: 'kiosk/enroll' | 'kiosk/checkout', claimToken: string): Promise<void> {
  await page.goto(`${baseUrl}/${app}#claim=${encodeURIComponent(claimToken)}`);
  await page.waitForSelector('[data-testid=terminal-id]', { timeout: 30_000 });
}

/** The camera step with the browser engine ready (else the kiosk would fall back to the timed burst). */
export async function waitForCameraWithEngine(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=step-camera][data-engine=ready]', { timeout: ENGINE_LOAD_TIMEOUT_MS });
  await page.waitForSelector('[data-testid=capture-start]:not([disabled])', { timeout: 30_000 });
}

export async function consentToEnrollment(page: Page, purposes: { personalization?: boolean } = {}): Promise<void> {
  await page.waitForSelector('[data-testid=step-consent] [data-testid=consent-text]', { timeout: 30_000 });
  await page.check('[data-testid=consent-payment]');
  if (purposes.personalization) await page.check('[data-testid=consent-personalization]');
  await page.click('[data-testid=consent-agree]');
}

export interface EnrollmentOutcome {
  /** The step the kiosk reached: 'card' after a successful enrollment, else 'camera' with the error shown. */
  readonly ok: boolean;
  readonly error?: string;
  /** The JSON body the kiosk posted to /v1/kiosk/enrollments, as it left the browser. */
  readonly requestBody?: Record<string, unknown>;
  /** The JSON bodies it streamed to the liveness session meanwhile (POST …/evidence). */
  readonly streamedBodies: ReadonlyArray<Record<string, unknown>>;
  /** The response, when the kiosk got one. */
  readonly response?: Record<string, unknown>;
  readonly challenge?: readonly string[];
}

/**
 * The challenge as the kiosk shows it, step by step (the kiosk asks for its session before the shopper
 * presses "look at the camera", so the session's answer may already be in).
 */
async function challengeShown(page: Page): Promise<string[]> {
  await page.waitForSelector('[data-testid=challenge-steps] li', { timeout: 30_000 });
  return page.$$eval('[data-testid=challenge-steps] li', (items) => items.map((li) => li.getAttribute('data-step') ?? ''));
}

/** Presses "look at the camera" on the enrollment kiosk and waits for the enrollment's answer. */
export async function captureEnrollment(page: Page): Promise<EnrollmentOutcome> {
  let requestBody: Record<string, unknown> | undefined;
  const streamedBodies: Array<Record<string, unknown>> = [];
  let challenge: readonly string[] | undefined;
  const onRequest = (request: Request) => {
    if (request.method() !== 'POST') return;
    const pathname = new URL(request.url()).pathname;
    if (pathname === '/v1/kiosk/enrollments') requestBody = request.postDataJSON() as Record<string, unknown>;
    if (/^\/v1\/liveness-sessions\/[^/]+\/evidence$/.test(pathname)) streamedBodies.push(request.postDataJSON() as Record<string, unknown>);
  };
  page.on('request', onRequest);
  const enrolled = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/kiosk/enrollments', { timeout: CAPTURE_TIMEOUT_MS });
  try {
    await page.click('[data-testid=capture-start]');
    challenge = await challengeShown(page);
    const answer = await enrolled;
    const response = (await answer.json()) as Record<string, unknown>;
    if (!answer.ok()) {
      await page.waitForSelector('[data-testid=error]', { timeout: 10_000 });
      return { ok: false, error: String(response.code ?? response.detail ?? answer.status()), response, ...(requestBody ? { requestBody } : {}), streamedBodies, challenge };
    }
    await page.waitForSelector('[data-testid=step-card]', { timeout: 30_000 });
    return { ok: true, response, ...(requestBody ? { requestBody } : {}), streamedBodies, challenge };
  } finally {
    page.off('request', onRequest);
  }
}

export async function readEnrollTiming(page: Page): Promise<KioskTiming> {
  const selector = '[data-testid=enroll-latency]';
  await page.waitForSelector(selector);
  const performedMs = await numberAttr(page, selector, 'data-performed-ms');
  const answerMs = await numberAttr(page, selector, 'data-answer-ms');
  return { totalMs: (await numberAttr(page, selector, 'data-enroll-ms'))!, ...(performedMs !== undefined ? { performedMs } : {}), ...(answerMs !== undefined ? { answerMs } : {}) };
}

export async function setEnrollmentPin(page: Page, pin: string): Promise<void> {
  await page.waitForSelector('[data-testid=step-pin]');
  await page.fill('[data-testid=pin-input]', pin);
  await page.click('[data-testid=pin-save]');
  await page.waitForSelector('[data-testid=step-receipt]', { timeout: 30_000 });
}

/** The cashier enters an amount (in major units, as typed) and hands over to the shopper. */
export async function startCheckout(page: Page, amount: string): Promise<void> {
  await page.waitForSelector('[data-testid=step-order]', { timeout: 30_000 });
  await page.fill('[data-testid=checkout-amount]', amount);
  await page.click('[data-testid=checkout-start]');
}

export interface CheckoutOutcome {
  /** approved | declined | second_factor_required, or 'error' when the kiosk showed a problem instead. */
  readonly outcome: string;
  readonly reasons: readonly string[];
  readonly error?: string;
  readonly timing?: KioskTiming;
  readonly challenge?: readonly string[];
  /** How many frames the burst held (sent whole, or named among those streamed to the session). */
  readonly framesSent?: number;
  /** Whether the checkout named frames streamed to its session ("sessionFrames") rather than carrying them. */
  readonly streamed?: boolean;
  /** Requests that streamed frames to the liveness session during the performance. */
  readonly streamRequests?: number;
  /**
   * The capture's timeline from the kiosk's trace (frames grabbed and kept, stream waits, when it was
   * accepted), and whether the page was visible: what a slow or refused checkout is read by.
   */
  readonly phases?: CapturePhases & { readonly visibility: string };
}

/** The shopper looks at the camera; waits for the decision, the PIN pad or an error. */
export async function captureCheckout(page: Page): Promise<CheckoutOutcome> {
  let framesSent: number | undefined;
  let streamed: boolean | undefined;
  let streamRequests = 0;
  const onRequest = (request: Request) => {
    if (request.method() !== 'POST') return;
    const pathname = new URL(request.url()).pathname;
    if (/^\/v1\/liveness-sessions\/[^/]+\/frames$/.test(pathname)) streamRequests += 1;
    if (pathname !== '/v1/checkout') return;
    const body = request.postDataJSON() as { frames?: unknown[]; sessionFrames?: unknown[] };
    streamed = body.sessionFrames !== undefined;
    framesSent = (body.sessionFrames ?? body.frames ?? []).length;
  };
  const sent = () => ({ ...(framesSent !== undefined ? { framesSent } : {}), ...(streamed !== undefined ? { streamed } : {}), streamRequests });
  page.on('request', onRequest);
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/checkout', { timeout: CAPTURE_TIMEOUT_MS });
  try {
    await page.click('[data-testid=capture-start]');
    const challenge = await challengeShown(page);
    const response = await answer;
    const phases = await capturePhasesOf(page);
    if (!response.ok()) {
      const problem = (await response.json()) as { code?: string; detail?: string };
      await page.waitForSelector('[data-testid=error]', { timeout: 10_000 });
      return { outcome: 'error', reasons: [], error: problem.code ?? problem.detail ?? String(response.status()), challenge, ...sent(), phases };
    }
    await page.waitForSelector('[data-testid=step-decision], [data-testid=step-pin]', { timeout: 30_000 });
    const onPinPad = (await page.$('[data-testid=step-pin]')) !== null;
    const outcome = onPinPad ? 'second_factor_required' : ((await page.getAttribute('[data-testid=step-decision]', 'data-outcome')) ?? 'unknown');
    const reasons = onPinPad ? [] : await page.$$eval('[data-testid=decision-reasons] li', (items) => items.map((li) => li.getAttribute('data-reason') ?? ''));
    const selector = '[data-testid=checkout-latency]';
    const performedMs = await numberAttr(page, selector, 'data-performed-ms');
    const answerMs = await numberAttr(page, selector, 'data-answer-ms');
    const timing: KioskTiming = {
      totalMs: (await numberAttr(page, selector, 'data-latency-ms'))!,
      ...(performedMs !== undefined ? { performedMs } : {}),
      ...(answerMs !== undefined ? { answerMs } : {}),
    };
    return { outcome, reasons, timing, challenge, ...sent(), phases };
  } finally {
    page.off('request', onRequest);
  }
}

export async function enterCheckoutPin(page: Page, pin: string): Promise<void> {
  await page.fill('[data-testid=pin-input]', pin);
  await page.click('[data-testid=pin-submit]');
  await waitForCameraWithEngine(page);
}

/** Median and 90th percentile (nearest rank) of a list of figures. */
export function medianAndP90(values: readonly number[]): { n: number; median: number; p90: number } | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return { n: sorted.length, median: rank(0.5), p90: rank(0.9) };
}

/** The last capture's phases (capture-phases.ts) and the page's visibility (a hidden page's camera and timers are throttled). */
async function capturePhasesOf(page: Page): Promise<CapturePhases & { visibility: string }> {
  const { marks, requests } = await readCaptureTrace(page);
  return { ...capturePhases(marks, requests), visibility: await page.evaluate(() => document.visibilityState) };
}

/**
 * The kiosk's trace marks (web/shared/trace.ts: the engine's load, the last capture) and the API
 * requests the page made since the first of them (Resource Timing).
 */
export async function readCaptureTrace(page: Page): Promise<{ marks: TraceMark[]; requests: TraceRequest[] }> {
  return page.evaluate(() => {
    const marks = performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith('facekey:'))
      .map((m) => ({ event: m.name.slice('facekey:'.length), at: m.startTime, detail: (m as PerformanceMark).detail as Record<string, unknown> | undefined }));
    const since = marks[0]?.at ?? 0;
    const requests = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((r) => r.startTime >= since && new URL(r.name).pathname.startsWith('/v1/'))
      .map((r) => ({ path: new URL(r.name).pathname, startAt: r.startTime, waitMs: r.responseStart - r.requestStart, endAt: r.responseEnd }));
    return { marks, requests };
  });
}
