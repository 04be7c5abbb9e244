/**
 * One kiosk capture's timeline, from the marks the kiosk leaves (web/shared/trace.ts), the API
 * requests it made (Resource Timing) and, with the reactive shopper, what the shopper did: when each
 * phase ended, in ms from "look at the camera". bench:kiosk prints the medians, so a slow total can
 * be told apart into the shopper's movement, the kiosk's tracking, the stream and the server.
 */
import type { ShopperEvent } from './reactive-shopper.js';

export interface TraceMark {
  readonly event: string;
  /** The page's clock (performance.now()). */
  readonly at: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface TraceRequest {
  readonly path: string;
  readonly startAt: number;
  /** Request sent → first byte of the answer: the server's time plus the loopback. */
  readonly waitMs: number;
  readonly endAt: number;
}

/** Each figure is ms from "look at the camera" pressed, or a duration where its name says so. */
export interface CapturePhases {
  /** The liveness session in hand: the prompts show. */
  readonly issued?: number;
  /** The shopper saw the first prompt (reactive shopper only). */
  readonly prompted?: number;
  /** The shopper began the last movement the capture needed. */
  readonly lastMoveStarted?: number;
  /** The browser saw the last step met. */
  readonly lastStepMet?: number;
  /** The shopper was back facing the camera after the last movement (it may not be needed). */
  readonly lastMoveEnded?: number;
  /** The kiosk's judgement (browser, or the server's when it tells) accepted the capture. */
  readonly accepted?: number;
  /** Tracking ended: the last frame grabbed. */
  readonly ended?: number;
  /** Every streamed frame held by the server (a checkout's analysed, an enrollment's evidence judged). */
  readonly streamFinished?: number;
  /** Template made in the browser (enrollment). */
  readonly template?: number;
  readonly answerSent?: number;
  readonly answerReceived?: number;
  /** The checkout's or enrollment's request: sent → first byte of the answer. */
  readonly answerWaitMs?: number;
  /** Stream requests (frames or evidence) and their median wait. */
  readonly streamRequests: number;
  readonly streamWaitMedianMs?: number;
  /** Streamed frames: the median time from grabbed to ready to send (a checkout's JPEG encoding). */
  readonly encodeMedianMs?: number;
  /** Tracked frames (grabs), how many of them were new pictures the kiosk kept, their median browser analysis and judgement times, and the median time between grabs. */
  readonly frames: number;
  readonly kept: number;
  readonly analyzeMedianMs?: number;
  readonly judgeMedianMs?: number;
  readonly grabIntervalMedianMs?: number;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (value: number | undefined): number | undefined => (value === undefined ? undefined : Math.round(value));

export function capturePhases(marks: readonly TraceMark[], requests: readonly TraceRequest[], shopper: readonly ShopperEvent[] = []): CapturePhases {
  const pressed = marks.find((m) => m.event === 'capture:pressed')?.at;
  if (pressed === undefined) return { streamRequests: 0, frames: 0, kept: 0 };
  const since = (at: number | undefined) => round(at === undefined ? undefined : at - pressed);
  const first = (event: string) => marks.find((m) => m.event === event)?.at;
  const last = (event: string) => marks.filter((m) => m.event === event).at(-1)?.at;
  const frameMarks = marks.filter((m) => m.event === 'capture:frame');
  const number = (m: TraceMark, key: string) => (typeof m.detail?.[key] === 'number' ? (m.detail[key] as number) : undefined);
  const grabs = frameMarks.flatMap((m) => (number(m, 'grabbedAt') !== undefined ? [number(m, 'grabbedAt')!] : []));
  const intervals = grabs.slice(1).map((at, i) => at - grabs[i]!);
  const during = requests.filter((r) => r.startAt >= pressed);
  const streams = during.filter((r) => /^\/v1\/liveness-sessions\/[^/]+\/(frames|evidence)$/.test(r.path));
  const answer = during.find((r) => r.path === '/v1/checkout' || r.path === '/v1/kiosk/enrollments');
  const lastStepMet = last('capture:step-met');
  const moves = shopper.filter((e) => e.at >= pressed);
  const lastStart = lastStepMet === undefined ? undefined : moves.filter((e) => e.kind === 'start' && e.at <= lastStepMet).at(-1);
  // Its own end, later in the log (the previous movement's end can carry the same time: the next one starts as it ends).
  const lastEnd = lastStart ? moves.slice(moves.indexOf(lastStart) + 1).find((e) => e.kind === 'end') : undefined;
  const phases: Record<string, number | undefined> = {
    issued: since(first('capture:issued')),
    prompted: since(moves.find((e) => e.kind === 'prompt')?.at),
    lastMoveStarted: since(lastStart?.at),
    lastStepMet: since(lastStepMet),
    lastMoveEnded: since(lastEnd?.at),
    accepted: since(first('capture:accepted')),
    ended: since(first('capture:ended')),
    streamFinished: since(first('stream:finished')),
    template: since(first('answer:template')),
    answerSent: since(first('answer:sent')),
    answerReceived: since(first('answer:received')),
    answerWaitMs: round(answer?.waitMs),
    streamWaitMedianMs: round(median(streams.map((r) => r.waitMs))),
    encodeMedianMs: round(median(marks.flatMap((m) => (m.event === 'stream:encoded' && number(m, 'encodeMs') !== undefined ? [number(m, 'encodeMs')!] : [])))),
    analyzeMedianMs: round(median(frameMarks.flatMap((m) => (number(m, 'analyzeMs') !== undefined ? [number(m, 'analyzeMs')!] : [])))),
    judgeMedianMs: round(median(frameMarks.flatMap((m) => (number(m, 'judgeMs') !== undefined ? [number(m, 'judgeMs')!] : [])))),
    grabIntervalMedianMs: round(median(intervals)),
  };
  const defined = Object.fromEntries(Object.entries(phases).filter(([, v]) => v !== undefined)) as Partial<CapturePhases>;
  return { ...defined, streamRequests: streams.length, frames: frameMarks.length, kept: frameMarks.filter((m) => m.detail?.['kept'] === true).length };
}

/**
 * The phases of several captures, as medians per phase (over the captures that have it), by nearest
 * rank as bench:kiosk's other figures (the lower middle of an even count), so they line up with them.
 */
export function medianPhases(all: readonly CapturePhases[]): Record<string, { median: number; n: number }> {
  const keys = [...new Set(all.flatMap((p) => Object.keys(p)))];
  const out: Record<string, { median: number; n: number }> = {};
  for (const key of keys) {
    const values = all.flatMap((p) => {
      const v = (p as unknown as Record<string, number | undefined>)[key];
      return v === undefined ? [] : [v];
    });
    const sorted = [...values].sort((a, b) => a - b);
    if (sorted.length > 0) out[key] = { median: sorted[Math.ceil(sorted.length / 2) - 1]!, n: sorted.length };
  }
  return out;
}
